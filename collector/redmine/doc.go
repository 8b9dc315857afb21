// Package redmine is the redmine source kind: the issues of Redmine projects, read through
// Redmine's REST API, with their journals for the status history and the first response.
//
// Redmine has no SLA of its own: the tickets are the issues, their status history comes from the
// journal details that changed status_id, and the clocks are computed by sla_exporter. Statuses
// map to categories by name (Redmine's Resolved is not a closed status; the mapping decides).
//
// A sync lists the issues updated since the last one (GET /issues.json, keyset on updated_on
// with an overlap) and fetches the journals of those whose updated_on moved (GET
// /issues/{id}.json?include=journals): the N+1 is bounded by what changed. config.go holds the
// configuration, client.go the endpoints and paging, mapping.go the mapping (pure functions),
// source.go the sync and its checkpoint.
package redmine
