// Package jira is the `jira` source kind: the issues of a JQL search on Jira Cloud or Jira Data
// Center (Jira Service Management included), pulled incrementally through the REST API, with
// the JSM SLA cycles Jira keeps imported beside the status history.
//
// It is built on collector/apisource, which makes the requests (limits, retries, the cap per
// sync) and runs the incremental sync (watermark, overlap, de-duplication on key and updated,
// reconciliation). A sync searches the configured JQL restricted to `updated >= 'yyyy-MM-dd
// HH:mm'` (JQL dates are to the minute, in the API user's profile time zone: the search starts
// at the minute's start, lists a little more, and what was seen is skipped), ordered by updated
// and id, with the fields the mapping needs and the changelog expanded:
//
//   - Cloud: POST /rest/api/3/search/jql with nextPageToken and isLast (the old
//     /rest/api/3/search answers 410 since 2025); a changelog the search cut is completed by
//     POST /rest/api/3/changelog/bulkfetch, one request for the page's cut changelogs;
//   - Data Center: GET /rest/api/2/search with startAt, maxResults and total; a cut changelog is
//     read whole from GET /rest/api/2/issue/{key}?expand=changelog.
//
// The time zone comes from GET /rest/api/{3,2}/myself unless configured; the status categories
// of statuses no name maps come from GET /rest/api/{3,2}/status; both are read once a day at
// most. Every reconcile_interval the ids in scope are listed (`id > N ORDER BY id`), so that
// issues moved out of the JQL or deleted are dropped.
//
// The mapping (mapping.go): the key is the ticket's id; the status history is the changelog's
// status changes, each status mapped by name (statuses) or by its Jira status category
// (status_categories); priority, type, group and fields come from the Jira fields the
// configuration names (system fields or custom fields: a JSM request type, organizations); the
// first response from a date-time field or the stop of a JSM SLA's first cycle. The JSM SLA
// fields listed in sla_fields (sla.go) become the ticket's Native cycles, each completed cycle
// and the ongoing one, their clock named by native_slas. The work time is the timespent field,
// the seconds logged on the issue.
//
// api.go holds the endpoints and paging, mapping.go and sla.go the mapping (pure functions),
// jql.go the JQL, config.go the configuration, source.go the source. The simulator the tests run
// against, written from Atlassian's documentation, is collector/jira/jirasim.
package jira
