// Package zendesk is the `zendesk` source kind: the tickets of a Zendesk Support account,
// with Zendesk's own SLA state, through the REST API.
//
// It is built on collector/apisource, which makes the requests (limits, retries, the cap per
// sync) and runs the incremental sync. A sync reads:
//
//   - the incremental ticket export, cursor based (GET /api/v2/incremental/tickets/cursor.json,
//     start_time on the first sync, then cursor=after_cursor until end_of_stream), with the
//     slas sideload. The cursor is the checkpoint: each sync resumes where the last whole page
//     ended, so an unchanged account costs one request, and a ticket updated while the export
//     is read (or within the last minute, which the export leaves out) comes in a later page
//     or sync. Deleted tickets come with status "deleted" and are dropped. The export allows
//     10 requests a minute: its requests carry a limiter of their own (incremental_rate_limit)
//     on top of the account's rate_limit.
//   - the audits of each ticket the export lists (GET /api/v2/tickets/{id}/audits.json, cursor
//     paginated, with the users sideload): the status history, the first reply and the group
//     hand-overs. Audits rather than the ticket metric events: a changed ticket costs one
//     request on the account's limit (200 to 2,500 a minute by plan), where the incremental
//     metric events (GET /api/v2/incremental/ticket_metric_events) would take the export's
//     scarce 10 a minute and list every ticket's events, not one ticket's; audits also give
//     the status names, which the metric events only imply.
//   - once per source, the SLA policies (GET /api/v2/slas/policies.json), to log the metrics
//     they measure and warn of a native_slas metric none does.
//
// It maps each ticket to a ticket.Ticket: the status history by status name (pending and
// on-hold pause by default), the first reply (the first public comment by an agent after the
// description), priority (low, normal, high, urgent; none when unset), type, group and brand
// (named by configuration), tags and custom fields as fields by configuration, CSAT from
// satisfaction_rating.score (good, bad; offered and unoffered are unrated), and Zendesk's SLA
// state from slas.policy_metrics as ticket.Native (native.go), each metric's clock by
// native_slas.
//
// api.go holds the endpoints, mapping.go and native.go the mapping (pure functions),
// config.go the configuration, source.go the source; zendesksim is the simulator the tests
// run against.
package zendesk
