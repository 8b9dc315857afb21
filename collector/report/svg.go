package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Charts are drawn here as geometry the template writes out as inline SVG: lines, dots and bars,
// with no number in their text. Their figures are the tables beside them and the labels, which
// are Figs like any other.

// Chart sizes, in SVG user units (the viewBox; the page scales them).
const (
	chartW, chartH = 360.0, 120.0
	sparkW, sparkH = 120.0, 28.0
	chartPad       = 6.0
)

// LineChart is a trend: the attainment of each period against the target.
type LineChart struct {
	W, H float64
	// Lines are polylines of consecutive periods with data ("x,y x,y").
	Lines []string
	Dots  []Dot
	// TargetY is where the target line runs; HasTarget is false when it lies off the chart.
	TargetY   float64
	HasTarget bool
	// Target, First and Last label the target line and the first and last periods.
	Target, First, Last Fig
	// TargetX and TargetLabelY place the target's label, anchored at TargetAnchor, in a corner
	// clear of the dots.
	TargetX, TargetLabelY float64
	TargetAnchor          string
	// NoData are the periods without data: neutral bands, not dots, so they cannot read as
	// very low figures. (The page is self-contained and holds no url(), so no hatch pattern.)
	NoData []Band
	Empty  bool
}

// Band is a stretch of the x axis, from X for W units.
type Band struct{ X, W float64 }

// Dot is a period's point, classed by its verdict.
type Dot struct {
	X, Y  float64
	Class string
}

// Bar is a rectangle of a bar chart.
type Bar struct {
	X, Y, W, H float64
	Class      string
}

// BarChart is a chart of bars with its first and last labels.
type BarChart struct {
	W, H        float64
	Bars        []Bar
	First, Last Fig
	Empty       bool
}

// TrendChart draws the trend at path (a list of points with attainment and verdict) against the
// target at targetPath. The scale runs from a little under the lowest of the attainments and the
// target up to 100%.
func (p *page) TrendChart(path, targetPath string) (LineChart, error) {
	c := LineChart{W: chartW, H: chartH}
	points, ok := lookup(p.tree, path)
	list, _ := points.([]any)
	target, _ := lookupNumber(p.tree, targetPath)
	if !ok || len(list) == 0 {
		return c, fmt.Errorf("trend %q: not in the model", path)
	}
	lo := target
	for _, pt := range list {
		if a, ok := lookupNumber(pt, "attainment"); ok {
			lo = math.Min(lo, a)
		}
	}
	lo -= (1 - lo) * 0.15
	if lo >= 1 {
		lo = 1 - 1e-6
	}
	y := func(v float64) float64 { return round1(chartPad + (1-v)/(1-lo)*(chartH-2*chartPad)) }
	x := func(i int) float64 {
		return round1(chartPad + float64(i)*(chartW-2*chartPad)/math.Max(1, float64(len(list)-1)))
	}
	var line []string
	flush := func() {
		if len(line) > 0 {
			c.Lines = append(c.Lines, strings.Join(line, " "))
			line = nil
		}
	}
	half := (chartW - 2*chartPad) / math.Max(1, float64(len(list)-1)) / 2
	for i, pt := range list {
		a, ok := lookupNumber(pt, "attainment")
		if !ok {
			flush()
			from, to := math.Max(0, x(i)-half), math.Min(chartW, x(i)+half)
			c.NoData = append(c.NoData, Band{X: round1(from), W: round1(to - from)})
			continue
		}
		verdict, _ := lookup(pt, "verdict")
		cls, _ := verdict.(string)
		c.Dots = append(c.Dots, Dot{X: x(i), Y: y(a), Class: cls})
		line = append(line, fmtXY(x(i), y(a)))
	}
	flush()
	c.Empty = len(c.Dots) == 0
	c.TargetY, c.HasTarget = y(target), true
	var err error
	if c.Target, err = p.Fig(targetPath, "pct"); err != nil {
		return c, err
	}
	c.placeTarget("target " + c.Target.Text)
	if c.First, err = p.Fig(path+"[0].label", "text"); err != nil {
		return c, err
	}
	c.Last, err = p.Fig(fmt.Sprintf("%s[%d].label", path, len(list)-1), "text")
	return c, err
}

