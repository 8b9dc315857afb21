package delivery

import (
	"testing"
	"time"
)

func TestParseSubject(t *testing.T) {
	const fields = "(fields: .Report, .Period, .Start, .End, .Last, .Filter)"
	for _, tc := range []struct {
		text, err string
	}{
		{text: "Service report {{ .Perod }}", err: "{{ .Perod }} is not a field of the subject " + fields},
		{text: "{{ if .Filter }}{{ .Report }}{{ else }}{{ .Nope }}{{ end }}", err: "{{ .Nope }} is not a field of the subject " + fields},
		{text: "{{ with .Filter }}{{ $.Peroid }}{{ end }}", err: "{{ .Peroid }} is not a field of the subject " + fields},
		// Inside with, the dot is the filter's text: executing on the sample finds the mistake.
		{text: "{{ with .Filter }}{{ .Kind }}{{ end }}", err: `1:21: executing "subject" at <.Kind>: can't evaluate field Kind in type string`},
		{text: "{{ .Period ", err: "1: unclosed action"},
		{text: "{{ upper .Period }}", err: `1: function "upper" not defined`},
		{text: "{{ .Start.Frmat }}", err: `1:9: executing "subject" at <.Start.Frmat>: can't evaluate field Frmat in type time.Time`},
		{text: "Report\n{{ .Period }}", err: "the subject renders to more than one line"},
		{text: "{{ if false }}x{{ end }}", err: "the subject is empty"},
	} {
		_, err := ParseSubject(tc.text)
		if err == nil || err.Error() != tc.err {
			t.Errorf("ParseSubject(%q) error = %v, want %s", tc.text, err, tc.err)
		}
	}
}

func TestSubjectFields(t *testing.T) {
	loc := rome(t)
	req := Request{Report: "monthly-management", Period: "2026-12", Filter: Filter{Kind: FilterCustomer, Value: "acme"},
		Start: time.Date(2026, 12, 1, 0, 0, 0, 0, loc), End: time.Date(2027, 1, 1, 0, 0, 0, 0, loc)}
	for _, tc := range []struct {
		text, want string
	}{
		{DefaultSubject, "Service report 2026-12 (customer acme)"},
		{`{{ .Report }}: {{ .Start.Format "2 Jan" }} to {{ .Last.Format "2 Jan 2006" }}`, "monthly-management: 1 Dec to 31 Dec 2026"},
		{`{{ .End.Format "2006-01-02 15:04 MST" }}`, "2027-01-01 00:00 CET"},
	} {
		tmpl, err := ParseSubject(tc.text)
		if err != nil {
			t.Fatalf("ParseSubject(%q): %v", tc.text, err)
		}
		got, err := execute(tmpl, req)
		if err != nil || got != tc.want {
			t.Errorf("%q = %q, %v; want %q", tc.text, got, err, tc.want)
		}
	}
	// Without a filter the default subject has no parenthesis.
	tmpl, _ := ParseSubject(DefaultSubject)
	req.Filter = Filter{}
	if got, _ := execute(tmpl, req); got != "Service report 2026-12" {
		t.Errorf("default subject without a filter = %q", got)
	}
}
