// Package kpi computes service desk KPIs over a window of time from a ticket store, and rates each
// against its target as green, amber or red.
//
// A KPI is computed over the window [from, to) as known at the instant now: a status change, a
// first response or a ticket created after now has not happened yet and is ignored, so replaying an
// evaluation at a past now gives the numbers that were true then. All instants are Unix seconds.
//
// The words below are used with one meaning throughout:
//
//   - A ticket's state at now is the category of its last status change at or before now. A ticket
//     with no status change yet is open: it was created and nothing has stopped it.
//   - A ticket is resolved when its state at now is Resolved or Closed. Its resolution is the first
//     change of the unbroken run of Resolved and Closed changes that ends in that state: resolved
//     at 10:00 and closed at 12:00 is a resolution at 10:00; resolved, reopened and resolved again is
//     a resolution at the second one. A ticket that is reopened after now still counts as resolved
//     at now, and a reopen removes the ticket from the window of its former resolution, because a
//     resolution that did not hold was not one. Cancelled is not resolved.
//   - A ticket is closed when its state at now is Closed; its closure is the first Closed change of
//     the same final run.
//   - A stop is a change into Resolved or Closed from any other category (Resolved to Closed is not
//     a new stop). A stop is reopened when a later change, up to now, is Open or Paused.
//   - A ticket's backlog age and resolution time run from its creation.
//
// The KPIs (N is the number of tickets the filter accepts and the definition selects):
//
//   - mtta: first response − creation, over tickets whose first response is in the window.
//   - mttr: resolution − creation, over tickets whose resolution is in the window; optionally in
//     business time, and optionally without the time spent in Paused before the resolution (the
//     time before the first known status counts as not paused; time spent Resolved before a reopen
//     is not excluded: the customer was still waiting for a fix that held).
//   - backlog: tickets open or paused at now. backlog_age: now − creation over the same tickets.
//   - reopen_rate: tickets with a stop in the window that was reopened, over tickets with a stop in
//     the window. A reopen of an earlier stop does not count against a stop in the window that
//     held. This cannot use resolutions: a ticket reopened and still open has none.
//   - fcr: tickets resolved in the window with no reassignment and no reopen of any stop, over
//     tickets resolved in the window.
//   - csat: Good over Good + Bad among tickets resolved in the window; unrated ones are left out.
//   - change_success: tickets closed in the window whose outcome field holds a success value, over
//     tickets closed in the window. A missing field is not a success. The filter selects changes.
//   - created: tickets created in the window. resolved: tickets whose resolution is in the window,
//     the same tickets mttr measures.
//
// Durations are stated as a mean, a maximum or an exact nearest-rank percentile. A KPI with nothing
// to measure (no resolved ticket for mttr, no rating for csat) is reported as not OK with a NaN
// value, never as a made-up zero; counts are always measurable, and zero is a count.
package kpi
