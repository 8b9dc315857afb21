package servicenowsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file answers GET /api/now/table/{table}: the query, the order, the page, and each row
// rendered with the fields and the kind of values asked for.

// defaultLimit is sysparm_limit's default ("default: 10,000" in the OpenAPI description of the
// Table API).
const defaultLimit = 10000

// choices are the labels of the choice fields, by table, field and value.
var choices = map[string]map[string]map[string]string{
	"incident": {
		"state":       {"1": "New", "2": "In Progress", "3": "On Hold", "6": "Resolved", "7": "Closed", "8": "Canceled"},
		"hold_reason": {"1": "Awaiting Caller", "3": "Awaiting Problem", "4": "Awaiting Vendor", "5": "Awaiting Change"},
	},
	"change_request": {
		"state": {"-5": "New", "-4": "Assess", "-3": "Authorize", "-2": "Scheduled", "-1": "Implement", "0": "Review", "3": "Closed", "4": "Canceled"},
	},
}

var priorities = map[string]string{"1": "1 - Critical", "2": "2 - High", "3": "3 - Moderate", "4": "4 - Low", "5": "5 - Planning"}

// dateFields are the date-time columns, shown in the user's time zone as display values.
var dateFields = []string{"opened_at", "resolved_at", "closed_at", "sys_created_on", "sys_updated_on", "start_time", "end_time",
	"planned_end_time", "original_breach_time", "pause_time", "start_date", "end_date"}

// getter reads a field of a row of t, following dot-walked references; ok is false for a
// field t does not have. Callers hold mu.
func (s *Server) getter(t *table, r record) func(string) (string, bool) {
	var get func(t *table, r record, field string) (string, bool)
	get = func(t *table, r record, field string) (string, bool) {
		ref, rest, walk := strings.Cut(field, ".")
		if !walk {
			if !t.has(field) {
				return "", false
			}
			return r[field], true
		}
		target, ok := t.refs[ref]
		if !ok {
			return "", false
		}
		rt, rr := s.lookup(target, r[ref])
		if rt == nil {
			return "", s.tableOf(target) != nil
		}
		return get(rt, rr, rest)
	}
	return func(field string) (string, bool) { return get(t, r, field) }
}

// tableOf is the table a reference names; "task" stands for the task tables.
func (s *Server) tableOf(name string) *table {
	if name == "task" {
		return s.tables["incident"]
	}
	return s.tables[name]
}

// lookup finds a row by sys_id in a table (for "task", in incident and change_request).
func (s *Server) lookup(name, id string) (*table, record) {
	if id == "" {
		return nil, nil
	}
	names := []string{name}
	if name == "task" {
		names = []string{"incident", "change_request"}
	}
	for _, n := range names {
		t := s.tables[n]
		if t == nil {
			continue
		}
		for _, r := range t.rows {
			if r["sys_id"] == id {
				return t, r
			}
		}
	}
	return nil, nil
}

