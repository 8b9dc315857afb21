package web

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"
	"testing"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo"
)

// svgNode is an element of a rendered chart, read back with encoding/xml.
type svgNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []svgNode  `xml:",any"`
}

func (n svgNode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (n svgNode) num(t *testing.T, name string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(n.attr(name), 64)
	if err != nil {
		t.Fatalf("<%s %s=%q>: %v", n.XMLName.Local, name, n.attr(name), err)
	}
	return v
}

func (n svgNode) all(name string) []svgNode {
	var out []svgNode
	for _, c := range n.Children {
		if c.XMLName.Local == name {
			out = append(out, c)
		}
		out = append(out, c.all(name)...)
	}
	return out
}

func (n svgNode) title() string {
	for _, c := range n.Children {
		if c.XMLName.Local == "title" {
			return c.Text
		}
	}
	return ""
}

// renderChart writes c through the page's chart template and parses the SVG back.
func renderChart(t *testing.T, c *chart) svgNode {
	t.Helper()
	var buf bytes.Buffer
	if err := objectivePage.ExecuteTemplate(&buf, "chart", c); err != nil {
		t.Fatal(err)
	}
	var root svgNode
	if err := xml.Unmarshal(buf.Bytes(), &root); err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	return root
}

// TestTrendChartNoDataSVG renders trends with periods without data and reads the SVG back: a
// period without data has no circle and no line segment reaches or crosses it, a hatched band
// titled "no data" covers it instead, each period with data has its circle, and the target's
// label box touches no circle.
func TestTrendChartNoDataSVG(t *testing.T) {
	d := func(label string, a float64) collector.FrozenPeriod {
		return collector.FrozenPeriod{Label: label, Attainment: a, HasData: true}
	}
	none := func(label string) collector.FrozenPeriod { return collector.FrozenPeriod{Label: label} }
	for _, tc := range []struct {
		name      string
		history   []collector.FrozenPeriod
		wantLines int
	}{
		{"gap in the middle", []collector.FrozenPeriod{d("01", 0.97), d("02", 0.96), none("03"), d("04", 0.99), d("05", 0.98)}, 2},
		{"gap at the end", []collector.FrozenPeriod{d("01", 0.97), d("02", 0.99), none("03")}, 1},
		{"gap at the start", []collector.FrozenPeriod{none("01"), d("02", 0.97), d("03", 0.99)}, 1},
		{"lone point between gaps", []collector.FrozenPeriod{none("01"), d("02", 0.97), none("03")}, 0},
		{"two gaps in a row", []collector.FrozenPeriod{d("01", 0.97), none("02"), none("03"), d("04", 0.99)}, 0},
		{"only gaps", []collector.FrozenPeriod{none("01"), none("02")}, 0},
		{"last point on the target", []collector.FrozenPeriod{d("01", 0.99), d("02", 0.97), d("03", 0.95)}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := &collector.ObjectiveResult{Result: slo.Result{Target: 0.95}, History: tc.history}
			c := trendChart(o)
			svg := renderChart(t, c)
			xOf := map[string]float64{}
			for _, tick := range c.XTicks {
				xOf[tick.Label] = tick.Pos
			}
			circles := svg.all("circle")
			lines := svg.all("polyline")
			if len(lines) != tc.wantLines {
				t.Errorf("%d polylines, want %d", len(lines), tc.wantLines)
			}
			wantCircles := 0
			for _, h := range tc.history {
				x := xOf[h.Label]
				if h.HasData {
					wantCircles++
					continue
				}
				for _, ci := range circles {
					if ci.num(t, "cx") == x {
						t.Errorf("%s has no data but a circle: %q", h.Label, ci.title())
					}
				}
				for _, l := range lines {
					var xs []float64
					for _, p := range strings.Fields(l.attr("points")) {
						v, err := strconv.ParseFloat(strings.SplitN(p, ",", 2)[0], 64)
						if err != nil {
							t.Fatal(err)
						}
						xs = append(xs, v)
					}
					for i := 1; i < len(xs); i++ {
						if xs[i-1] <= x && x <= xs[i] {
							t.Errorf("%s has no data but a line runs %v to %v through it", h.Label, xs[i-1], xs[i])
						}
					}
				}
				found := false
				for _, r := range svg.all("rect") {
					if r.title() == h.Label+": no data" && r.num(t, "x") < x && x < r.num(t, "x")+r.num(t, "width") {
						found = true
					}
				}
				if !found {
					t.Errorf("%s has no data and no band titled %q over x %v", h.Label, h.Label+": no data", x)
				}
			}
			if len(circles) != wantCircles {
				t.Errorf("%d circles, want %d", len(circles), wantCircles)
			}
			// The label's box, estimated as targetLabel does, touches no circle of radius 4.
			var label svgNode
			for _, tx := range svg.all("text") {
				if strings.HasPrefix(tx.Text, "target ") {
					label = tx
				}
			}
			w := 8.3 * float64(len(label.Text))
			left, base := label.num(t, "x"), label.num(t, "y")
			if label.attr("text-anchor") == "end" {
				left -= w
			}
			for _, ci := range circles {
				cx, cy := ci.num(t, "cx"), ci.num(t, "cy")
				if cx+4 >= left && cx-4 <= left+w && cy+4 >= base-15 && cy-4 <= base+4 {
					t.Errorf("the target label at %v,%v covers the circle at %v,%v", left, base, cx, cy)
				}
			}
		})
	}
}
