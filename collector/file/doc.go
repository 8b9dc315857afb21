// Package file is the `file` source kind: it reads ticket exports, uptime data and event counts
// from CSV, JSON or NDJSON files, as every ITSM tool, monitoring system and spreadsheet can write
// them: local files, or an export fetched from an HTTP(S) URL (a ServiceNow list export
// incident_list.do?CSV, a report URL, a REST API answering {"result": [...]}).
//
// # Reading
//
// Each sync looks at the file (or the files a glob matches) and reads it only when it changed:
// same paths, sizes and modification times under the same configuration give an empty batch and
// the same checkpoint, without opening the files. Otherwise the files are read and hashed
// (SHA-256); if the contents hash the same as last time (a file touched, not changed) the batch
// is empty again, with a checkpoint holding the new times. Changed contents give a full snapshot
// (Batch.Replace): every record of the source that is not in it is dropped. The configuration is
// part of the checkpoint, so a new mapping re-reads unchanged files.
//
// A missing or unreadable file, a glob matching nothing, a CSV header lacking a mapped column, a
// malformed or truncated JSON document (json format), or a file that changed while it was read
// make Sync fail: nothing is returned and the runner keeps the last good data. The error names
// the file in full (and as the configuration wrote it), or the missing column with its key and
// the configuration line that maps it:
//
//	incidents.csv: the header has no column "opened_at" (columns.created, configuration line 14)
//
// Error messages never quote a file beyond the one offending value (shortened past 64 bytes).
//
// Malformed rows are rejected, each in Batch.Rejected with Where "<file>:<line>" (the file
// relative to the configuration's folder; the line where the row starts) and a reason naming the
// column, such as
//
//	column "opened_at": "31-02-2016 10:00" does not match layout "02-01-2006 15:04"
//
// and the rest is ingested. A time no layout reads names the layouts tried; a status statuses
// does not list names the status (set default_category, the policy for unknown statuses, to
// accept it). A ticket that is inconsistent as a whole (Ticket.Validate: resolved
// before created, a first response before creation ...) is rejected at its first row, with a
// reason naming the ticket id.
//
// CSV and NDJSON files are read as streams; a json file is held in memory while it is read, so
// prefer ndjson or csv for exports of hundreds of megabytes.
//
// # Fetching from a URL
//
// With url instead of path, each sync GETs the URL through prometheus/common's HTTP client
// (http_client_config: basic auth, authorization, OAuth2, TLS, proxy), with the headers listed
// under headers, Accept-Encoding: gzip and a User-Agent of sla_exporter/<version>. Every request
// counts in sla_source_requests_total{source, code} (code "error" when no response came).
//
// The request is conditional: it carries the ETag and Last-Modified of the last fetch (kept in
// the checkpoint) as If-None-Match and If-Modified-Since, and a 304 Not Modified gives an empty
// batch and the same checkpoint. Otherwise the body (gunzipped when gzip-encoded) is read as a
// stream, parsed and hashed as a file is: the same contents as last time give an empty batch
// with a checkpoint holding the new validators (a server ignoring the conditions, or a report
// regenerated unchanged); changed contents give a full snapshot (Batch.Replace). A body over
// max_size (default 1 GiB, decompressed), one cut short, or a done context fail the sync: an export is never read in
// part. Rejections and read errors name the export after the URL's path, without its leading
// slash or the query: "incident_list.do:17".
//
// A 429 or 503 with Retry-After (seconds, or an HTTP date measured on the server's clock from its
// Date header) fails the sync with a collector.RetryAfterError: the runner waits at least that
// long (capped at collector.MaxRetryAfter) before trying again. Any other status, and those two
// without a usable Retry-After, fail the sync with an error such as
//
//	GET https://acme.service-now.com/incident_list.do: HTTP 401 Unauthorized (credentials missing or refused: see http_client_config): "User Not Authenticated"
//
// quoting at most 256 bytes of the body, on one line. A text/html answer that does not parse
// (a login page) says so.
//
// Credentials never show: messages (errors, logs, rejections, the status of the source) print
// URLs as scheme://host/path, without user information or query (which may hold an API key),
// never print a request header, and replace every known credential that a server echoes in its
// answer (the URL's password and query values, the http_client_config passwords, tokens and
// secrets, inline or from their files, the basic auth header they make, the OAuth2 token_url's
// query values and every endpoint_params value) with <secret>; values shorter than 4 bytes are
// not looked for. An OAuth2 token endpoint's refusal is reported with its status and at most
// 256 bytes of its answer, as any error answer. Config prints the configuration with
// credentials as <secret>. The checkpoint keeps no URL. Prefer credentials in files
// (password_file, credentials_file) to credentials in the URL or the configuration.
//
// The files http_client_config names (a CA, a password) are read when fetching, not when the
// configuration is loaded, so a configuration can be checked before they exist; a missing one
// fails the sync.
//
// # Ticket layouts
//
// one_row_per_ticket: each row is a ticket, its id unique across the files (a repeated id is
// rejected; the first row is kept). Its history is built from the resolved and closed columns
// (entries named after the first status listed under statuses.resolved and statuses.closed, or
// "resolved" and "closed") and from the current status, which takes effect at status_time when
// mapped, else:
//   - a resolved status at the resolved time, else the closed time;
//   - a closed or cancelled status at the closed time, else the resolved time: a Jira export has
//     only Resolved, set with any resolution (Done, Won't Do ...);
//   - a cancelled status with neither at creation: the ticket counts in no clock and no backlog,
//     rather than being lost (map status_time to date it);
//   - an open or paused status with no resolution at creation.
//
// A resolved, closed or cancelled current status replaces the entries at its instant: equal
// resolved and closed times make one entry, of the current status, and a cancelled ticket whose
// Resolved time dates its withdrawal counts no resolution. A row is rejected when its current
// status has no time (a resolved or closed status without status_time, resolved or closed time,
// which placed at creation would count an instant resolution; an open status after a resolution,
// without status_time) or is not the latest entry (an open status with a later resolved time).
// Without status_time, pauses cannot be placed: map it for pause-aware clocks.
//
// event_log: one row per state change, as ServiceNow's incident event log. Rows are grouped by id
// across all files, and each ticket's rows are sorted by sequence when columns.sequence is mapped,
// then by status_time (stable: rows equal in both keep file order). Exports stamp rows to the
// minute, so several changes share a time; and a row's time can be out of step with the order
// the tool made the changes in (ServiceNow's sample has a New row stamped 11:10 whose
// sys_mod_count puts it before the Resolved of 11:03: by time alone, a reopen that never was).
// A row without a sequence number is rejected. Then:
//   - created is the created column of the first row that has one (unmapped: the first status
//     time); a ticket with none is rejected;
//   - a row whose status_time is before created is rejected ("row left out of ticket X's
//     history") and the ticket is built from the other rows: ServiceNow exports contain a few such
//     rows, typically a New or Active row stamped before opened_at was edited, and losing the
//     whole ticket for it would lose more than it protects; a ticket all of whose rows are
//     rejected is not produced;
//   - the history is each remaining row's (status_time, status), consecutive repeats of the same
//     status (case-insensitive) dropped; before its first entry a ticket is open, as the engine
//     assumes;
//   - with a sequence, a row whose time is before the entry its sequence puts it after is
//     rejected ("row left out of ticket X's history"): placing it would make the history go
//     backwards, moving it would invent a time;
//   - priority, type, group, fields, first_response, reassignments, work_time and rating come from the last
//     row (highest sequence, then latest status_time, the later row on a tie), absent values
//     included, even when that row was left out of the history for its time;
//   - with response_statuses, the first response is the first entry into one of those statuses.
//
// Every row is checked in full, so a malformed value in any mapped column rejects its row even
// when a later row would have supplied the attribute.
//
// # Uptime and events
//
// Uptime rows are samples (columns time and state: the state from that time on, per series) or
// outage rows (columns start, end and optionally state, down by default). Outage rows describe the
// coverage range [coverage.from, coverage.to): inside it, time no outage claims was up. An outage
// without an end lasts to the end of the coverage. Event rows are buckets: a start time, a total
// and a good (or bad) count; rows sharing a series and a start add up, as the engine adds them
// (so a file with one row per region and minute, mapped to one series per endpoint, gives each
// minute's totals). Series appear in the order they are first read; their records are sorted by
// time. Samples at the same instant are all kept, in file order: the engine keeps the last.
//
// # Configuration reference
//
// The block goes under the key file: of a source of type file. Keys are strict (an unknown key is
// an error naming its line), and every error names the line and the field.
//
//	file:
//	  # The file to read, or a glob (*, ?, [a-z]) matching files that together form one snapshot,
//	  # read in lexical order. Relative to the configuration file's folder. Exactly one of path
//	  # and url is required.
//	  [ path: <string> ]
//	  # An http:// or https:// URL to fetch the export from, e.g.
//	  # https://acme.service-now.com/incident_list.do?CSV&sysparm_query=active%3Dtrue
//	  # User information in it (https://user:password@host/...) is sent as basic auth, and is
//	  # refused alongside credentials in http_client_config; prefer basic_auth with password_file.
//	  [ url: <string> ]
//	  # How url is fetched: prometheus/common's HTTP client configuration, nested under this key.
//	  # Keys are strict here too. Relative *_file paths resolve against the configuration file's
//	  # folder. url only. *_ref keys (secret references) are refused.
//	  http_client_config:
//	    basic_auth:
//	      [ username: <string> | username_file: <filename> ]
//	      [ password: <secret> | password_file: <filename> ]
//	    authorization:              # exclusive with basic_auth and oauth2
//	      [ type: <string> | default = Bearer ]
//	      [ credentials: <secret> | credentials_file: <filename> ]
//	    oauth2:                     # client credentials: client_id, client_secret(_file),
//	      [ ... ]                   # token_url, scopes, endpoint_params, tls_config, proxy_url
//	    tls_config:
//	      [ ca_file: <filename> ]   # or ca: <PEM text>
//	      [ cert_file: <filename> ] # client certificate, with key_file (or cert and key)
//	      [ key_file: <filename> ]
//	      [ server_name: <string> ]
//	      [ insecure_skip_verify: <bool> | default = false ]
//	      [ min_version: TLS10 | TLS11 | TLS12 | TLS13 ]
//	    [ proxy_url: <string> ]     # or proxy_from_environment: true; no_proxy,
//	                                # proxy_connect_header
//	    [ follow_redirects: <bool> | default = true ]
//	    [ enable_http2: <bool> | default = true ]
//	    # Headers holding secrets: values, secrets or files (each file's contents, trimmed).
//	    http_headers:
//	      [ <name>: { [values: [<string>, ...]], [secrets: [<secret>, ...]], [files: [<filename>, ...]] } ]
//	  # Plain extra request headers, url only: Accept: application/json, X-Instance: prod ...
//	  # They are not secret (no credentials here: use http_client_config). Authorization,
//	  # Proxy-Authorization and Cookie are refused, as are headers the client or the fetch set
//	  # (User-Agent, Accept-Encoding, Host, If-None-Match, If-Modified-Since, Range ...).
//	  [ headers: { <name>: <string>, ... } ]
//	  # csv | json (an array of objects) | ndjson (one object per line).
//	  # Default: from the extension of path, or of url's path: .csv, .tsv (tab-delimited), .json,
//	  # .ndjson, .jsonl. Required when it does not tell (incident_list.do, /api/now/table/incident).
//	  [ format: <string> ]
//	  # tickets | uptime | events. Default: tickets.
//	  [ content: <string> ]
//	  # Tickets only: one_row_per_ticket | event_log. Default: one_row_per_ticket.
//	  [ layout: <string> ]
//	  csv:                          # csv only
//	    [ delimiter: <char> | default = "," ("\t" for .tsv) ]
//	    [ comment: <char> ]         # lines starting with it are skipped; default none
//	    [ lazy_quotes: <bool> | default = false ]  # tolerate stray quotes
//	  json:                         # json only
//	    # Dotted path of the array inside a top-level object: result (ServiceNow REST),
//	    # records (ServiceNow JSONv2), tickets (Zendesk). Default: the document is the array.
//	    [ records: <string> ]
//	  # Column (CSV header) or key (JSON; a dotted path reaches into nested objects, e.g.
//	  # assignment_group.display_value) of each attribute. Empty or absent: unmapped.
//	  columns:
//	    # tickets, both layouts
//	    id: <string>                # required
//	    [ created: <string> ]       # required for one_row_per_ticket; event_log: default the
//	                                # first status time
//	    [ status: <string> ]        # required for event_log (the status entered on this row);
//	                                # one_row_per_ticket: the current status
//	    [ status_time: <string> ]   # required for event_log: when the row's status took effect;
//	                                # one_row_per_ticket: since when the current status holds
//	    [ sequence: <string> ]      # event_log only: a whole number growing with each update of
//	                                # a ticket (ServiceNow: sys_mod_count); rows are ordered by it,
//	                                # then by status_time
//	    [ priority: <string> ]
//	    [ type: <string> ]          # incident, request, change ...
//	    [ group: <string> ]         # assignment group or queue
//	    [ first_response: <string> ]  # a time
//	    [ reassignments: <string> ] # a whole number >= 0
//	    [ work_time: <string> ]     # work recorded on the ticket: a duration (38m, 1h35m,
//	                                # 1.5h, 1d) or seconds (2280); empty or 0: none
//	    [ rating: <string> ]        # mapped by ratings
//	    [ fields: { <name>: <column>, ... } ]  # attributes objectives select on
//	    # tickets, one_row_per_ticket only
//	    [ resolved: <string> ]      # a time: adds a resolved entry to the history
//	    [ closed: <string> ]        # a time: adds a closed entry
//	    # uptime samples (both required) or uptime outage rows (start required)
//	    [ time: <string> ]          # uptime samples: the sample's time; events: the bucket start
//	    [ state: <string> ]         # mapped by states; outage rows: default down
//	    [ start: <string> ]
//	    [ end: <string> ]           # empty: still going on
//	    # events: time and total required, and exactly one of good or bad
//	    [ total: <string> ]
//	    [ good: <string> ]
//	    [ bad: <string> ]           # good = total - bad
//	    # uptime and events
//	    [ series: <string> ]        # default: constants.series, else the source's name
//	  # Fixed values: the value of an unmapped attribute, and of a mapped one where its cell is
//	  # absent.
//	  constants:
//	    [ priority: <string> ]      # tickets
//	    [ type: <string> ]          # tickets
//	    [ group: <string> ]         # tickets
//	    [ fields: { <name>: <value>, ... } ]  # tickets
//	    [ series: <string> ]        # uptime and events
//	  time:
//	    # A Go layout (the reference time Mon Jan 2 15:04:05 MST 2006 written as the file does:
//	    # "02-01-2006 15:04", "2006-01-02 15:04:05", "2/Jan/06 3:04 PM"), or rfc3339, unix
//	    # (seconds, decimals allowed), unix_ms; or a list of them, tried in order on each value
//	    # (the first that reads it wins): ["02-01-2006 15:04", "2/1/2006 15:04"]. Layouts that would
//	    # read one value as two different times (day-first and month-first) are refused. Applies
//	    # to every time column. Default: rfc3339.
//	    [ layout: <string> | [<string>, ...] ]
//	    # IANA zone of times written without an offset (Go layouts, unless they hold one).
//	    # Default: UTC.
//	    [ timezone: <string> ]
//	  # Values meaning absent, compared exactly after trimming spaces. An empty value is always
//	  # absent. Default: none besides the empty value.
//	  [ null_values: [<string>, ...] ]
//	  # Tickets: status name -> category, compared case-insensitively; a name may appear once.
//	  # Required when columns.status is mapped, unless default_category is set.
//	  statuses:
//	    [ open: [<string>, ...] ]
//	    [ paused: [<string>, ...] ]   # resolution clocks stop
//	    [ resolved: [<string>, ...] ]
//	    [ closed: [<string>, ...] ]
//	    [ cancelled: [<string>, ...] ]
//	  # The policy for unknown statuses: the category of a status statuses does not list. Unset,
//	  # a row with such a status is rejected, its reason naming the status.
//	  [ default_category: open | paused | resolved | closed | cancelled ]
//	  # event_log only: the first change into one of these statuses is the first response
//	  # (ServiceNow: Active). Exclusive with columns.first_response.
//	  [ response_statuses: [<string>, ...] ]
//	  # Tickets with columns.rating (then required): answers that are good and bad, compared
//	  # case-insensitively; any other answer (a neutral 3) is unrated.
//	  ratings:
//	    [ good: [<string>, ...] ]
//	    [ bad: [<string>, ...] ]
//	  # Uptime: state values, compared case-insensitively; a value none lists rejects its row.
//	  # Default when all four are empty: up [up, 1, true], down [down, 0, false],
//	  # degraded [degraded], unknown [unknown].
//	  states:
//	    [ up: [<string>, ...] ]
//	    [ down: [<string>, ...] ]
//	    [ degraded: [<string>, ...] ]
//	    [ unknown: [<string>, ...] ]  # no data: counts as missing
//	  # Uptime outage rows only.
//	  coverage:
//	    from: <RFC 3339 time>       # required: since when the file records every outage
//	    [ to: <RFC 3339 time> ]     # default: the files' latest modification time (url: the
//	                                # response's Last-Modified, else its Date, else now)
//	    [ series: [<string>, ...] ] # series to publish even without any outage row
//
// An example mapping for ServiceNow's incident event log is testdata/servicenow.yml; one for a
// Jira CSV export (one row per issue) is the source of deploy/config/jira.yml. Fetched from
// the instance instead of a file, its first lines would be
//
//	file:
//	  url: https://acme.service-now.com/incident_list.do?CSV&sysparm_query=sys_updated_on>javascript:gs.daysAgo(30)
//	  format: csv
//	  http_client_config:
//	    basic_auth: {username: sla_exporter, password_file: servicenow.password}
//
// and a REST API answering {"result": [...]} takes format: json with json: {records: result}.
package file