// list answers a listing: it sets X-Total-Count and Link and returns the body. Callers hold mu.
func (s *Server) list(w http.ResponseWriter, r *http.Request, t *table) ([]byte, error) {
	q := r.URL.Query()
	qq, err := parseQuery(q.Get("sysparm_query"))
	if err != nil {
		return nil, err
	}
	limit, offset := defaultLimit, 0
	if v := q.Get("sysparm_limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 {
			return nil, fmt.Errorf("sysparm_limit %q is not a positive number", v)
		}
	}
	if v := q.Get("sysparm_offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			return nil, fmt.Errorf("sysparm_offset %q is not a number", v)
		}
	}
	type keyed struct {
		r    record
		keys map[string]string
	}
	var sel []keyed
	for _, row := range t.rows {
		get := s.getter(t, row)
		if qq.matches(get, s.o.StrictQueries) {
			k := keyed{r: row, keys: map[string]string{"sys_id": row["sys_id"]}}
			for _, o := range qq.orders {
				k.keys[o.field], _ = get(o.field)
			}
			sel = append(sel, k)
		}
	}
	slices.SortFunc(sel, func(a, b keyed) int { // sys_id breaks every tie
		return qq.compare(func(f string) (string, bool) { return a.keys[f], true }, func(f string) (string, bool) { return b.keys[f], true })
	})
	total := len(sel)
	var page []record
	for _, k := range sel[min(offset, total):min(offset+limit, total)] {
		page = append(page, k.r)
	}

	h := w.Header()
	if q.Get("sysparm_no_count") != "true" {
		h.Set("X-Total-Count", strconv.Itoa(total))
	}
	if q.Get("sysparm_suppress_pagination_header") != "true" {
		h.Set("Link", s.links(r, offset, limit, total))
	}

	var fields []string
	if v := q.Get("sysparm_fields"); v != "" {
		fields = strings.Split(v, ",")
	} else {
		fields = t.columns
	}
	display := strings.ToLower(q.Get("sysparm_display_value"))
	links := q.Get("sysparm_exclude_reference_link") != "true"
	out := make([]map[string]any, 0, len(page))
	for _, row := range page {
		if s.hidden[row["sys_id"]] || s.hiddenTables[t.name] {
			continue // a read ACL removes the row after the page is cut
		}
		out = append(out, s.render(t, row, fields, display, links))
	}
	return json.Marshal(map[string]any{"result": out})
}

// links writes the Link header: first, prev, next and last, each the request's URL with
// another sysparm_offset.
func (s *Server) links(r *http.Request, offset, limit, total int) string {
	at := func(off int, rel string) string {
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path}
		q := r.URL.Query()
		q.Set("sysparm_offset", strconv.Itoa(off))
		q.Set("sysparm_limit", strconv.Itoa(limit))
		u.RawQuery = q.Encode()
		return fmt.Sprintf("<%s>;rel=%q", u.String(), rel)
	}
	parts := []string{at(0, "first")}
	if offset > 0 {
		parts = append(parts, at(max(offset-limit, 0), "prev"))
	}
	if offset+limit < total {
		parts = append(parts, at(offset+limit, "next"))
	}
	last := 0
	if total > 0 {
		last = (total - 1) / limit * limit
	}
	parts = append(parts, at(last, "last"))
	return strings.Join(parts, ",")
}

// render writes a row's fields: stored values, display values or both; references as a sys_id
// or with their link.
func (s *Server) render(t *table, row record, fields []string, display string, links bool) map[string]any {
	get := s.getter(t, row)
	out := make(map[string]any, len(fields))
	for _, f := range fields {
		f = strings.TrimSpace(f)
		v, ok := get(f)
		if !ok {
			continue // ServiceNow leaves out a field the table has not
		}
		shown := s.display(t, f, v)
		var val any = v
		switch display {
		case "true":
			val = shown
		case "all":
			val = map[string]string{"display_value": shown, "value": v}
		}
		if target, isRef := t.refs[f]; isRef && links && v != "" {
			ref := map[string]string{"link": "http://" + s.Listener.Addr().String() + "/api/now/table/" + target + "/" + v, "value": v}
			if display == "true" {
				ref["display_value"] = shown
				delete(ref, "value")
			}
			val = ref
		}
		out[f] = val
	}
	return out
}

// display is a field's display value: a date in the user's zone, a choice's label, the name
// of a referenced record.
func (s *Server) display(t *table, field, v string) string {
	if v == "" {
		return ""
	}
	base := field[strings.LastIndexByte(field, '.')+1:]
	if slices.Contains(dateFields, base) {
		if at, ok := parseStamp(v); ok {
			return at.In(s.o.UserZone).Format(time.DateTime)
		}
	}
	if base == "priority" {
		return priorities[v]
	}
	if c, ok := choices[t.name][field]; ok {
		return c[v]
	}
	if target, ok := t.refs[field]; ok {
		rt, rr := s.lookup(target, v)
		if rt != nil {
			return cmpOr(rr["name"], rr["number"])
		}
	}
	return v
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