// placeTarget puts the target's label in the first corner along the line (right above, left
// above, right below, left below) whose box no dot touches, so the label never hides a
// figure; when all are taken it stays right above.
func (c *LineChart) placeTarget(label string) {
	// The label's box at the chart's 9-unit font: about 5 units a character, 9 tall.
	const h, r = 9.0, 2.5
	w := 5 * float64(len([]rune(label)))
	type spot struct {
		x, baseline float64
		anchor      string
	}
	spots := []spot{
		{c.W, c.TargetY - 3, "end"}, {0, c.TargetY - 3, "start"},
		{c.W, c.TargetY + h + 1, "end"}, {0, c.TargetY + h + 1, "start"},
	}
	c.TargetX, c.TargetLabelY, c.TargetAnchor = spots[0].x, round1(spots[0].baseline), spots[0].anchor
	for _, s := range spots {
		left := s.x
		if s.anchor == "end" {
			left -= w
		}
		if s.baseline-h < 0 || s.baseline+2 > c.H {
			continue
		}
		clear := true
		for _, d := range c.Dots {
			if d.X+r >= left && d.X-r <= left+w && d.Y+r >= s.baseline-h && d.Y-r <= s.baseline+2 {
				clear = false
				break
			}
		}
		if clear {
			c.TargetX, c.TargetLabelY, c.TargetAnchor = s.x, round1(s.baseline), s.anchor
			return
		}
	}
}

// Sparkline draws a KPI's trend at path (values with label, value and status) as a small line
// scaled to its own range.
func (p *page) Sparkline(path string) (LineChart, error) {
	c := LineChart{W: sparkW, H: sparkH}
	points, _ := lookup(p.tree, path)
	list, _ := points.([]any)
	if len(list) == 0 {
		return c, fmt.Errorf("sparkline %q: not in the model", path)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, pt := range list {
		if v, ok := lookupNumber(pt, "value"); ok {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if hi == lo {
		lo, hi = lo-1, hi+1
	}
	var line []string
	for i, pt := range list {
		v, ok := lookupNumber(pt, "value")
		if !ok {
			if len(line) > 0 {
				c.Lines = append(c.Lines, strings.Join(line, " "))
			}
			line = nil
			continue
		}
		xi := round1(2 + float64(i)*(sparkW-4)/math.Max(1, float64(len(list)-1)))
		yi := round1(2 + (hi-v)/(hi-lo)*(sparkH-4))
		status, _ := lookup(pt, "status")
		cls, _ := status.(string)
		c.Dots = append(c.Dots, Dot{X: xi, Y: yi, Class: cls})
		line = append(line, fmtXY(xi, yi))
	}
	if len(line) > 0 {
		c.Lines = append(c.Lines, strings.Join(line, " "))
	}
	c.Empty = len(c.Dots) == 0
	return c, nil
}

// VolumeChart draws created and resolved tickets per period as pairs of bars.
func (p *page) VolumeChart(path string) (BarChart, error) {
	c := BarChart{W: chartW, H: chartH}
	points, _ := lookup(p.tree, path)
	list, _ := points.([]any)
	if len(list) == 0 {
		return c, fmt.Errorf("volumes %q: not in the model", path)
	}
	top := 0.0
	for _, pt := range list {
		a, _ := lookupNumber(pt, "created")
		b, _ := lookupNumber(pt, "resolved")
		top = math.Max(top, math.Max(a, b))
	}
	c.Empty = top == 0
	if c.Empty {
		top = 1
	}
	slot := (chartW - 2*chartPad) / float64(len(list))
	for i, pt := range list {
		for j, field := range []string{"created", "resolved"} {
			v, _ := lookupNumber(pt, field)
			h := round1(v / top * (chartH - 2*chartPad))
			c.Bars = append(c.Bars, Bar{X: round1(chartPad + float64(i)*slot + float64(j)*slot*0.4 + slot*0.1), Y: round1(chartH - chartPad - h),
				W: round1(slot * 0.38), H: h, Class: field})
		}
	}
	var err error
	if c.First, err = p.Fig(path+"[0].label", "text"); err != nil {
		return c, err
	}
	c.Last, err = p.Fig(fmt.Sprintf("%s[%d].label", path, len(list)-1), "text")
	return c, err
}

// AgeBars draws the backlog's age buckets at path as horizontal bars, one per bucket.
func (p *page) AgeBars(path string) (BarChart, error) {
	points, _ := lookup(p.tree, path)
	list, _ := points.([]any)
	c := BarChart{W: chartW, H: float64(len(list)) * 14}
	top := 0.0
	for _, pt := range list {
		v, _ := lookupNumber(pt, "count")
		top = math.Max(top, v)
	}
	c.Empty = top == 0
	for i, pt := range list {
		v, _ := lookupNumber(pt, "count")
		w := 0.0
		if top > 0 {
			w = round1(v / top * chartW)
		}
		c.Bars = append(c.Bars, Bar{X: 0, Y: float64(i) * 14, W: w, H: 10, Class: "age"})
	}
	return c, nil
}

func lookupNumber(tree any, path string) (float64, bool) {
	v, ok := lookup(tree, path)
	if !ok {
		return 0, false
	}
	n, ok := v.(float64)
	return n, ok
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

func fmtXY(x, y float64) string {
	return strconv.FormatFloat(x, 'f', -1, 64) + "," + strconv.FormatFloat(y, 'f', -1, 64)
}
