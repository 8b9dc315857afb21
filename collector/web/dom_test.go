package web

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// The page tests read the pages as a browser does, through an HTML parser: a figure is the text
// of the element that carries it, found by its data-* attributes, not a substring that could
// match the wrong cell.

// parsePage parses a page after checking it is well-formed.
func parsePage(t *testing.T, body string) *html.Node {
	t.Helper()
	checkHTML(t, body)
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// findAll returns the elements under n, in document order, for which match holds.
func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// withAttr matches elements whose attribute key is val.
func withAttr(key, val string) func(*html.Node) bool {
	return func(n *html.Node) bool {
		v, ok := attr(n, key)
		return ok && v == val
	}
}

// hasAttr matches elements that have attribute key.
func hasAttr(key string) func(*html.Node) bool {
	return func(n *html.Node) bool {
		_, ok := attr(n, key)
		return ok
	}
}

func tag(name string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == name }
}

// blocks are the elements a browser sets on their own line: their text does not run into the
// text around them.
var blocks = map[string]bool{"li": true, "ul": true, "br": true, "p": true, "div": true, "dd": true, "dt": true, "tr": true, "td": true, "th": true}

// text is an element's text as read: runs of space collapsed, trimmed.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch {
		case n.Type == html.TextNode:
			b.WriteString(n.Data)
		case n.Type == html.ElementNode && blocks[n.Data]:
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// one returns the only element under n that matches, failing the test otherwise.
func one(t *testing.T, n *html.Node, what string, match func(*html.Node) bool) *html.Node {
	t.Helper()
	all := findAll(n, match)
	if len(all) != 1 {
		t.Fatalf("%d elements for %s, want 1", len(all), what)
	}
	return all[0]
}

// figure is the text of the element carrying data-figure=name under n.
func figureOf(t *testing.T, n *html.Node, name string) string {
	t.Helper()
	return text(one(t, n, "data-figure="+name, withAttr("data-figure", name)))
}

// hrefs lists the links under n.
func hrefs(n *html.Node) []string {
	var out []string
	for _, a := range findAll(n, tag("a")) {
		if h, ok := attr(a, "href"); ok {
			out = append(out, h)
		}
	}
	return out
}
