package e2e

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/slo/availability"
)

// checkerBase is the window start of the hand-checked cases: a whole minute, so slices of 5s
// start at +0s, +5s ... +25s.
var checkerBase = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func sec(x float64) time.Time { return checkerBase.Add(time.Duration(x * float64(time.Second))) }

// checkerScript is up, down from +7.5s, up from +14s, missing from +19s, up from +24.5s, over
// eight slices of 5s. Its state times per slice, by hand:
//
//	[0,5) up 5 | [5,10) up 2.5 down 2.5 | [10,15) down 4 up 1 | [15,20) up 4 missing 1 |
//	[20,25) missing 4.5 up 0.5 | [25,30), [30,35), [35,40) up 5
//
// Verdicts (good only fully up): excluded GBBGGGGG (the missing part leaves the rest judged,
// all up); good GBBGGGGG; bad GBBBBGGG. Covered: 40 - (24.5-19) = 34.5s.
func checkerScript() uptimeScript {
	return uptimeScript{Slice: 5 * time.Second, From: sec(0), To: sec(40), Initial: availability.Up, Edges: []uptimeEdge{
		{"down", sec(7.5), availability.Down}, {"up", sec(14), availability.Up},
		{"gap", sec(19), availability.Unknown}, {"back", sec(24.5), availability.Up},
	}}
}

func samplesAt(pairs ...any) []availability.Sample {
	var out []availability.Sample
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, availability.Sample{At: sec(pairs[i].(float64)), State: pairs[i+1].(availability.State)})
	}
	return out
}

const (
	up      = availability.Up
	down    = availability.Down
	unknown = availability.Unknown
)

