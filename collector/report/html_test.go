package report

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// renderPage renders a report as HTML and parses it back.
func renderPage(t *testing.T, rep *Report) (*html.Node, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(context.Background(), &buf, rep, HTML); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return doc, buf.String()
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

var digit = regexp.MustCompile(`[0-9]`)

// TestHTMLFiguresAreTheModel holds the HTML to one source of truth: every figure element
// (data-fig) shows the model's value at its path, looked up here in the model's own JSON, and no
// digit appears in the page's text outside a figure: the page cannot show a number the model
// does not hold. The page's title and print headers are the model's title and period.
func TestHTMLFiguresAreTheModel(t *testing.T) {
	for _, req := range []Request{{}, {Period: "2026-Q4"}, {Filter: Filter{Supplier: "hostco"}}, {Period: "2026-12"}} {
		t.Run(req.Period+filterText(req.Filter), func(t *testing.T) {
			rep := mustDemoReport(t, req)
			doc, page := renderPage(t, rep)
			raw, err := json.Marshal(rep)
			if err != nil {
				t.Fatal(err)
			}
			var tree any
			if err := json.Unmarshal(raw, &tree); err != nil {
				t.Fatal(err)
			}
			loc, err := time.LoadLocation(rep.Timezone)
			if err != nil {
				t.Fatal(err)
			}
			figs := map[string]bool{}
			var walk func(n *html.Node, inFig bool)
			walk = func(n *html.Node, inFig bool) {
				if n.Type == html.ElementNode {
					switch n.DataAtom {
					case atom.Style:
						return
					case atom.Title:
						if n.Namespace == "svg" {
							break // a chart's own title, checked as text like any other
						}
						if got := textOf(n); got != rep.Title {
							t.Errorf("<title> %q, want the model's %q", got, rep.Title)
						}
						return
					}
					if path, ok := attr(n, "data-fig"); ok {
						inFig = true
						figs[path] = true
						unit, _ := attr(n, "data-unit")
						v, ok := lookup(tree, path)
						if !ok {
							t.Errorf("figure %q is not in the model", path)
							return
						}
						var ref any
						if r, ok := attr(n, "data-ref"); ok {
							ref, _ = lookup(tree, r)
						}
						want, err := figText(unit, v, ref, loc)
						if err != nil {
							t.Errorf("figure %q: %v", path, err)
						}
						if got := textOf(n); got != want {
							t.Errorf("figure %q shows %q, the model's value %v reads %q", path, got, v, want)
						}
					}
				}
				if n.Type == html.TextNode && !inFig && digit.MatchString(n.Data) {
					t.Errorf("text %q holds a number that is not a figure of the model", strings.TrimSpace(n.Data))
				}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c, inFig)
				}
			}
			walk(doc, false)

			// The figures a manager looks for first are all there.
			for _, path := range []string{"summary.kept", "summary.missed", "summary.sentences[0].text", "period.start", "period.end",
				"services[0].objectives[0].attainment", "services[0].objectives[0].error_budget_used"} {
				if !figs[path] {
					t.Errorf("no figure %q on the page", path)
				}
			}
			if len(rep.Suppliers) > 0 && len(rep.Suppliers[0].Periods) > 0 && !figs["suppliers[0].periods[0].credit_amount"] {
				t.Error("the supplier's credit is not on the page")
			}
			if n := len(figs); n < 40 {
				t.Errorf("%d figures: the page shows less than the model", n)
			}
			// The print headers repeat the title, the period and the zone on every page.
			for _, want := range []string{`@top-left{content:"` + cssString(rep.Title) + `"}`,
				`@top-right{content:"` + cssString(rep.Period.Name+" · "+rep.Timezone) + `"}`} {
				if !strings.Contains(page, want) {
					t.Errorf("the print styles lack %s", want)
				}
			}
		})
	}
}

// cssString escapes text as html/template does in a CSS string.
func cssString(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '/' || r == ':' || r == '"' || r == '\\' || r == '<' || r == '>' || r == '&' || r == '(' || r == ')' || r == '+' || r == ';' || r == '{' || r == '}' || r == '\'':
			b.WriteString(`\` + strconv.FormatInt(int64(r), 16))
			if r == ':' || r == '(' || r == ')' || r == '+' || r == ';' {
				b.WriteByte(' ')
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestHTMLSelfContained: one file that loads nothing and runs nothing, so it reads offline, in a
// mail client, and prints the same everywhere.
func TestHTMLSelfContained(t *testing.T) {
	doc, page := renderPage(t, mustDemoReport(t, Request{}))
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Script, atom.Link, atom.Iframe, atom.Img, atom.Object, atom.Embed:
				t.Errorf("<%s> in a self-contained page", n.Data)
			}
			for _, a := range n.Attr {
				if a.Key == "src" || strings.HasPrefix(a.Key, "on") {
					t.Errorf("<%s %s=%q>", n.Data, a.Key, a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	for _, bad := range []string{"url(", "@import", "@font-face", "http://", "https://"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q", bad)
		}
	}
	for _, want := range []string{"@page{size:A4", "section.page{break-before:page}", "@bottom-right{content:counter(page)", "<svg viewBox="} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// TestHTMLEscapes: names from the configuration and ticket ids from an ITSM tool are text, never
// markup, wherever they appear (figures, attributes, the print headers' CSS strings), and a
// ticket link that is not http(s) is neutralized.
func TestHTMLEscapes(t *testing.T) {
	rep := mustDemoReport(t, Request{})
	evil := `</style><script>alert(1)</script>"'`
	rep.Title = evil
	rep.Services[0].Name = evil
	rep.Services[0].Objectives[0].Name = evil
	rep.Services[0].Objectives[0].Costliest[0].Ticket = evil
	rep.Services[0].Objectives[0].Costliest[0].TicketURL = "javascript:alert(1)"
	rep.Summary.Sentences[0].Text = evil
	doc, page := renderPage(t, rep)
	if strings.Contains(page, "<script>") || strings.Contains(page, "javascript:alert") {
		t.Error("markup from the model reached the page unescaped")
	}
	var scripts int
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom == atom.Script {
			scripts++
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if scripts > 0 {
		t.Errorf("%d script elements", scripts)
	}
	if !strings.Contains(page, "&lt;/style&gt;&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the escaped name is not on the page")
	}
}
