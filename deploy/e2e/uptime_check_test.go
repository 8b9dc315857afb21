package e2e

import (
	"fmt"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/availability"
)

// How the uptime end-to-end test judges what a source collected against the script it ran: the
// script is a list of edges (from this instant on, the series should read that state); the
// collected samples go through the engine (FromSamples, Build, Counts) under each gap policy,
// slice by slice, and are compared with the verdicts the script gives. Timing only drives the
// script; what is checked are counts, each scripted edge allowed one slice of error:
//
//   - every edge is seen, no more than one slice from where the script put it (measured from the
//     time each state holds in each slice, so the order a source lays out inside a slice does not
//     matter);
//   - a slice whose verdict differs from the script's is within one slice of an edge, and no
//     edge accounts for more than one such slice;
//   - the covered time differs from the script's by at most one slice per edge into or out of
//     missing data.

// uptimeEdge is a scripted transition: from At on, the series should read To.
type uptimeEdge struct {
	Name string
	At   time.Time
	To   availability.State
}

// uptimeScript is what a source should have seen over [From, To) (whole slices): Initial, then
// the edges in time order.
type uptimeScript struct {
	Slice    time.Duration
	From, To time.Time
	Initial  availability.State
	Edges    []uptimeEdge
}

// stateTimes is how long each state (Unknown = missing) holds in a slice.
type stateTimes [availability.Degraded + 1]time.Duration

func (s uptimeScript) slices() int { return int(s.To.Sub(s.From) / s.Slice) }

func (s uptimeScript) sliceStart(i int) time.Time { return s.From.Add(time.Duration(i) * s.Slice) }

// sliceOf is the index of the slice holding t (may be outside the window).
func (s uptimeScript) sliceOf(t time.Time) int {
	d := t.Sub(s.From)
	i := int(d / s.Slice)
	if d < 0 && d%s.Slice != 0 {
		i--
	}
	return i
}

// rel writes t as an offset from the window's start.
func (s uptimeScript) rel(t time.Time) string {
	return "+" + t.Sub(s.From).Round(time.Millisecond).String()
}

// expectedTimes lays the script over the slices.
func (s uptimeScript) expectedTimes() []stateTimes {
	type piece struct {
		from  time.Time
		state availability.State
	}
	pieces := []piece{{s.From, s.Initial}}
	for _, e := range s.Edges {
		pieces = append(pieces, piece{e.At, e.To})
	}
	out := make([]stateTimes, s.slices())
	for k, p := range pieces {
		end := s.To
		if k+1 < len(pieces) {
			end = pieces[k+1].from
		}
		addSpan(out, s, p.from, end, p.state)
	}
	return out
}

// addSpan adds [from, to) in state to the slices it overlaps.
func addSpan(out []stateTimes, s uptimeScript, from, to time.Time, state availability.State) {
	if from.Before(s.From) {
		from = s.From
	}
	if to.After(s.To) {
		to = s.To
	}
	for from.Before(to) {
		i := s.sliceOf(from)
		end := s.sliceStart(i + 1)
		if end.After(to) {
			end = to
		}
		out[i][state] += end.Sub(from)
		from = end
	}
}

// measuredTimes lays samples over the slices as the engine reads them: a sample holds until the
// next one, at most maxAge; before the first and past maxAge the time is missing.
func (s uptimeScript) measuredTimes(samples []availability.Sample, maxAge time.Duration) []stateTimes {
	out := make([]stateTimes, s.slices())
	cur := s.From
	for i, x := range samples {
		end := x.At.Add(maxAge)
		if i+1 < len(samples) && samples[i+1].At.Before(end) {
			end = samples[i+1].At
		}
		if !end.After(cur) {
			continue
		}
		start := x.At
		if start.Before(cur) {
			start = cur
		}
		addSpan(out, s, cur, start, availability.Unknown)
		addSpan(out, s, start, end, x.State)
		cur = end
	}
	addSpan(out, s, cur, s.To, availability.Unknown)
	return out
}

