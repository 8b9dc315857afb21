package rules

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

func TestScalarStyle(t *testing.T) {
	for in, want := range map[string]string{
		"SLABreached":                       "SLABreached",
		"sla_status{a=\"b\"} == 1":          `sla_status{a="b"} == 1`,
		"https://x/{{ $labels.objective }}": "https://x/{{ $labels.objective }}",
		"5m":                                "5m",
		"1h_5m":                             "1h_5m",
		"1h30m":                             "1h30m",
		"100ms":                             "100ms",
		"1e5":                               `"1e5"`,
		"1_000":                             `"1_000"`,
		"14.4":                              `"14.4"`,
		"y":                                 `"y"`,
		"On":                                `"On"`,
		"NULL":                              `"NULL"`,
		"a: b":                              `"a: b"`,
		"a #b":                              `"a #b"`,
		"a:":                                `"a:"`,
		"a ":                                `"a "`,
		"":                                  `""`,
		"{{ $value }} tickets":              `"{{ $value }} tickets"`,
		"café":                              `"café"`,
		"a\tb":                              `"a\tb"`,
		"\u2028":                            `"\u2028"`,
		"a\nb":                              "|-\n  a\n  b",
		"a\n\n  b":                          "|-\n  a\n\n    b",
		"a\n":                               `"a\n"`,
		" a\nb":                             `" a\nb"`,
		"a \nb":                             `"a \nb"`,
	} {
		if got := string(appendScalar(nil, in, 2, false)); got != want {
			t.Errorf("appendScalar(%q) = %s, want %s", in, got, want)
		}
		roundTrip(t, in)
	}
}

// roundTrip writes s as a key, a label value and an expression of a rule, reads the group back
// with yaml.v3 and wants s three times.
func roundTrip(t *testing.T, s string) {
	t.Helper()
	g := Group{Name: s, Rules: []Rule{{Alert: "A", Expr: s, For: s, Labels: map[string]string{s: s, "x": "y"}, Annotations: map[string]string{"summary": s}}}}
	b := append([]byte("groups:\n"), appendGroup(nil, &g, 2)...)
	var f RuleFile
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatalf("%q: %v\n%s", s, err, b)
	}
	if diff := cmp.Diff(RuleFile{Groups: []Group{g}}, f); diff != "" {
		t.Fatalf("%q does not survive the trip (-written +read):\n%s\n%s", s, diff, b)
	}
}

func FuzzScalar(f *testing.F) {
	for _, s := range []string{strings.Repeat("i", 1100) + "\u00a4", strings.Repeat("\x01", 200), "a", "1h_5m", "a: b", "a\nb", "y", "{{ $value }}", "é", "\x00", "- a", "? a", "|", "a\n  b\n", "#", "0x1F", "1:20", "2026-01-01", ".inf", "~", "!!str", "&a", "*a", "%a", "@a", "`a", "a\r\nb", "\ufeffa"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // configuration text is valid UTF-8: yaml.v3 refuses anything else
		}
		roundTrip(t, s)
	})
}
