package report

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/display"
)

// The HTML report is one file: its CSS and charts are inline, it loads nothing, and it needs no
// script. Every figure in it is written by Fig from a path into the model, so the page cannot
// show a number the model does not hold; TestHTMLFiguresAreTheModel reads them all back.

//go:embed report.html.tmpl
var htmlSource string

//go:embed report.css
var cssSource string

var htmlTemplate = template.Must(template.New("report").Parse(htmlSource))

// page is what the template reads: the report, and the model as a tree of JSON values that
// figures are looked up in.
type page struct {
	*Report
	CSS  template.CSS
	tree any
	loc  *time.Location
}

func renderHTML(_ context.Context, w io.Writer, rep *Report) error {
	p, err := newPage(rep)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, p); err != nil {
		return fmt.Errorf("report: HTML: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

func newPage(rep *Report) (*page, error) {
	raw, err := json.Marshal(rep)
	if err != nil {
		return nil, err
	}
	var tree any
	if err := json.Unmarshal(raw, &tree); err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(rep.Timezone)
	if err != nil {
		return nil, fmt.Errorf("report: timezone %q: %w", rep.Timezone, err)
	}
	return &page{Report: rep, CSS: template.CSS(cssSource), tree: tree, loc: loc}, nil
}

// Fig is one figure of the page: the model's value at Path (JSON field names, "services[0].
// objectives[1].attainment"), written as Unit says (see figText), against the value at Ref for
// units that need one.
type Fig struct {
	Path, Unit, Ref string
	Text            string
}

// Fig looks a figure up in the model; a path that names nothing fails the rendering.
func (p *page) Fig(path, unit string, ref ...string) (Fig, error) {
	v, ok := lookup(p.tree, path)
	if !ok {
		return Fig{}, fmt.Errorf("figure %q: not in the model", path)
	}
	f := Fig{Path: path, Unit: unit}
	var r any
	if len(ref) > 0 {
		f.Ref = ref[0]
		if r, ok = lookup(p.tree, f.Ref); !ok {
			return Fig{}, fmt.Errorf("figure %q: reference %q not in the model", path, f.Ref)
		}
	}
	text, err := figText(unit, v, r, p.loc)
	if err != nil {
		return Fig{}, fmt.Errorf("figure %q: %w", path, err)
	}
	f.Text = text
	return f, nil
}

// contractView is a contract and its path in the model, for the template shared by customer and
// supplier contracts.
type contractView struct {
	P    *page
	Path string
	C    Contract
}

// ContractAt is the i-th contract of a list ("customer_contracts" or "suppliers").
func (p *page) ContractAt(list string, i int) (contractView, error) {
	cs := p.CustomerContracts
	if list == "suppliers" {
		cs = p.Suppliers
	}
	if i < 0 || i >= len(cs) {
		return contractView{}, fmt.Errorf("contract %s[%d]: not in the model", list, i)
	}
	return contractView{P: p, Path: fmt.Sprintf("%s[%d]", list, i), C: cs[i]}, nil
}

// QtyUnit is the figure unit of a KPI's or objective's unit.
func (p *page) QtyUnit(unit string) string {
	switch unit {
	case display.UnitSeconds:
		return "duration"
	case display.UnitRatio:
		return "pct"
	}
	return "count"
}

// words are the model's enumerations as people read them.
var words = map[string]string{
	verdictKept: "kept", verdictMissed: "missed", verdictNoData: "no data",
	basisFrozen: "frozen at the period's end", basisRecomputed: "recomputed from the records held",
	"credit_due": "credit due", "ok": "no credit", "unknown": "unknown",
	"green": "green", "amber": "amber", "red": "red",
}

// Words writes an enumeration value (a verdict, a status) for people.
func (p *page) Words(v string) string {
	if w, ok := words[v]; ok {
		return w
	}
	return strings.ReplaceAll(v, "_", " ")
}

// absent is how the page writes a figure the model does not have.
const absent = "—"

// figText writes a model value in a unit: pct (a ratio as a percentage), pctvs (the same with
// the precision that keeps its order against ref), duration (seconds), count, money (an amount,
// ref its currency), time (an RFC 3339 instant, shown in loc with its zone) and text (a string as
// is). A null value is absent.
func figText(unit string, v, ref any, loc *time.Location) (string, error) {
	if v == nil {
		return absent, nil
	}
	if unit == "text" || unit == "time" {
		s, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("%v is not text", v)
		}
		if unit == "text" {
			return s, nil
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return "", err
		}
		return display.Time(t, loc), nil
	}
	n, ok := v.(float64)
	if !ok {
		return "", fmt.Errorf("%v is not a number", v)
	}
	switch unit {
	case "pct":
		return display.Percent(n), nil
	case "pctvs":
		r, ok := ref.(float64)
		if !ok {
			return "", fmt.Errorf("reference %v is not a number", ref)
		}
		return display.PercentVs(n, r), nil
	case "duration":
		return display.Duration(n), nil
	case "count":
		return display.Count(n), nil
	case "money":
		c, _ := ref.(string)
		return display.Amount(n, c), nil
	}
	return "", fmt.Errorf("unknown unit %q", unit)
}

// lookup finds the value at a path of field names and [indexes] in a JSON tree.
func lookup(tree any, path string) (any, bool) {
	v := tree
	for _, part := range strings.Split(path, ".") {
		name, rest, _ := strings.Cut(part, "[")
		if name != "" {
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[name]; !ok {
				return nil, false
			}
		}
		for rest != "" {
			idx, after, ok := strings.Cut(rest, "]")
			if !ok {
				return nil, false
			}
			i, err := strconv.Atoi(idx)
			l, isList := v.([]any)
			if err != nil || !isList || i < 0 || i >= len(l) {
				return nil, false
			}
			v = l[i]
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return v, true
}
