package servicenow

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/apisource"
)

// This file pages the Table API by keyset rather than by sysparm_offset: offset paging over a
// set that changes while it is read (a record updated meanwhile moves to the end of an order
// by sys_updated_on, and every record after it moves a place up) skips a record per change.
// Each page asks for the rows after the last one read, by (time, sys_id):
//
//	<scope>^sys_updated_on>=T^sys_updated_on>T^ORsys_id>ID^ORDERBYsys_updated_on^ORDERBYsys_id
//
// In an encoded query ^OR binds a condition to the one before it, so this reads
// updated >= T AND (updated > T OR sys_id > ID): the rows of T after ID, then the later ones.
// (Written as sys_updated_on>T^ORsys_updated_on=T^sys_id>ID it would read (updated > T OR
// updated = T) AND sys_id > ID, and skip every later row with a smaller sys_id.)
// The dates are written as stored, in UTC: an encoded query's date written as text is read as
// the stored value, whatever the API user's time zone.

// cursor is the (time, sys_id) of a row; time is zero for a listing by sys_id alone.
type cursor struct {
	at time.Time
	id string
}

func (c cursor) before(d cursor) bool {
	return c.at.Before(d.at) || (c.at.Equal(d.at) && c.id < d.id)
}

// token is a listing's Next for the driver: the floor the listing was asked from, the cursor
// (when set), and an offset past pages that read ACLs hid whole.
type token struct {
	floor  time.Time
	after  cursor
	set    bool
	offset int
}

func (t token) String() string {
	unix := func(at time.Time) int64 {
		if at.IsZero() {
			return 0
		}
		return at.Unix()
	}
	return fmt.Sprintf("%d.%d.%s.%d", unix(t.floor), unix(t.after.at), t.after.id, t.offset)
}

func parseToken(s string) (token, error) {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return token{}, fmt.Errorf("not a listing position: %q", clip(s))
	}
	floor, err1 := strconv.ParseInt(parts[0], 10, 64)
	at, err2 := strconv.ParseInt(parts[1], 10, 64)
	off, err3 := strconv.Atoi(parts[3])
	id := parts[2]
	if err1 != nil || err2 != nil || err3 != nil || off < 0 || (id != "" && !validID(id)) {
		return token{}, fmt.Errorf("not a listing position: %q", clip(s))
	}
	t := token{offset: off}
	if floor != 0 {
		t.floor = time.Unix(floor, 0).UTC()
	}
	if id != "" {
		t.set, t.after = true, cursor{id: id}
		if at != 0 {
			t.after.at = time.Unix(at, 0).UTC()
		}
	}
	return t, nil
}

// keyset is a listing of a table by (timeField, sys_id), or by sys_id alone when timeField is
// "".
type keyset struct {
	table, scope, timeField string
	fields                  []string
	limit                   int
}

// query is the encoded query of the page from floor on (when not zero), after `after` (when
// set).
func (k keyset) query(floor time.Time, after *cursor) string {
	var parts []string
	if k.scope != "" {
		parts = append(parts, k.scope)
	}
	tf := k.timeField
	switch {
	case after != nil && tf != "":
		parts = append(parts, tf+">="+stamp(after.at), tf+">"+stamp(after.at)+"^ORsys_id>"+after.id)
	case after != nil:
		parts = append(parts, "sys_id>"+after.id)
	case !floor.IsZero() && tf != "":
		parts = append(parts, tf+">="+stamp(floor))
	}
	if tf != "" {
		parts = append(parts, "ORDERBY"+tf)
	}
	parts = append(parts, "ORDERBYsys_id")
	return strings.Join(parts, "^")
}

// keyed is a row with its cursor.
type keyed struct {
	key cursor
	r   row
}

// page reads one page. A row whose sys_id or time does not read fails the page: the listing
// cannot go past it.
func (k keyset) page(a *api, s *apisource.Session, floor time.Time, after *cursor, offset int) ([]keyed, *apisource.Response, bool, error) {
	resp, l, err := a.get(s, k.table, k.query(floor, after), k.fields, k.limit, offset)
	if err != nil {
		return nil, nil, false, err
	}
	out := make([]keyed, 0, len(l.Result))
	for i, raw := range l.Result {
		r, err := decodeRow(raw)
		if err != nil {
			return nil, nil, false, fmt.Errorf("GET %s: row %d of a page: %v: cannot page past it", resp.Endpoint, i+1, err)
		}
		id := r.get("sys_id")
		if !validID(id) {
			return nil, nil, false, fmt.Errorf("GET %s: row %d of a page: sys_id %q is not a ServiceNow id: cannot page past it", resp.Endpoint, i+1, clip(id))
		}
		var at time.Time
		if k.timeField != "" {
			if at, err = r.time(k.timeField); err == nil && at.IsZero() {
				err = fmt.Errorf("%s is empty", k.timeField)
			}
			if err != nil {
				return nil, nil, false, fmt.Errorf("GET %s: record %s: %v: cannot page past it", resp.Endpoint, id, err)
			}
		}
		out = append(out, keyed{key: cursor{at: at, id: id}, r: r})
	}
	return out, resp, more(resp, len(l.Result), offset, k.limit), nil
}
