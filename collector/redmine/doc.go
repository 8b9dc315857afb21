// Package redmine is the redmine source kind: the issues of Redmine projects, read through
// Redmine's REST API, with their journals for the status history and the first response.
//
// Redmine has no SLA of its own: the tickets are the issues, their status history comes from the
// journal details that changed status_id, and the clocks are computed by sla_exporter. Statuses
// map to categories by name (Redmine's Resolved is not a closed status; the mapping decides).
// The work time is the spent_hours (its own time entries, not its subtasks'); logging
// time does not change updated_on, so a sync reads new time entries at the next update.
//
// A sync lists the issues updated since the last one (GET /issues.json, keyset on updated_on
// with an overlap) and fetches the journals of those whose updated_on moved (GET
// /issues/{id}.json?include=journals): the N+1 is bounded by what changed. Every
// reconcile_interval the ids of the projects' issues are listed, so that issues deleted or moved
// out of the projects are dropped.
//
// It is built on collector/apisource, which does the requests, retries, rate limits, the
// watermark and the reconciliation: config.go holds the configuration, endpoints.go Redmine's
// endpoints (apisource.Kind), mapping.go the mapping (pure functions), source.go the source and
// its checkpoint.
package redmine