// TestUptimeChecker_HandChecked runs the end-to-end test's checker on samples whose verdicts and
// errors are worked out by hand, so that the checker itself can be seen to pass what it should
// and refuse what it should.
func TestUptimeChecker_HandChecked(t *testing.T) {
	type summary struct {
		Edges    []time.Duration // error per edge; -1ns: not seen
		Verdicts []string        // got, per policy: excluded, good, bad
		Covered  []time.Duration
		Problems []string
	}
	for _, tc := range []struct {
		name    string
		samples []availability.Sample
		want    summary
	}{{
		// Each edge seen late as a 1s evaluation grid sees it: down at 9 (+1.5s), up at 15
		// (+1s), missing at 20 (+1s), up at 25 (+0.5s), the series closed by Unknown at 40.
		// Times: up 5 | up 4 down 1 | down 5 | up 5 | missing 5 | up 5 | up 5 | up 5.
		// excluded GBBGxGGG: slice +20s differs (the script says G: 0.5s up, the rest
		// excluded), within one slice of edge "back" (its slice). good: as the script. bad
		// GBBGBGGG: slice +15s differs (script B, 1s missing), edge "gap"'s slice.
		// Covered 35s: 0.5s more than the script, under 2 edges × 5s.
		name:    "late by up to a slice",
		samples: samplesAt(0.0, up, 9.0, down, 15.0, up, 20.0, unknown, 25.0, up, 40.0, unknown),
		want: summary{
			Edges:    []time.Duration{1500 * time.Millisecond, time.Second, time.Second, 500 * time.Millisecond},
			Verdicts: []string{"GBBGxGGG", "GBBGGGGG", "GBBGBGGG"},
			Covered:  []time.Duration{35 * time.Second, 35 * time.Second, 35 * time.Second},
		},
	}, {
		// The down edge seen 6.5s late (at 14): slice +10s holds up 4 down 1, so the edge is at
		// 10+4 = 14, more than a slice off; the verdicts still pass (slice +5s is G where the
		// script says B, within one slice of edge "down"): only the edge check catches it.
		name:    "an edge more than a slice late",
		samples: samplesAt(0.0, up, 14.0, down, 15.0, up, 20.0, unknown, 25.0, up, 40.0, unknown),
		want: summary{
			Edges:    []time.Duration{6500 * time.Millisecond, time.Second, time.Second, 500 * time.Millisecond},
			Verdicts: []string{"GGBGxGGG", "GGBGGGGG", "GGBGBGGG"},
			Covered:  []time.Duration{35 * time.Second, 35 * time.Second, 35 * time.Second},
			Problems: []string{`edge "down" at +7.5s (to down): seen at +14s, 6.5s off, more than one slice (5s)`},
		},
	}, {
		// A gap reported as up (a restart whose stopped time the source did not mark): the
		// "gap" edge is never seen, and so neither is "back"; covered 40s is 5.5s more than the
		// script, under the 10s of two edges, and the slices that differ (bad: +15s and +20s)
		// are each an edge's slice: only the edges catch it.
		name:    "gap shown as up",
		samples: samplesAt(0.0, up, 9.0, down, 15.0, up, 40.0, unknown),
		want: summary{
			Edges:    []time.Duration{1500 * time.Millisecond, time.Second, -1, -1},
			Verdicts: []string{"GBBGGGGG", "GBBGGGGG", "GBBGGGGG"},
			Covered:  []time.Duration{40 * time.Second, 40 * time.Second, 40 * time.Second},
			Problems: []string{`edge "gap" at +19s (to unknown): never seen`, `edge "back" at +24.5s (to up): never seen`},
		},
	}, {
		// As the first case, plus a down second at +36s: slice +35s is B where the script says
		// G, under every policy, three slices from the nearest edge ("back", slice +20s).
		name:    "down far from any edge",
		samples: samplesAt(0.0, up, 9.0, down, 15.0, up, 20.0, unknown, 25.0, up, 36.0, down, 37.0, up, 40.0, unknown),
		want: summary{
			Edges:    []time.Duration{1500 * time.Millisecond, time.Second, time.Second, 500 * time.Millisecond},
			Verdicts: []string{"GBBGxGGB", "GBBGGGGB", "GBBGBGGB"},
			Covered:  []time.Duration{35 * time.Second, 35 * time.Second, 35 * time.Second},
			Problems: []string{
				`excluded: slice +35s is B, the script says G, and no edge is within one slice of it`,
				`good: slice +35s is B, the script says G, and no edge is within one slice of it`,
				`bad: slice +35s is B, the script says G, and no edge is within one slice of it`,
			},
		},
	}, {
		// Data back at +31s, 6.5s after the script: times ... missing 5 | missing 5 | missing 1
		// up 4 | up 5; "back" is at 30+1 = 31. excluded GBBGxxGG: slices +20s and +25s differ,
		// both next to "back" (slice +20s), which can account for one only. good: as the
		// script. bad GBBGBBBG against GBBBBGGG: +15s ("gap"'s slice), +25s ("back", one slice
		// off) and +30s, two slices from "back". Covered 29s: 5.5s less than the script.
		name:    "data back two slices late",
		samples: samplesAt(0.0, up, 9.0, down, 15.0, up, 20.0, unknown, 31.0, up, 40.0, unknown),
		want: summary{
			Edges:    []time.Duration{1500 * time.Millisecond, time.Second, time.Second, 6500 * time.Millisecond},
			Verdicts: []string{"GBBGxxGG", "GBBGGGGG", "GBBGBBBG"},
			Covered:  []time.Duration{29 * time.Second, 29 * time.Second, 29 * time.Second},
			Problems: []string{
				`edge "back" at +24.5s (to up): seen at +31s, 6.5s off, more than one slice (5s)`,
				`excluded: slice +25s is x, the script says G: edge "back" is off by more than one slice`,
				`bad: slice +30s is B, the script says G, and no edge is within one slice of it`,
			},
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			s := checkerScript()
			res := s.check(tc.samples)
			var got summary
			for _, e := range res.Edges {
				if e.Seen.IsZero() {
					got.Edges = append(got.Edges, -1)
				} else {
					got.Edges = append(got.Edges, e.Error)
				}
			}
			for _, p := range res.Policies {
				if p.Want != map[availability.GapPolicy]string{availability.GapExcluded: "GBBGGGGG", availability.GapGood: "GBBGGGGG", availability.GapBad: "GBBBBGGG"}[p.Gaps] {
					t.Errorf("%s: the script's verdicts are %s", p.Gaps, p.Want)
				}
				if p.WantCovered != 34500*time.Millisecond {
					t.Errorf("%s: the script covers %s, want 34.5s", p.Gaps, p.WantCovered)
				}
				got.Verdicts = append(got.Verdicts, p.Got)
				got.Covered = append(got.Covered, p.GotCounts.Covered)
			}
			got.Problems = res.Problems
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
