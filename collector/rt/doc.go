// Package rt is the `rt` source kind: tickets from Request Tracker 5 through its REST2 API.
//
// It is built on collector/apisource, which makes the requests (limits, retries, the cap per
// sync) and runs the incremental sync (watermark, overlap, de-duplication, reconciliation): a sync
// searches the tickets of a TicketSQL query by LastUpdated from the watermark less the overlap,
// each page after the (LastUpdated, id) of the last ticket read; it reads the history of each
// ticket whose LastUpdated moved (GET /REST/2.0/ticket/{id}/history); every reconcile_interval it
// lists the ids the query selects, so that tickets moved out of it or deleted are dropped. It
// maps each ticket to a ticket.Ticket:
//
//   - status history from the Status transactions, each status mapped to a category by name
//     (RT's default lifecycle unless configured);
//   - first response: the first Correspond (or the configured transaction types) by a user who
//     is neither a requestor of the ticket nor RT_System;
//   - group: the queue's name; priority: RT's number, named by configurable ranges;
//   - fields: the configured custom fields, and RT's own Due (rt_due) and SLA level (rt_sla), so
//     that RT's deadline can be set beside the exporter's;
//   - work time: TimeWorked, the minutes agents entered on the ticket's updates.
//
// RT's Due is not the exporter's deadline, even on the same business hours: RT counts the
// resolution from creation through reopens and stalls (the exporter starts a new cycle at a
// reopen and pauses on stalled, as configured), and it dates a deadline that uses up a working
// day at the next day's opening (Business::Hours), where the exporter says the day's end.
// docs/configuration.md has the details and collector/rt's integration test the cases.
//
// api.go holds the endpoints and paging, mapping.go the mapping (pure functions), config.go the
// configuration, source.go the source.
package rt
