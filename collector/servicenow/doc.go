// Package servicenow is the servicenow source kind: the incidents or change requests of a
// ServiceNow instance, pulled incrementally through the Table API, with their status history
// and, optionally, ServiceNow's own SLA records (task_sla) as the tickets' native SLA cycles.
//
// It is built on collector/apisource, which makes the requests (limits, retries, the cap per
// sync) and runs the incremental sync (watermark, overlap, de-duplication, reconciliation). The
// requests (each with sysparm_fields, sysparm_display_value=false and
// sysparm_exclude_reference_link=true):
//
//   - GET /api/now/table/{incident|change_request}, keyset pages on (sys_updated_on, sys_id)
//     from the watermark less the overlap (keyset.go);
//   - GET /api/now/table/sys_audit for the state and hold_reason changes of up to 50 listed
//     records at a time (documentkeyIN...), which is the status history;
//   - with native_slas, GET /api/now/table/task_sla for the same records (taskIN...);
//   - every reconcile_interval, the sys_ids in scope, by sys_id.
//
// Why these choices:
//
//   - Stored values (sysparm_display_value=false) rather than display values: dates come in UTC
//     rather than in the API user's time zone and date format (which a user may change), and
//     states, hold reasons and priorities as their values rather than labels that an instance
//     translates or renames. The few labels wanted (the assignment group's name, an SLA
//     definition's name) are dot-walked fields (assignment_group.name, sla.name), which bring
//     the referenced record's stored value.
//   - sys_audit rather than metric_instance for the history: it has the old and new value of
//     every change of state and hold_reason without any metric definition (the base system's
//     "Incident State Duration" metric has state only, as display values, and changes have
//     none), and it is indexed on documentkey. It needs read access to sys_audit (admin only
//     in the base system: grant the integration user's role a read ACL on it).
//
// The work time is the record's time_worked (the Task table's Time worked timer), a duration.
//
// api.go holds the endpoints, keyset.go the paging, records.go the decoding, mapping.go the
// mapping, config.go the configuration.
package servicenow
