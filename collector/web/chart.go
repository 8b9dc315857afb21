package web

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/display"
	"github.com/sla-exporter/sla_exporter/collector/evaluation"
)

// The objective page's charts are inline SVG drawn here, so the page needs no script to show
// them and prints as it shows. Each chart has a title and a description for screen readers, and
// its figures are in a table beside it.

// chart is an SVG line chart laid out in viewBox units.
type chart struct {
	ID, Title, Desc string
	W, H            float64
	// The plot area; LabelX is where y labels end, AxisY the baseline of x labels.
	Left, Right, Top, Bottom float64
	LabelX, AxisY            float64
	YTicks, XTicks           []axisTick
	Target                   *targetLine
	Lines                    []polyline
	Dots                     []dot
	// Gaps are the periods without data, drawn as hatched bands rather than points so that
	// they cannot be read as very low figures.
	Gaps []gap
}

// gap is a hatched band across the plot, from X for W units, with its title for screen readers.
type gap struct {
	X, W  float64
	Title string
}

type axisTick struct {
	Pos    float64
	Label  string
	Anchor string
}

// targetLine is the target across the plot; its label sits at (LabelX, LabelY), anchored at
// Anchor, in a corner chosen clear of the points.
type targetLine struct {
	Pos, LabelX, LabelY float64
	Label, Anchor       string
}

type polyline struct {
	Class, Points string
}

type dot struct {
	X, Y         float64
	Class, Title string
}

// newChart lays out an empty chart of the page's size.
func newChart(id, title, desc string) *chart {
	c := &chart{ID: id, Title: title, Desc: desc, W: 640, H: 240, Left: 64, Right: 624, Top: 12, Bottom: 204}
	c.LabelX, c.AxisY = c.Left-8, c.Bottom+22
	return c
}

// scale maps v in [lo, hi] onto [a, b]; a degenerate range maps onto a.
func scale(v, lo, hi, a, b float64) float64 {
	if hi == lo {
		return a
	}
	return round1(a + (v-lo)/(hi-lo)*(b-a))
}

// round1 keeps one decimal: a tenth of a viewBox unit is below what a screen shows.
func round1(v float64) float64 { return math.Round(v*10) / 10 }

func (c *chart) y(v, lo, hi float64) float64 { return scale(v, lo, hi, c.Bottom, c.Top) }

func points(xs, ys []float64) string {
	var b strings.Builder
	for i := range xs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatFloat(xs[i], 'f', -1, 64) + "," + strconv.FormatFloat(ys[i], 'f', -1, 64))
	}
	return b.String()
}

// burnDownChart draws the share of the error budget left over the period: the replayed points,
// and for a calendar period the even spend that ends the period with nothing left. Below 0 the
// budget is overspent.
func burnDownChart(o *collector.ObjectiveResult, pts []evaluation.BudgetPoint, at time.Time) *chart {
	if len(pts) < 2 {
		return nil
	}
	from, to := pts[0].At, o.PeriodEnd
	calendar := to.After(at)
	if !calendar {
		to = pts[len(pts)-1].At
	}
	lo := 0.0
	for _, p := range pts {
		if !math.IsInf(p.RemainingRatio, 0) && !math.IsNaN(p.RemainingRatio) {
			lo = math.Min(lo, p.RemainingRatio)
		}
	}
	lo = math.Floor(lo*4) / 4 // a quarter of the budget per step below 0
	c := newChart("burndown", "Error budget left over "+o.PeriodLabel,
		"The share of the error budget left at each point of the period, from 100% at its start; below 0% it is overspent.")
	x := func(t time.Time) float64 {
		return scale(float64(t.Sub(from)), 0, float64(to.Sub(from)), c.Left, c.Right)
	}
	ticks := []float64{0, 0.5, 1}
	if lo < 0 {
		ticks = append([]float64{lo}, ticks...)
	}
	for _, v := range ticks {
		c.YTicks = append(c.YTicks, axisTick{Pos: c.y(v, lo, 1), Label: axisPercent(v)})
	}
	c.XTicks = []axisTick{
		{Pos: c.Left, Label: display.Day(from, at, o.Location), Anchor: "start"},
		{Pos: c.Right, Label: display.Day(to, at, o.Location), Anchor: "end"},
	}
	if calendar {
		c.Lines = append(c.Lines, polyline{Class: "ideal", Points: points([]float64{c.Left, c.Right}, []float64{c.y(1, lo, 1), c.y(0, lo, 1)})})
	}
	var xs, ys []float64
	for _, p := range pts {
		r := p.RemainingRatio
		if math.IsNaN(r) || math.IsInf(r, 0) {
			continue
		}
		xs, ys = append(xs, x(p.At)), append(ys, c.y(r, lo, 1))
	}
	c.Lines = append(c.Lines, polyline{Class: "actual", Points: points(xs, ys)})
	if n := len(xs); n > 0 {
		last := pts[len(pts)-1]
		c.Dots = append(c.Dots, dot{X: xs[n-1], Y: ys[n-1], Class: "dot",
			Title: "now: " + display.Percent(last.RemainingRatio) + " left"})
	}
	return c
}

