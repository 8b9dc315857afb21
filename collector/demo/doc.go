// Package demo is the `demo` source kind: a simulated small IT organization whose tickets, probe
// samples and request counts keep coming as time passes, so that sla_exporter started with no
// configuration shows numbers that move.
//
// # The world
//
// The organization works in Europe/Rome, Monday to Friday 08:00-18:00, without holidays.
//
// Its service desk gets about 60 incidents and requests on a business day (most in business
// hours) and about 10 on a weekend day, times the configured scale. Each has:
//   - type incident (65%) or request (35%); ids INC-20260301-017 and REQ-20260301-018 (date of
//     creation, number of the day);
//   - priority P1 (1.5% of incidents), P2 (10%), P3 (50%) or P4; requests are P3 or P4;
//   - group network, apps or workplace (25/45/30%), which changes on a hand-over: 18% are
//     reassigned once, a third of those twice (Ticket.Reassignments counts them);
//   - fields customer (acme 50%, globex 30%, initech 20%) and category (by group: connectivity,
//     vpn, wifi, firewall / webshop, erp, crm, email / laptop, printer, access, phone);
//   - statuses New (open) at creation, In Progress (open) at the first response (which is also
//     Ticket.FirstResponse), Awaiting Customer (paused) and back to In Progress for 10% of them,
//     Resolved (resolved), Closed (closed) three days after the last resolution, or Cancelled
//     (cancelled) for 3%, mostly before work starts. About 4% are reopened (Resolved, then In
//     Progress, then Resolved again) before they close;
//   - a satisfaction rating on 40% of the resolved ones, within a day of the resolution: good
//     for 88% (for half of the reopened ones).
//
// P1 is worked around the clock, everything else in business hours. The first response and the
// work to a fix are log-normal: medians of 7m, 10m, 40m and 90m for the response and 2h, 3.5h, 9h
// and 16h of work for P1 to P4, so that against typical targets (respond in 15m/30m/4h/8h,
// resolve in 4h/8h/3/5 business days) about one ticket in ten breaches. P3 incidents are the
// exception: a first-line desk answers them first come first served, DeskRoster agents each hour
// (4 in the morning and 14:00-16:00, 2 over lunch and 16:00-18:00, Monday to Friday), 30% of
// their time off the queue, with an exponential 40 minutes of work to each first response
// (desk.go); about 97% are answered within 4 business hours. A pause lasts about
// 18 hours of calendar time (from one hour to five days).
//
// About four changes a week (type change, on business days, ids CHG-20260301-001) have no
// priority, a group, a customer and a category (standard, normal or emergency). They are New when
// raised, In Progress during an evening implementation window within a week (emergency ones
// within hours), then Closed with field close_code successful (85%), successful_issues (10%) or
// unsuccessful (5%); 4% are Cancelled instead. The close code appears with the Closed status.
//
// Three services are probed once a minute (uptime series webshop, api, hosting; one sample per
// minute, at the minute's start, saying up, degraded or down, or unknown when the probe itself
// failed):
//   - webshop: short outages and slow spells take about half of a 99.9% monthly budget;
//   - api: the same, and an event series api_requests of good and total requests per minute
//     (about 1.8 million a day following the local day, a baseline of 0.005-0.025% failing,
//     error bursts of 1-20% on one day in four, 97% failing while the api is down);
//   - hosting: the supplier's platform, down for maintenance every Sunday from 02:00 Europe/Rome
//     for two hours (read as availability.Recurring reads a window: from the first 02:00, or the
//     jump over it, for two hours of elapsed time), with blips and slow spells besides. About
//     once in 65 days it has a long outage (30 minutes to 4 hours) that takes the web shop and
//     the api down with it.
//
// At 99.9% the web shop and the api requests meet their month about two times in three; the
// hosting platform meets 99.95% (maintenance excluded) in a bit over half the months.
//
// # Determinism
//
// Everything is a function of the seed and the clock: each day's arrivals, each ticket's
// attributes and future, each UTC day's trouble on each series and each minute's traffic are
// drawn from a generator seeded by hashing the seed with what is drawn and the day, ticket or
// minute. A ticket's whole future is decided when it is created; a sync reveals what has happened
// by its clock (Options.Now), and nothing later. The world at an instant therefore does not
// depend on when or how often Sync ran: syncing every minute for a month ends with the same
// records as syncing once at the end with a month more of history.
//
// # Syncs
//
// The first sync returns the last `history` (default 100 days, so the previous calendar month is
// complete) as a full snapshot (Batch.Replace): every ticket with anything happening in it, as
// known at now; one sample per minute of each uptime series; the counts of each minute that
// ended. Later syncs return the tickets with anything new since the checkpoint (created, a
// status change, a first response, a hand-over, a rating) and the samples and counts after it.
// The checkpoint is text, the last instant returned with the world's seed and scale
// ("2026-03-01T10:00:00Z seed=1 scale=1"); a checkpoint of another seed or scale, or an
// unreadable one, starts over with a full snapshot.
//
// Uptime is sent as per-minute samples rather than outage records: it is the shape of a real
// probe, and exercises what the engine does with one (sample age, gaps, coverage). A first sync
// of 100 days holds 3 × 144,000 samples (about 14 MB) and 144,000 request counts; a later sync
// holds the minutes since the previous one.
//
// # Configuration
//
//	sources:
//	- name: demo
//	  type: demo
//	  demo:
//	    seed: 1        # another seed is another world
//	    history: 100d  # how far back the first sync reaches, at most 366d
//	    scale: 1       # multiplies the ticket volume, (0, 100]
package demo
