package promsim

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// selector is a parsed series selector: name{label op "value", ...}.
type selector struct {
	matchers []matcher
}

type matcher struct {
	name, op, value string
	re              *regexp.Regexp
}

func (m matcher) matches(v string) bool {
	switch m.op {
	case "=":
		return v == m.value
	case "!=":
		return v != m.value
	case "=~":
		return m.re.MatchString(v)
	}
	return !m.re.MatchString(v) // !~
}

func (s selector) matches(labels map[string]string) bool {
	for _, m := range s.matchers {
		if !m.matches(labels[m.name]) {
			return false
		}
	}
	return true
}

var (
	namePattern    = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*`)
	matcherPattern = regexp.MustCompile(`^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)`)
)

// parseSelector reads a series selector as PromQL writes it (double-quoted values).
func parseSelector(s string) (selector, error) {
	s = strings.TrimSpace(s)
	var sel selector
	if name := namePattern.FindString(s); name != "" {
		sel.matchers = append(sel.matchers, matcher{name: "__name__", op: "=", value: name})
		s = strings.TrimSpace(s[len(name):])
	}
	if s == "" {
		if len(sel.matchers) == 0 {
			return sel, fmt.Errorf("empty selector")
		}
		return sel, nil
	}
	if !strings.HasPrefix(s, "{") || !strings.HasSuffix(s, "}") {
		return sel, fmt.Errorf("unexpected %q in selector", s)
	}
	body := s[1 : len(s)-1]
	for strings.TrimSpace(body) != "" {
		m := matcherPattern.FindStringSubmatch(body)
		if m == nil {
			return sel, fmt.Errorf("bad matcher at %q", body)
		}
		value, err := strconv.Unquote(`"` + m[3] + `"`)
		if err != nil {
			return sel, err
		}
		mt := matcher{name: m[1], op: m[2], value: value}
		if mt.op == "=~" || mt.op == "!~" {
			if mt.re, err = regexp.Compile("^(?:" + value + ")$"); err != nil {
				return sel, err
			}
		}
		sel.matchers = append(sel.matchers, mt)
		body = body[len(m[0]):]
	}
	return sel, nil
}

// parseDuration reads the "<n>s" and "<n>ms" the source writes, and the other single-unit
// PromQL durations.
func parseDuration(s string) (time.Duration, error) {
	units := []struct {
		suffix string
		unit   time.Duration
	}{{"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}, {"h", time.Hour}, {"d", 24 * time.Hour}}
	for _, u := range units {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.ParseInt(n, 10, 64)
			if err != nil || v <= 0 {
				return 0, fmt.Errorf("bad duration %q", s)
			}
			return time.Duration(v) * u.unit, nil
		}
	}
	return 0, fmt.Errorf("bad duration %q", s)
}

// The availability query shapes of the source (collector/prometheus/availability.go).
var (
	aggPattern     = `^sum(?: by \(([a-zA-Z_][a-zA-Z0-9_]*)\))? \(`
	subPattern     = `\[(\d+m?s):(\d+m?s)\] offset 1ms\)\)$`
	countPattern   = regexp.MustCompile(aggPattern + `count_over_time\(\((.+)\)` + subPattern)
	onesPattern    = regexp.MustCompile(aggPattern + `sum_over_time\(\(\((.+)\) == bool 1\)` + subPattern)
	invalidPattern = regexp.MustCompile(aggPattern + `count_over_time\(\(\(\((.+)\) != 0\) != 1\)` + subPattern)
	rawPattern     = regexp.MustCompile(`^(.+)\[(\d+m?s)\]$`)
)

// subquery is a parsed availability query.
type subquery struct {
	by       string // the sum's label, or ""
	sel      selector
	step     time.Duration
	res      time.Duration
	pointVal func(v float64) (float64, bool) // a point's contribution, and whether it counts
	sum      bool                            // sum_over_time, else count_over_time
}

func parseSubquery(q string) (*subquery, error) {
	var m []string
	sq := &subquery{}
	switch {
	case invalidPattern.MatchString(q):
		m = invalidPattern.FindStringSubmatch(q)
		sq.pointVal = func(v float64) (float64, bool) { return 1, v != 0 && v != 1 }
	case onesPattern.MatchString(q):
		m = onesPattern.FindStringSubmatch(q)
		sq.sum = true
		sq.pointVal = func(v float64) (float64, bool) {
			if v == 1 {
				return 1, true
			}
			return 0, true
		}
	case countPattern.MatchString(q):
		m = countPattern.FindStringSubmatch(q)
		sq.pointVal = func(float64) (float64, bool) { return 1, true }
	default:
		return nil, fmt.Errorf("promsim: unsupported query %q", q)
	}
	var err error
	sq.by = m[1]
	if sq.sel, err = parseSelector(m[2]); err != nil {
		return nil, err
	}
	if sq.step, err = parseDuration(m[3]); err != nil {
		return nil, err
	}
	if sq.res, err = parseDuration(m[4]); err != nil {
		return nil, err
	}
	return sq, nil
}

// NaN is a float NaN, for series data.
var NaN = math.NaN()
