package delivery

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// plainText is the text alternative of an HTML report: its words, with a line break where a
// block ends and none of the styles or scripts, so that a client showing plain text (or a
// filter scoring the message) reads the same report.
func plainText(doc []byte) string {
	z := html.NewTokenizer(bytes.NewReader(doc))
	var out strings.Builder
	skip := 0 // depth inside style, script, svg and the like
	line := func() {
		if s := out.String(); s != "" && !strings.HasSuffix(s, "\n") {
			out.WriteByte('\n')
		}
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			// io.EOF at the end; anything else is a document too broken to read further.
			return tidy(out.String())
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch a {
			case atom.Style, atom.Script, atom.Svg, atom.Template, atom.Noscript:
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
				continue
			}
			if blocks[a] {
				line()
			}
			if (a == atom.Td || a == atom.Th) && tt == html.EndTagToken {
				out.WriteString("\t")
			}
		case html.TextToken:
			if skip > 0 {
				continue
			}
			text := strings.Join(strings.Fields(string(z.Text())), " ")
			if text == "" {
				continue
			}
			if s := out.String(); s != "" && !strings.HasSuffix(s, "\n") && !strings.HasSuffix(s, "\t") {
				out.WriteByte(' ')
			}
			out.WriteString(text)
		}
	}
}

// blocks are the elements that end a line of text.
var blocks = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Br: true, atom.Tr: true, atom.Li: true, atom.H1: true, atom.H2: true,
	atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true, atom.Table: true, atom.Section: true,
	atom.Header: true, atom.Footer: true, atom.Article: true, atom.Ul: true, atom.Ol: true, atom.Caption: true,
	atom.Figcaption: true, atom.Dt: true, atom.Dd: true, atom.Blockquote: true, atom.Pre: true, atom.Hr: true,
}

// tidy trims the lines and keeps at most one blank line between paragraphs.
func tidy(s string) string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" && (len(out) == 0 || out[len(out)-1] == "") {
			continue
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// summary is the text body of a report sent without HTML: what it is and what is attached.
func summary(req Request, atts []Attachment) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Service report %s", req.Period)
	if f := req.Filter.String(); f != "" {
		fmt.Fprintf(&b, " (%s)", f)
	}
	fmt.Fprintf(&b, ", %s to %s.\n\nAttached:\n", req.Start.Format("2 January 2006"), req.End.Add(-time.Nanosecond).Format("2 January 2006"))
	for _, a := range atts {
		fmt.Fprintf(&b, "- %s\n", a.Filename)
	}
	return b.String()
}
