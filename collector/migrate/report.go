package migrate

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Mapping says how faithfully a construct of a spec carries over.
type Mapping string

// The three verdicts of the report.
const (
	// Exact: the configuration computes what the tool computes.
	Exact Mapping = "exact"
	// Approximate: imported, but the figure may differ; the note says how.
	Approximate Mapping = "approximate"
	// None: sla_exporter has no equivalent; nothing of it is in the configuration.
	None Mapping = "none"
)

// Note is one line of the report: a construct at a place in a spec and how it mapped.
type Note struct {
	File      string
	Line      int
	Mapping   Mapping
	Construct string
	Detail    string
}

func (n Note) String() string {
	s := fmt.Sprintf("%s:%d: %s", n.File, n.Line, n.Construct)
	if n.Detail != "" {
		s += ": " + n.Detail
	}
	return s
}

// Report lists every construct of the imported specs with its mapping.
type Report struct {
	Notes []Note
}

func (r *Report) add(file string, line int, m Mapping, construct, detail string) {
	r.Notes = append(r.Notes, Note{File: file, Line: line, Mapping: m, Construct: construct, Detail: detail})
}

// Count returns how many notes have mapping m.
func (r *Report) Count(m Mapping) int {
	n := 0
	for _, x := range r.Notes {
		if x.Mapping == m {
			n++
		}
	}
	return n
}

// Write prints the report grouped by mapping, each group in file and line order.
func (r *Report) Write(w io.Writer) error {
	var b strings.Builder
	for _, g := range []struct {
		m     Mapping
		title string
	}{{Exact, "Mapped exactly"}, {Approximate, "Mapped approximately (the figures may differ)"}, {None, "No equivalent (not in the configuration)"}} {
		var notes []Note
		for _, n := range r.Notes {
			if n.Mapping == g.m {
				notes = append(notes, n)
			}
		}
		slices.SortStableFunc(notes, func(a, b Note) int {
			return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
		})
		fmt.Fprintf(&b, "%s: %d\n", g.title, len(notes))
		for _, n := range notes {
			fmt.Fprintf(&b, "  %s\n", n)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
