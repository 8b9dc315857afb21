package availability

import (
	"cmp"
	"slices"
	"sort"
	"time"
)

// label is what an instant counts as when judging its slice.
type label uint8

const (
	labelUp label = iota
	labelDown
	labelDegraded
	labelMissing
	labelMaintenance
	numLabels
)

var labelOfState = [...]label{Unknown: labelMissing, Up: labelUp, Down: labelDown, Degraded: labelDegraded}

// seg is a stretch [start, end) of nanoseconds with one label.
type seg struct {
	start, end int64
	lab        label
}

// span is a stretch [start, end) of nanoseconds.
type span struct{ start, end int64 }

// appendSeg adds [start, end) to segs, dropping it when empty and merging it into an equal
// neighbour, so that the sweep in Build sees as few pieces as possible.
func appendSeg(segs []seg, start, end int64, lab label) []seg {
	if start >= end {
		return segs
	}
	if n := len(segs); n > 0 && segs[n-1].lab == lab && segs[n-1].end == start {
		segs[n-1].end = end
		return segs
	}
	return append(segs, seg{start, end, lab})
}

// segments labels every instant of [t0, t1) from the data; the result covers it without holes.
func (s Series) segments(maxAge time.Duration, t0, t1 int64) []seg {
	if s.fromOutages {
		return s.outageSegments(t0, t1)
	}
	return s.sampleSegments(maxAge, t0, t1)
}

func (s Series) sampleSegments(maxAge time.Duration, t0, t1 int64) []seg {
	var segs []seg
	// Samples before the last one at or before t0 end before it starts.
	i := sort.Search(len(s.samples), func(i int) bool { return nanos(s.samples[i].At) > t0 })
	i = max(i-1, 0)
	cur := t0
	for ; i < len(s.samples); i++ {
		start := nanos(s.samples[i].At)
		if start >= t1 {
			break
		}
		end := start + int64(maxAge)
		if i+1 < len(s.samples) {
			end = min(end, nanos(s.samples[i+1].At))
		}
		end = min(end, t1)
		if end <= cur {
			continue
		}
		start = max(start, cur)
		segs = appendSeg(segs, cur, start, labelMissing)
		segs = appendSeg(segs, start, end, labelOfState[s.samples[i].State])
		cur = end
	}
	return appendSeg(segs, cur, t1, labelMissing)
}

// edge opens (+1) or closes (-1) a claim of lab at an instant.
type edge struct {
	at    int64
	lab   label
	delta int
}

func (s Series) outageSegments(t0, t1 int64) []seg {
	clip := func(x int64) int64 { return min(max(x, t0), t1) }
	edges := make([]edge, 0, 2*len(s.outages)+2*len(s.covered))
	for _, w := range s.covered {
		edges = append(edges, edge{clip(nanos(w.Start)), labelUp, +1}, edge{clip(nanos(w.End)), labelUp, -1})
	}
	for _, o := range s.outages {
		lab := labelOfState[o.State]
		edges = append(edges, edge{clip(nanos(o.Start)), lab, +1}, edge{clip(nanos(o.End)), lab, -1})
	}
	slices.SortFunc(edges, func(a, b edge) int { return cmp.Compare(a.at, b.at) })

	var segs []seg
	var open [numLabels]int
	cur := t0
	for i := 0; i < len(edges); {
		at := edges[i].at
		segs = appendSeg(segs, cur, at, worst(open))
		cur = at
		for ; i < len(edges) && edges[i].at == at; i++ {
			open[edges[i].lab] += edges[i].delta
		}
	}
	return appendSeg(segs, cur, t1, worst(open))
}

// worst picks the label of an instant claimed by the open outages and coverage.
func worst(open [numLabels]int) label {
	switch {
	case open[labelDown] > 0:
		return labelDown
	case open[labelDegraded] > 0:
		return labelDegraded
	case open[labelUp] > 0:
		return labelUp
	}
	return labelMissing
}

// mergeSpans sorts spans and joins the overlapping or touching ones.
func mergeSpans(spans []span) []span {
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	out := spans[:0]
	for _, s := range spans {
		if s.start >= s.end {
			continue
		}
		if n := len(out); n > 0 && s.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, s.end)
			continue
		}
		out = append(out, s)
	}
	return out
}
