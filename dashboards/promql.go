package dashboards

import (
	"fmt"
	"slices"
	"strings"
)

// A small PromQL scanner: enough to tell metric names from functions, keywords and label names,
// and to list selectors with their matchers, without the weight of Prometheus' parser. It reads
// Grafana's variables ($job, ${datasource}) as tokens of their own.

type tokKind int

const (
	tIdent tokKind = iota
	tString
	tNumber
	tVar
	tPunct
)

type token struct {
	kind tokKind
	text string // a string token's text keeps its quotes
	pos  int
}

// twoCharOps are the operators of two characters; everything else is one character.
var twoCharOps = []string{"=~", "!~", "!=", "==", "<=", ">="}

func lex(s string) ([]token, error) {
	var toks []token
	isIdentStart := func(c byte) bool { return c == '_' || c == ':' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
	isIdent := func(c byte) bool { return isIdentStart(c) || '0' <= c && c <= '9' }
	for i := 0; i < len(s); {
		c := s[i]
		start := i
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case c == '"' || c == '\'' || c == '`':
			i++
			for i < len(s) && s[i] != c {
				if s[i] == '\\' && c != '`' {
					i++
				}
				i++
			}
			if i >= len(s) {
				return nil, fmt.Errorf("unterminated string at %d", start)
			}
			i++
			toks = append(toks, token{tString, s[start:i], start})
		case c == '$':
			i++
			if i < len(s) && s[i] == '{' {
				end := strings.IndexByte(s[i:], '}')
				if end < 0 {
					return nil, fmt.Errorf("unterminated ${ at %d", start)
				}
				i += end + 1
			} else {
				for i < len(s) && (isIdent(s[i]) && s[i] != ':') {
					i++
				}
			}
			toks = append(toks, token{tVar, s[start:i], start})
		case isIdentStart(c):
			for i < len(s) && isIdent(s[i]) {
				i++
			}
			toks = append(toks, token{tIdent, s[start:i], start})
		case '0' <= c && c <= '9' || c == '.' && i+1 < len(s) && '0' <= s[i+1] && s[i+1] <= '9':
			// Numbers and durations (5m, 1e3, 0.5).
			for i < len(s) && (isIdent(s[i]) && s[i] != ':' || s[i] == '.') {
				i++
			}
			toks = append(toks, token{tNumber, s[start:i], start})
		default:
			i++
			for _, op := range twoCharOps {
				if strings.HasPrefix(s[start:], op) {
					i = start + len(op)
					break
				}
			}
			toks = append(toks, token{tPunct, s[start:i], start})
		}
	}
	return toks, nil
}

// keywords are PromQL words that are neither metrics nor functions.
var keywords = []string{"and", "or", "unless", "bool", "offset", "atan2", "inf", "nan"}

// groupers take a list of label names in parentheses.
var groupers = []string{"by", "without", "on", "ignoring", "group_left", "group_right"}

// aggregators may be followed by "by (...)" before their parentheses.
var aggregators = []string{"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
	"bottomk", "topk", "quantile", "limitk", "limit_ratio"}

type matcher struct {
	label, op string
	value     string // the string literal, quotes included
}

type selector struct {
	metric   string
	matchers []matcher
}

type analysis struct {
	metrics   []string // sorted, no repeats
	labels    []string // label names in matchers and in by/on/... lists; sorted, no repeats
	selectors []selector
	ranges    []string // what stands between [ and ]
	// vars are the Grafana variables outside string literals ($__rate_interval in a range).
	vars []string
}

func analyze(expr string) (*analysis, error) {
	toks, err := lex(expr)
	if err != nil {
		return nil, err
	}
	a := &analysis{}
	addLabel := func(l string) {
		if !slices.Contains(a.labels, l) {
			a.labels = append(a.labels, l)
		}
	}
	depth := 0
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		next := func() *token {
			if i+1 < len(toks) {
				return &toks[i+1]
			}
			return nil
		}
		switch t.kind {
		case tVar:
			a.vars = append(a.vars, t.text)
		case tIdent:
			n := next()
			switch {
			case slices.Contains(keywords, t.text) || slices.Contains(aggregators, t.text):
			case slices.Contains(groupers, t.text):
				if n == nil || n.text != "(" {
					continue // group_left without labels
				}
				for i += 2; ; i++ {
					if i >= len(toks) {
						return nil, fmt.Errorf("unclosed label list after %s", t.text)
					}
					if toks[i].text == ")" {
						break
					}
					switch toks[i].kind {
					case tIdent:
						addLabel(toks[i].text)
					case tPunct:
						if toks[i].text != "," {
							return nil, fmt.Errorf("unexpected %q in label list after %s", toks[i].text, t.text)
						}
					default:
						return nil, fmt.Errorf("unexpected %q in label list after %s", toks[i].text, t.text)
					}
				}
			case n != nil && n.text == "(":
				// A function call.
			default:
				if !slices.Contains(a.metrics, t.text) {
					a.metrics = append(a.metrics, t.text)
				}
				sel := selector{metric: t.text}
				if n != nil && n.text == "{" {
					i++
					if sel.matchers, i, err = matchers(toks, i+1); err != nil {
						return nil, fmt.Errorf("selector of %s: %w", t.text, err)
					}
					for _, m := range sel.matchers {
						addLabel(m.label)
					}
				}
				a.selectors = append(a.selectors, sel)
			}
		case tPunct:
			switch t.text {
			case "(":
				depth++
			case ")":
				if depth--; depth < 0 {
					return nil, fmt.Errorf("unbalanced ) at %d", t.pos)
				}
			case "{":
				return nil, fmt.Errorf("selector without a metric name at %d", t.pos)
			case "}", "]":
				return nil, fmt.Errorf("unbalanced %s at %d", t.text, t.pos)
			case "[":
				end := slices.IndexFunc(toks[i:], func(t token) bool { return t.text == "]" })
				if end < 0 {
					return nil, fmt.Errorf("unclosed [ at %d", t.pos)
				}
				var parts []string
				for _, r := range toks[i+1 : i+end] {
					parts = append(parts, r.text)
					if r.kind == tVar {
						a.vars = append(a.vars, r.text)
					}
				}
				a.ranges = append(a.ranges, strings.Join(parts, ""))
				i += end
			}
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("%d unclosed (", depth)
	}
	slices.Sort(a.metrics)
	slices.Sort(a.labels)
	return a, nil
}

// matchers reads label matchers from toks[i:] up to the closing brace and returns them with the
// index of that brace.
func matchers(toks []token, i int) ([]matcher, int, error) {
	var ms []matcher
	for ; i < len(toks); i++ {
		if toks[i].text == "}" {
			return ms, i, nil
		}
		if i+2 >= len(toks) || toks[i].kind != tIdent || toks[i+2].kind != tString {
			return nil, i, fmt.Errorf("malformed matcher at %d", toks[i].pos)
		}
		op := toks[i+1].text
		if op != "=" && op != "!=" && op != "=~" && op != "!~" {
			return nil, i, fmt.Errorf("unknown matcher operator %q at %d", op, toks[i+1].pos)
		}
		ms = append(ms, matcher{label: toks[i].text, op: op, value: toks[i+2].text})
		i += 3
		if i < len(toks) && toks[i].text == "}" {
			return ms, i, nil
		}
		if i >= len(toks) || toks[i].text != "," {
			return nil, i, fmt.Errorf("expected , or } after a matcher")
		}
	}
	return nil, i, fmt.Errorf("unclosed {")
}
