package jira

import (
	"strconv"
	"time"
)

// JQL's dates. A JQL date-time is "yyyy-MM-dd HH:mm": to the minute, and read in the time zone
// of the user running the search (the profile's, GET /rest/api/3/myself timeZone), as Atlassian's
// JQL reference says of date fields ("Advanced search reference - JQL fields": created, updated
// accept "yyyy/MM/dd HH:mm", "yyyy-MM-dd HH:mm", "yyyy/MM/dd", "yyyy-MM-dd" or a relative
// period). A search from an instant is therefore written from the start of its minute in that
// zone: it lists a little more, and the driver skips what it has seen (same key, same updated).

// jqlLayout is how a JQL date-time is written.
const jqlLayout = "2006-01-02 15:04"

// jqlTime writes t as a JQL date-time in loc, at or before t. A wall time the zone shows twice
// (the hour repeated when summer time ends) Jira may read as either instant: when t is in the
// earlier one, the wall time of t less the shift is written instead, which reads before t
// either way.
func jqlTime(t time.Time, loc *time.Location) string {
	wall := t.In(loc).Format(jqlLayout)
	for _, shift := range []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour} {
		if t.Add(shift).In(loc).Format(jqlLayout) == wall {
			return t.Add(-shift).In(loc).Format(jqlLayout)
		}
	}
	return wall
}

// updatedJQL is the search of the issues in scope updated at or after since (all when zero),
// oldest update first; the id orders the issues of one instant, so that a page boundary among
// them is the same on every request.
func updatedJQL(scope string, since time.Time, loc *time.Location) string {
	q := "(" + scope + ")"
	if !since.IsZero() {
		q += " AND updated >= '" + jqlTime(since, loc) + "'"
	}
	return q + " ORDER BY updated ASC, id ASC"
}

// idsJQL is the search of the ids in scope after the id after (none when 0), by id: an issue
// created meanwhile lands on the last page, and one deleted shifts nothing.
func idsJQL(scope string, after int64) string {
	q := "(" + scope + ")"
	if after > 0 {
		q += " AND id > " + strconv.FormatInt(after, 10)
	}
	return q + " ORDER BY id ASC"
}
