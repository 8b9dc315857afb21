// Package apisource is the machinery shared by the source kinds that pull tickets from a paginated
// HTTP API (github, gitlab, redmine, rt, and Jira, ServiceNow or Zendesk after them), so that a kind
// is only its endpoints and its mapping:
//
//   - Config is the block every such kind embeds (url, http_client_config, rate_limit, page_size,
//     max_requests_per_sync, overlap, reconcile_interval, request_timeout), and Compile checks it
//     with positioned errors;
//   - Client makes the requests: auth and TLS from prometheus/common's HTTPClientConfig, a
//     User-Agent naming sla_exporter and its version, a per-request timeout, a client-side rate
//     limiter, the server's rate-limit headers and Retry-After honoured, exponential backoff with
//     jitter on 5xx and network errors, a cap on requests per sync, requests counted for
//     sla_source_requests_total, and errors that name the source, the endpoint's path and the
//     status, with every credential scrubbed;
//   - the paging helpers read the styles these APIs use: Link rel="next", offset/limit with a
//     total, page/per_page, opaque cursors, and keyset "updated since";
//   - Driver runs an incremental sync on an "updated since" watermark with an overlap window and
//     de-duplication on (id, updated), stops early with what it has (never past it) when the
//     request cap, the sync's time or the server's limit says so, and reconciles the id set
//     periodically so that tickets deleted or moved out of scope are dropped.
//
// The kinds that read a few documents of a status API each sync instead (statuspage, gatus,
// uptime_kuma) use the client alone: DocumentConfig is their block without the paging keys,
// SyncError words a sync's failure (a long rate limit asking the runner to wait), Pick resolves
// the items a configuration selects by name or id, and Recent turns a monitoring tool's rolling
// history of checks into samples after a watermark, marking checks lost between two syncs.
//
// See docs/adding-a-source.md for how a kind is wired onto it.
package apisource
