// Package staffing turns a service desk's demand into the agents it needs to keep its promises:
// how many people each hour of the week must be working a queue so that the share of tickets
// handled within target reaches the objective's.
//
// Two models, chosen by the kind of promise:
//
//   - Queues answered in minutes (phone, chat, P1 response): Erlang C, the M/M/N queue with
//     Poisson arrivals, exponential handle times and no abandonment. The agents needed are the
//     fewest whose share answered within the target reaches the goal, with an occupancy cap;
//     computed through the Erlang B recursion, so that it stays exact and stable for thousands of
//     agents where factorials and powers overflow.
//   - Deferred queues, targets in business hours (resolution, P3 response): a workload model. A
//     ticket's handle time must be worked between its arrival and its deadline on the
//     objective's calendar; spreading it evenly over the working time of that span gives the
//     agent-hours each hour of the week needs.
//
// Given a roster (agents per hour of the week), Shortfall compares it with the need, and the
// share of tickets the roster is expected to handle within target is QueueAttainment, Erlang C's
// service level hour by hour, for the first model, and SimulateDeferred, a seeded simulation of
// the week's queue with Poisson arrivals and exponential handle times, for the second.
// DeferredAttainment is the same queue without randomness (a fluid of the average week): an
// upper bound, which says 100% where a desk that just covers its average work keeps far fewer
// promises.
//
// Shrinkage (breaks, meetings, absence) turns agents working the queue into agents scheduled:
// scheduled = working / (1 − shrinkage). The package is pure: no clock, no I/O.
package staffing
