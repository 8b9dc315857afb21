package delivery

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"text/template"
	"text/template/parse"
	"time"
)

// DefaultSubject is the subject of a delivery that configures none.
const DefaultSubject = "Service report {{ .Period }}{{ with .Filter }} ({{ . }}){{ end }}"

// Fields are what a subject template reads: {{ .Report }}, {{ .Period }}, {{ .Start.Format
// "2 January 2006" }} ...
type Fields struct {
	// Report is the delivery's name.
	Report string
	// Period is the period's label: "2026-11", "2026-Q4".
	Period string
	// Start is the period's first instant, End the first instant after it, and Last the
	// midnight starting its last day, all in the schedule's timezone.
	Start, End, Last time.Time
	// Filter is "service web-shop", or empty for the whole report.
	Filter string
}

// fieldNames are the fields of Fields, as a template writes them.
var fieldNames = func() []string {
	var names []string
	for f := range reflect.TypeFor[Fields]().Fields() {
		names = append(names, "."+f.Name)
	}
	return names
}()

// ParseSubject parses a subject template and checks that it names only the fields of Fields
// and renders to one line, so that a mistake is found when the configuration loads rather than
// on the day of the report.
func ParseSubject(text string) (*template.Template, error) {
	t, err := template.New("subject").Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, errors.New(strings.TrimPrefix(err.Error(), "template: subject:"))
	}
	if t.Tree != nil {
		if err := checkFields(t.Tree.Root, true); err != nil {
			return nil, err
		}
	}
	sample := Request{Report: "monthly", Period: "2026-11", Filter: Filter{Kind: FilterService, Value: "web-shop"},
		Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	out, err := execute(t, sample)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(out) == "" {
		return nil, errors.New("the subject is empty")
	}
	return t, nil
}

// checkFields walks a template's tree for fields Fields does not have. Inside with and range
// the dot is something else, so only $-rooted fields are checked there; executing the template
// on a sample catches the rest.
func checkFields(n parse.Node, rootDot bool) error {
	var check func(n parse.Node, rootDot bool) error
	check = func(n parse.Node, rootDot bool) error {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return nil
			}
			for _, c := range n.Nodes {
				if err := check(c, rootDot); err != nil {
					return err
				}
			}
		case *parse.ActionNode:
			return check(n.Pipe, rootDot)
		case *parse.PipeNode:
			if n == nil {
				return nil
			}
			for _, c := range n.Cmds {
				if err := check(c, rootDot); err != nil {
					return err
				}
			}
		case *parse.CommandNode:
			for _, a := range n.Args {
				if err := check(a, rootDot); err != nil {
					return err
				}
			}
		case *parse.ChainNode:
			return check(n.Node, rootDot)
		case *parse.FieldNode:
			if rootDot {
				return knownField(n.Ident[0])
			}
		case *parse.VariableNode:
			if n.Ident[0] == "$" && len(n.Ident) > 1 {
				return knownField(n.Ident[1])
			}
		case *parse.IfNode:
			return checkBranch(&n.BranchNode, rootDot, rootDot, check)
		case *parse.WithNode:
			return checkBranch(&n.BranchNode, rootDot, false, check)
		case *parse.RangeNode:
			return checkBranch(&n.BranchNode, rootDot, false, check)
		}
		return nil
	}
	return check(n, rootDot)
}

func checkBranch(b *parse.BranchNode, rootDot, inner bool, check func(parse.Node, bool) error) error {
	if err := check(b.Pipe, rootDot); err != nil {
		return err
	}
	if err := check(b.List, inner); err != nil {
		return err
	}
	// The else branch of with and range runs with the dot unchanged.
	return check(b.ElseList, rootDot)
}

func knownField(name string) error {
	if slices.Contains(fieldNames, "."+name) {
		return nil
	}
	return fmt.Errorf("{{ .%s }} is not a field of the subject (fields: %s)", name, strings.Join(fieldNames, ", "))
}

// execute renders a subject for a request, on one line.
func execute(t *template.Template, req Request) (string, error) {
	f := Fields{Report: req.Report, Period: req.Period, Start: req.Start, End: req.End, Filter: req.Filter.String()}
	if !req.End.IsZero() {
		y, m, d := req.End.AddDate(0, 0, -1).Date()
		f.Last = time.Date(y, m, d, 0, 0, 0, 0, req.End.Location())
	}
	var b bytes.Buffer
	if err := t.Execute(&b, f); err != nil {
		return "", errors.New(strings.TrimPrefix(err.Error(), "template: subject:"))
	}
	if strings.ContainsAny(b.String(), "\r\n") {
		return "", errors.New("the subject renders to more than one line")
	}
	return b.String(), nil
}