// trendChart draws the attainment of the finished periods kept, against the target. A period
// without data has no point: the line breaks there and a hatched band marks it.
func trendChart(o *collector.ObjectiveResult) *chart {
	if len(o.History) == 0 {
		return nil
	}
	lo := o.Target
	for _, h := range o.History {
		if h.HasData {
			lo = math.Min(lo, h.Attainment)
		}
	}
	// Room under the lowest figure, a fifth of its distance to 100%, on a round step.
	ticks := niceTicks(math.Max(0, lo-(1-lo)/5))
	lo = ticks[0]
	c := newChart("trend", "Attainment of the last "+strconv.Itoa(len(o.History))+" finished periods",
		"Each finished period's final attainment against the "+display.Percent(o.Target)+" target; a hatched band is a period without data.")
	n := len(o.History)
	// slot is the width a period owns; a lone period gets the width of a wide band.
	slot := 64.0
	if n > 1 {
		slot = (c.Right - c.Left - 32) / float64(n-1)
	}
	x := func(i int) float64 {
		if n == 1 {
			return round1((c.Left + c.Right) / 2)
		}
		return scale(float64(i), 0, float64(n-1), c.Left+16, c.Right-16)
	}
	for _, v := range ticks {
		c.YTicks = append(c.YTicks, axisTick{Pos: c.y(v, lo, 1), Label: axisPercent(v)})
	}
	var xs, ys []float64
	flush := func() {
		// A lone point between gaps is its dot alone: a line needs two periods in a row.
		if len(xs) > 1 {
			c.Lines = append(c.Lines, polyline{Class: "actual", Points: points(xs, ys)})
		}
		xs, ys = nil, nil
	}
	for i, h := range o.History {
		// Label every period when they fit, else every other one and the last.
		if n <= 6 || i%2 == (n-1)%2 {
			c.XTicks = append(c.XTicks, axisTick{Pos: x(i), Label: h.Label, Anchor: "middle"})
		}
		if !h.HasData {
			flush()
			from, to := math.Max(c.Left, x(i)-slot/2), math.Min(c.Right, x(i)+slot/2)
			c.Gaps = append(c.Gaps, gap{X: round1(from), W: round1(to - from), Title: h.Label + ": no data"})
			continue
		}
		xs, ys = append(xs, x(i)), append(ys, c.y(h.Attainment, lo, 1))
		class, title := "dot", h.Label+": "+display.PercentVs(h.Attainment, o.Target)
		if h.Attainment < o.Target {
			class, title = "dot miss", title+", below target"
		}
		c.Dots = append(c.Dots, dot{X: xs[len(xs)-1], Y: ys[len(ys)-1], Class: class, Title: title})
	}
	flush()
	c.Target = c.targetLabel(c.y(o.Target, lo, 1), "target "+display.Percent(o.Target))
	return c
}

// targetLabel places the target's label in the first of the plot's corners along the line
// (left above, left below, right above, right below) whose box no point touches, so the label
// never hides a figure; when all are taken it goes left above, drawn under the points.
func (c *chart) targetLabel(pos float64, label string) *targetLine {
	// The label's box at the page's 15-unit font: about 8.3 units a character, 15 tall.
	const h, pad, r = 15.0, 6.0, 4.0
	w := 8.3 * float64(len([]rune(label)))
	type spot struct {
		x, baseline float64
		anchor      string
	}
	spots := []spot{
		{c.Left + pad, pos - 4, "start"}, {c.Left + pad, pos + h + 2, "start"},
		{c.Right - pad, pos - 4, "end"}, {c.Right - pad, pos + h + 2, "end"},
	}
	for _, s := range spots {
		left := s.x
		if s.anchor == "end" {
			left = s.x - w
		}
		if s.baseline+4 > c.Bottom || s.baseline-h < c.Top {
			continue
		}
		clear := true
		for _, d := range c.Dots {
			if d.X+r >= left && d.X-r <= left+w && d.Y+r >= s.baseline-h && d.Y-r <= s.baseline+4 {
				clear = false
				break
			}
		}
		if clear {
			return &targetLine{Pos: pos, LabelX: round1(s.x), LabelY: round1(s.baseline), Label: label, Anchor: s.anchor}
		}
	}
	return &targetLine{Pos: pos, LabelX: round1(spots[0].x), LabelY: round1(spots[0].baseline), Label: label, Anchor: "start"}
}

// tickSteps are the steps an attainment axis goes up in, finest first: 0.01% for 99.99%
// targets, up to 25%.
var tickSteps = []float64{0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25}

// niceTicks are the ticks of an axis from at most lo up to 100%: at most five, on the finest
// step that needs no more, the first at or under lo.
func niceTicks(lo float64) []float64 {
	step := tickSteps[len(tickSteps)-1]
	for _, s := range tickSteps {
		if (1-lo)/s <= 4 {
			step = s
			break
		}
	}
	n := int(math.Ceil((1-lo)/step - 1e-9))
	ticks := make([]float64, 0, n+1)
	for i := n; i >= 0; i-- {
		ticks = append(ticks, math.Max(0, 1-float64(i)*step))
	}
	return ticks
}

// axisPercent writes an axis label without trailing zeros: "100%", "99.5%", "-25%".
func axisPercent(v float64) string {
	return strconv.FormatFloat(math.Round(v*1e6)/1e4, 'f', -1, 64) + "%"
}

// PlotH is the plot area's height, for bands drawn across it.
func (c *chart) PlotH() float64 { return c.Bottom - c.Top }
