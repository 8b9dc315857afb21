package file

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
)

// Time notations.
const (
	timeRFC3339 = iota
	timeUnix
	timeUnixMS
	timeLayout
)

// notation is one way of writing times: a kind, and for timeLayout a Go layout.
type notation struct {
	kind   int
	layout string
}

// name is the notation as the configuration writes it, for messages.
func (n notation) name() string {
	switch n.kind {
	case timeRFC3339:
		return "rfc3339"
	case timeUnix:
		return "unix"
	case timeUnixMS:
		return "unix_ms"
	}
	return n.layout
}

// unit is the length of a unix notation's unit, and how messages call such a number.
func (n notation) unit() (int64, string) {
	if n.kind == timeUnixMS {
		return int64(time.Millisecond), "a Unix time in milliseconds"
	}
	return int64(time.Second), "a Unix time in seconds"
}

// read parses s, or says why not; the message names s but not the notation when it is a
// layout, which the caller names with the others tried.
func (n notation) read(s string, loc *time.Location) (time.Time, error) {
	switch n.kind {
	case timeRFC3339:
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("%s is not an RFC 3339 time", quote(s))
		}
		return t.UTC(), nil
	case timeUnix, timeUnixMS:
		unit, what := n.unit()
		if v, err := strconv.ParseInt(s, 10, 64); err == nil {
			if v > math.MaxInt64/unit || v < math.MinInt64/unit {
				return time.Time{}, fmt.Errorf("%s is out of range for %s", quote(s), what)
			}
			return time.Unix(0, v*unit).UTC(), nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return time.Time{}, fmt.Errorf("%s is not %s", quote(s), what)
		}
		ns := f * float64(unit)
		if ns >= math.MaxInt64 || ns <= math.MinInt64 {
			return time.Time{}, fmt.Errorf("%s is out of range for %s", quote(s), what)
		}
		return time.Unix(0, int64(math.Round(ns))).UTC(), nil
	}
	t, err := time.ParseInLocation(n.layout, s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s does not match layout %q", quote(s), n.layout)
	}
	return t.UTC(), nil
}

// write formats t in the notation.
func (n notation) write(t time.Time, loc *time.Location) string {
	switch n.kind {
	case timeUnix:
		return strconv.FormatInt(t.Unix(), 10)
	case timeUnixMS:
		return strconv.FormatInt(t.UnixMilli(), 10)
	case timeLayout:
		return t.In(loc).Format(n.layout)
	}
	return t.Format(time.RFC3339Nano)
}

// timeParser reads the time columns: each value with the first notation that reads it.
type timeParser struct {
	notations []notation // at least one
	loc       *time.Location
}

// parse reads s, or says what s is not (the caller names the column): with one notation, why
// it does not read s; with several, every notation tried.
func (p timeParser) parse(s string) (time.Time, error) {
	t, err := p.notations[0].read(s, p.loc)
	if err == nil || len(p.notations) == 1 {
		return t, err
	}
	for _, n := range p.notations[1:] {
		if t, err := n.read(s, p.loc); err == nil {
			return t, nil
		}
	}
	names := make([]string, len(p.notations))
	for i, n := range p.notations {
		names[i] = strconv.Quote(n.name())
	}
	return time.Time{}, fmt.Errorf("%s matches none of the layouts %s", quote(s), strings.Join(names, ", "))
}

// describe names the notations tried, for a rejection's cause: `layout "02-01-2006 15:04"` or
// `any of the layouts "…", "…"`.
func (p timeParser) describe() string {
	names := make([]string, len(p.notations))
	for i, n := range p.notations {
		names[i] = strconv.Quote(n.name())
	}
	if len(names) == 1 {
		return "layout " + names[0]
	}
	return "any of the layouts " + strings.Join(names, ", ")
}

// format writes t as the file would (in the first notation), for messages that compare two
// times of a ticket.
func (p timeParser) format(t time.Time) string { return p.notations[0].write(t, p.loc) }

// timeFormat settles how times are parsed.
func (c *compiler) timeFormat(p *plan) error {
	t := c.cfg.Time
	loc := time.UTC
	if t.Timezone != "" {
		var err error
		if loc, err = time.LoadLocation(t.Timezone); err != nil {
			return c.failf([]string{"time", "timezone"}, "%q is not an IANA time zone", t.Timezone)
		}
	}
	p.times = timeParser{loc: loc}
	layouts := t.Layout
	if len(layouts) == 0 {
		layouts = Layouts{"rfc3339"}
	}
	// at reports err at entry i: the key itself for one layout, the list's element for several.
	at := func(i int, format string, args ...any) error {
		field := "time.layout"
		if len(layouts) > 1 {
			field = fmt.Sprintf("time.layout[%d]", i)
		}
		return &configError{line: collector.LineOf(c.node, "time", "layout", i), field: field, err: fmt.Errorf(format, args...)}
	}
	zoned := false
	for i, l := range layouts {
		n := notation{kind: timeLayout, layout: l}
		switch strings.ToLower(l) {
		case "":
			return at(i, "entry %d is empty", i)
		case "rfc3339":
			n = notation{kind: timeRFC3339}
		case "unix":
			n, zoned = notation{kind: timeUnix}, true
		case "unix_ms":
			n, zoned = notation{kind: timeUnixMS}, true
		default:
			zoned = true
			// A layout without Go's reference elements formats as itself ("dd-mm-yyyy"); one
			// without a full date parses to year 0. Both are mistakes.
			ref := time.Date(2016, 2, 29, 13, 4, 5, 0, loc)
			s := ref.Format(l)
			back, err := time.ParseInLocation(l, s, loc)
			if s == l || err != nil || back.Year() != 2016 || back.Month() != 2 || back.Day() != 29 {
				return at(i, "%q is not a Go time layout with a full date: write the reference time Mon Jan 2 15:04:05 MST 2006 as the file does, e.g. \"02-01-2006 15:04\" for 29-02-2016 13:04 (or use rfc3339, unix, unix_ms)", l)
			}
		}
		for j, prev := range p.times.notations {
			if prev == n {
				return at(i, "%q is also entry %d", l, j)
			}
			if v, want, got, ok := confused(prev, n, loc); ok {
				return at(i, "%q writes %s as %q, which the earlier %q reads as %s: list only layouts that cannot be confused (not day-first and month-first together)",
					n.name(), want.Format(time.DateTime), v, prev.name(), got.Format(time.DateTime))
			}
		}
		p.times.notations = append(p.times.notations, n)
	}
	if t.Timezone != "" && !zoned {
		return c.failf([]string{"time", "timezone"}, "applies to layouts without an offset, not rfc3339")
	}
	return nil
}

// confused reports a value that later writes (for the time want) and earlier reads as another
// time: earlier is tried first, so such values would be misread. It tries times whose day, month
// and hour can be mistaken for one another. The times are in loc.
func confused(earlier, later notation, loc *time.Location) (value string, want, got time.Time, ok bool) {
	for _, ref := range []time.Time{time.Date(2016, 3, 4, 5, 6, 7, 0, loc), time.Date(2016, 11, 12, 13, 14, 15, 0, loc), time.Date(2016, 12, 1, 2, 3, 4, 0, loc)} {
		v := later.write(ref, loc)
		want, err := later.read(v, loc)
		if err != nil {
			continue
		}
		got, err := earlier.read(v, loc)
		if err == nil && !got.Equal(want) {
			return v, want.In(loc), got.In(loc), true
		}
	}
	return "", time.Time{}, time.Time{}, false
}