// edgeResult is where an edge was seen.
type edgeResult struct {
	Edge  uptimeEdge
	Seen  time.Time // zero: not seen
	Error time.Duration
	// SliceError is the slice of Seen less the slice of the edge.
	SliceError int
}

// measureEdges finds each edge in the measured times: the first slice after the previous edge's
// that holds the edge's state, plus the time the state before the edge holds in it. An edge
// after one not seen is not seen either.
func (s uptimeScript) measureEdges(measured []stateTimes) []edgeResult {
	var out []edgeResult
	before, from, lost := s.Initial, 0, false
	for _, e := range s.Edges {
		r := edgeResult{Edge: e}
		// After an edge not seen, the state it leads to was never reached: leaving it cannot
		// be seen either.
		for i := from; i < len(measured) && !lost; i++ {
			if measured[i][e.To] > 0 {
				r.Seen = s.sliceStart(i).Add(measured[i][before])
				r.Error = r.Seen.Sub(e.At)
				r.SliceError = s.sliceOf(r.Seen) - s.sliceOf(e.At)
				from = i + 1
				break
			}
		}
		lost = r.Seen.IsZero()
		out = append(out, r)
		before = e.To
	}
	return out
}

// verdict is a slice's judgement.
type verdict byte

const (
	verdictGood     verdict = 'G'
	verdictBad      verdict = 'B'
	verdictExcluded verdict = 'x'
)

// expectedVerdict judges a slice from its state times as the engine does with a good threshold
// of 1 (a slice is good only fully up) and no maintenance.
func expectedVerdict(st stateTimes, gaps availability.GapPolicy) verdict {
	down, missing := st[availability.Down]+st[availability.Degraded], st[availability.Unknown]
	switch {
	case gaps == availability.GapExcluded && st[availability.Up]+down == 0:
		return verdictExcluded
	case down > 0, gaps == availability.GapBad && missing > 0:
		return verdictBad
	}
	return verdictGood
}

// policyResult is the comparison under one gap policy.
type policyResult struct {
	Gaps                   availability.GapPolicy
	Want, Got              string // a verdict per slice
	WantCounts, GotCounts  availability.Counts
	WantCovered, Coverage  time.Duration // Coverage: got less want
	Mismatches             int
	GoodDiff, BadDiff, Exc int // got less want, in slices
}

// uptimeResult is the whole comparison of one source's samples with the script.
type uptimeResult struct {
	Edges    []edgeResult
	Policies []policyResult
	Problems []string
}

var gapPolicies = []availability.GapPolicy{availability.GapExcluded, availability.GapGood, availability.GapBad}

