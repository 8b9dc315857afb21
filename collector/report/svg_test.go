package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
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

func (n svgNode) text() string {
	s := n.Text
	for _, c := range n.Children {
		s += c.text()
	}
	return s
}

// TestTrendChartNoData renders trends with periods without data (a null attainment) through the
// report's "line" template and reads the SVG back: such a period has no circle, no line segment
// reaches or crosses it, a band titled "no data" covers it, and the target's label box touches no
// circle. Periods spread over x 6 to 354: with n of them, period i is at 6 + i × 348 / (n - 1).
func TestTrendChartNoData(t *testing.T) {
	for _, tc := range []struct {
		name      string
		trend     []any // attainments; nil is a period without data
		wantLines int
	}{
		{"gap in the middle", []any{0.97, 0.96, nil, 0.99, 0.98}, 2},
		{"gap at the end", []any{0.97, 0.99, nil}, 1},
		{"gap at the start", []any{nil, 0.97, 0.99}, 1},
		{"lone point between gaps", []any{nil, 0.97, nil}, 1},
		{"last point on the target", []any{0.99, 0.97, 0.95}, 1},
		{"first point on the target", []any{0.95, 0.97, 0.99}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var pts []map[string]any
			for i, a := range tc.trend {
				verdict := "kept"
				if a == nil {
					verdict = "no_data"
				}
				pts = append(pts, map[string]any{"label": fmt.Sprintf("2026-%02d", i+1), "attainment": a, "verdict": verdict})
			}
			raw, err := json.Marshal(map[string]any{"o": map[string]any{"target": 0.95, "trend": pts}})
			if err != nil {
				t.Fatal(err)
			}
			p := &page{loc: time.UTC}
			if err := json.Unmarshal(raw, &p.tree); err != nil {
				t.Fatal(err)
			}
			c, err := p.TrendChart("o.trend", "o.target")
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := htmlTemplate.ExecuteTemplate(&buf, "line", c); err != nil {
				t.Fatal(err)
			}
			var svg svgNode
			if err := xml.Unmarshal(buf.Bytes(), &svg); err != nil {
				t.Fatalf("%v\n%s", err, buf.String())
			}
			circles, lines := svg.all("circle"), svg.all("polyline")
			if len(lines) != tc.wantLines {
				t.Errorf("%d polylines, want %d", len(lines), tc.wantLines)
			}
			wantCircles := 0
			for i, a := range tc.trend {
				x := math.Round((6+float64(i)*348/float64(len(tc.trend)-1))*10) / 10
				if a != nil {
					wantCircles++
					continue
				}
				for _, ci := range circles {
					if ci.num(t, "cx") == x {
						t.Errorf("period %d has no data but a circle at %v", i, x)
					}
				}
				for _, l := range lines {
					var xs []float64
					for _, pt := range strings.Fields(l.attr("points")) {
						v, err := strconv.ParseFloat(strings.SplitN(pt, ",", 2)[0], 64)
						if err != nil {
							t.Fatal(err)
						}
						xs = append(xs, v)
					}
					for k := 1; k < len(xs); k++ {
						if xs[k-1] <= x && x <= xs[k] {
							t.Errorf("period %d has no data but a line runs %v to %v through it", i, xs[k-1], xs[k])
						}
					}
				}
				found := false
				for _, r := range svg.all("rect") {
					title := r.all("title")
					if len(title) == 1 && title[0].Text == "no data" && r.num(t, "x") <= x && x <= r.num(t, "x")+r.num(t, "width") {
						found = true
					}
				}
				if !found {
					t.Errorf("period %d has no data and no band titled \"no data\" over x %v", i, x)
				}
			}
			if len(circles) != wantCircles {
				t.Errorf("%d circles, want %d", len(circles), wantCircles)
			}
			// The label ("target 95.00%", 13 characters at about 5 units each, 9 tall) touches no
			// circle of radius 2.5.
			var label svgNode
			for _, tx := range svg.all("text") {
				if strings.HasPrefix(tx.text(), "target ") {
					label = tx
				}
			}
			if got := label.text(); got != "target 95.00%" {
				t.Fatalf("target label %q", got)
			}
			w := 5.0 * 13
			left, base := label.num(t, "x"), label.num(t, "y")
			if label.attr("text-anchor") == "end" {
				left -= w
			}
			for _, ci := range circles {
				cx, cy := ci.num(t, "cx"), ci.num(t, "cy")
				if cx+2.5 >= left && cx-2.5 <= left+w && cy+2.5 >= base-9 && cy-2.5 <= base+2 {
					t.Errorf("the target label at %v,%v covers the circle at %v,%v", left, base, cx, cy)
				}
			}
		})
	}
}
