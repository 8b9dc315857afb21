package web

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/evaluation"
	"github.com/sla-exporter/sla_exporter/slo"
)

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		lo   float64
		want []string
	}{
		{0.88, []string{"85%", "90%", "95%", "100%"}},           // a span of 12%: steps of 5%
		{0.9985, []string{"99.85%", "99.9%", "99.95%", "100%"}}, // 0.15%: steps of 0.05%
		{0.5, []string{"50%", "75%", "100%"}},                   // 50%: steps of 25%
		{0, []string{"0%", "25%", "50%", "75%", "100%"}},        // the widest: five ticks
	} {
		var got []string
		for _, v := range niceTicks(tc.lo) {
			got = append(got, axisPercent(v))
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("niceTicks(%v) (-want +got):\n%s", tc.lo, diff)
		}
	}
}

// The charts are laid out in a 640×240 viewBox with the plot from x 64 to 624 and y 204 (the
// bottom) to 12 (the top).
var chartOpts = cmpopts.IgnoreFields(chart{}, "ID", "Title", "Desc", "W", "H", "Left", "Right", "Top", "Bottom", "LabelX", "AxisY")

func TestTrendChart(t *testing.T) {
	o := &collector.ObjectiveResult{Result: slo.Result{Target: 0.95}, History: []collector.FrozenPeriod{
		{Label: "2026-09", Attainment: 0.96, HasData: true},
		{Label: "2026-10", Attainment: 0.90, HasData: true},
		{Label: "2026-11"},
	}}
	// The lowest figure is 90%; a fifth of its 10% to 100% under it is 88%, and the axis runs
	// from 85% in steps of 5%. y(v) = 204 - (v - 0.85) / 0.15 × 192: y(0.96) = 204 - 140.8 =
	// 63.2, y(0.90) = 204 - 64 = 140, the target y(0.95) = 204 - 128 = 76. Three periods spread
	// from x 80 to 608 (16 in from each side): 80, 344, 608.
	//
	// 2026-11 has no data: no dot, and a band over its slot of (560 - 32) / 2 = 264 units,
	// 608 - 132 = 476 to 608 + 132 cut at the plot's right 624: 148 wide.
	//
	// The target label is 13 characters, 8.3 × 13 = 107.9 wide, 15 tall. Left above the line
	// (x 70 to 177.9, baseline 72, so y 57 to 76) would cover 2026-09's dot at 80,63.2; left
	// below (baseline 76 + 15 + 2 = 93, y 78 to 97) is clear of both dots.
	want := &chart{
		YTicks: []axisTick{{Pos: 204, Label: "85%"}, {Pos: 140, Label: "90%"}, {Pos: 76, Label: "95%"}, {Pos: 12, Label: "100%"}},
		XTicks: []axisTick{{Pos: 80, Label: "2026-09", Anchor: "middle"}, {Pos: 344, Label: "2026-10", Anchor: "middle"}, {Pos: 608, Label: "2026-11", Anchor: "middle"}},
		Target: &targetLine{Pos: 76, LabelX: 70, LabelY: 93, Label: "target 95.00%", Anchor: "start"},
		Lines:  []polyline{{Class: "actual", Points: "80,63.2 344,140"}},
		Dots: []dot{
			{X: 80, Y: 63.2, Class: "dot", Title: "2026-09: 96.00%"},
			{X: 344, Y: 140, Class: "dot miss", Title: "2026-10: 90.00%, below target"},
		},
		Gaps: []gap{{X: 476, W: 148, Title: "2026-11: no data"}},
	}
	if diff := cmp.Diff(want, trendChart(o), chartOpts); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if trendChart(&collector.ObjectiveResult{}) != nil {
		t.Error("a chart without history")
	}
}

func TestBurnDownChart(t *testing.T) {
	start, end := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	at := start.AddDate(0, 0, 10)
	o := &collector.ObjectiveResult{Result: slo.Result{PeriodStart: start, PeriodEnd: end, PeriodLabel: "2026-12"}}
	pts := []evaluation.BudgetPoint{
		{At: start, RemainingRatio: 1},
		{At: start.AddDate(0, 0, 5), RemainingRatio: 0.9},
		{At: at, RemainingRatio: -0.3},
	}
	// Overspent to -30%: the axis reaches down to -50%, a quarter step. y(v) = 204 - (v + 0.5)
	// × 128: y(1) = 12, y(0.9) = 24.8, y(0.5) = 76, y(0) = 140, y(-0.3) = 178.4, y(-0.5) = 204.
	// x over the 30 days: day 5 is 64 + 560/6 = 157.3, day 10 is 64 + 560/3 = 250.7. The even
	// spend runs from 100% at the start to 0% at the end.
	want := &chart{
		YTicks: []axisTick{{Pos: 204, Label: "-50%"}, {Pos: 140, Label: "0%"}, {Pos: 76, Label: "50%"}, {Pos: 12, Label: "100%"}},
		XTicks: []axisTick{{Pos: 64, Label: "1 Dec 00:00 UTC", Anchor: "start"}, {Pos: 624, Label: "31 Dec 00:00 UTC", Anchor: "end"}},
		Lines:  []polyline{{Class: "ideal", Points: "64,12 624,140"}, {Class: "actual", Points: "64,12 157.3,24.8 250.7,178.4"}},
		Dots:   []dot{{X: 250.7, Y: 178.4, Class: "dot", Title: "now: -30.00% left"}},
	}
	if diff := cmp.Diff(want, burnDownChart(o, pts, at), chartOpts); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