// check compares samples with the script under every gap policy.
func (s uptimeScript) check(samples []availability.Sample) uptimeResult {
	var res uptimeResult
	problem := func(format string, args ...any) { res.Problems = append(res.Problems, fmt.Sprintf(format, args...)) }
	series, err := availability.FromSamples(samples)
	if err != nil {
		problem("samples: %v", err)
		return res
	}
	want := s.expectedTimes()
	got := s.measuredTimes(samples, availability.DefaultMaxSampleAge)

	res.Edges = s.measureEdges(got)
	coverageEdges := 0
	before := s.Initial
	for _, r := range res.Edges {
		e := r.Edge
		if (before == availability.Unknown) != (e.To == availability.Unknown) {
			coverageEdges++
		}
		before = e.To
		switch {
		case r.Seen.IsZero():
			problem("edge %q at %s (to %s): never seen", e.Name, s.rel(e.At), e.To)
		case r.Error > s.Slice || r.Error < -s.Slice:
			problem("edge %q at %s (to %s): seen at %s, %s off, more than one slice (%s)", e.Name, s.rel(e.At), e.To, s.rel(r.Seen), r.Error, s.Slice)
		}
	}

	for _, gaps := range gapPolicies {
		p := policyResult{Gaps: gaps}
		cfg := availability.Config{Slice: s.Slice, Gaps: gaps}
		tl, err := availability.Build(cfg, series, s.From, s.To)
		if err != nil {
			problem("%s: %v", gaps, err)
			continue
		}
		wantV, gotV := make([]byte, s.slices()), make([]byte, s.slices())
		used := map[int]bool{} // edges that account for a mismatch
		for i := range s.slices() {
			wantV[i] = byte(expectedVerdict(want[i], gaps))
			c := tl.Counts(s.sliceStart(i), s.sliceStart(i+1))
			switch {
			case c.Good > 0:
				gotV[i] = byte(verdictGood)
			case c.Bad > 0:
				gotV[i] = byte(verdictBad)
			default:
				gotV[i] = byte(verdictExcluded)
			}
			switch verdict(wantV[i]) {
			case verdictGood:
				p.WantCounts.Good += s.Slice
			case verdictBad:
				p.WantCounts.Bad += s.Slice
			default:
				p.WantCounts.Excluded += s.Slice
			}
			p.WantCovered += want[i][availability.Up] + want[i][availability.Down] + want[i][availability.Degraded]
			if wantV[i] == gotV[i] {
				continue
			}
			p.Mismatches++
			k := s.nearestEdge(i)
			switch {
			case k < 0 || abs(i-s.sliceOf(s.Edges[k].At)) > 1:
				problem("%s: slice %s is %c, the script says %c, and no edge is within one slice of it", gaps, s.rel(s.sliceStart(i)), gotV[i], wantV[i])
			case used[k]:
				problem("%s: slice %s is %c, the script says %c: edge %q is off by more than one slice", gaps, s.rel(s.sliceStart(i)), gotV[i], wantV[i], s.Edges[k].Name)
			}
			used[k] = true
		}
		p.Want, p.Got = string(wantV), string(gotV)
		p.GotCounts = tl.Counts(s.From, s.To)
		p.WantCounts.Covered, p.WantCounts.Eligible = p.WantCovered, s.To.Sub(s.From)
		p.Coverage = p.GotCounts.Covered - p.WantCovered
		p.GoodDiff = int((p.GotCounts.Good - p.WantCounts.Good) / s.Slice)
		p.BadDiff = int((p.GotCounts.Bad - p.WantCounts.Bad) / s.Slice)
		p.Exc = int((p.GotCounts.Excluded - p.WantCounts.Excluded) / s.Slice)
		if limit := time.Duration(coverageEdges) * s.Slice; p.Coverage > limit || p.Coverage < -limit {
			problem("%s: covered %s, the script says %s: off by more than one slice per edge into or out of missing data (%s)", gaps, p.GotCounts.Covered, p.WantCovered, limit)
		}
		res.Policies = append(res.Policies, p)
	}
	return res
}

// nearestEdge returns the edge whose slice is closest to slice i, or -1 without edges.
func (s uptimeScript) nearestEdge(i int) int {
	best, dist := -1, 0
	for k, e := range s.Edges {
		if d := abs(i - s.sliceOf(e.At)); best < 0 || d < dist {
			best, dist = k, d
		}
	}
	return best
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// report words the result for the test log (and the closing note of issue 9).
func (s uptimeScript) report(source string, res uptimeResult) []string {
	var lines []string
	for _, r := range res.Edges {
		if r.Seen.IsZero() {
			lines = append(lines, fmt.Sprintf("%s edge %-14q at %s: not seen", source, r.Edge.Name, s.rel(r.Edge.At)))
			continue
		}
		lines = append(lines, fmt.Sprintf("%s edge %-14q at %s seen at %s: error %+.3fs = %+.2f slices (slice index %+d)",
			source, r.Edge.Name, s.rel(r.Edge.At), s.rel(r.Seen), r.Error.Seconds(), float64(r.Error)/float64(s.Slice), r.SliceError))
	}
	for _, p := range res.Policies {
		lines = append(lines, fmt.Sprintf("%s gaps=%-8s want %s got %s: good %+d, bad %+d, excluded %+d slices; covered %s (script %s, %+.3fs); %d slices differ",
			source, p.Gaps, p.Want, p.Got, p.GoodDiff, p.BadDiff, p.Exc, p.GotCounts.Covered, p.WantCovered, p.Coverage.Seconds(), p.Mismatches))
	}
	return lines
}
