package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// withEscalation is base with the escalation key text added to its ticket objective.
func withEscalation(text string) string {
	return strings.Replace(base, "    target: 0.95", "    target: 0.95\n    escalation:"+text, 1)
}

func TestEscalationLoad(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []EscalationLevel
		shares     []float64
	}{
		{"default", " default", DefaultEscalation, []float64{0.5, 0.75, 0.9, 1}},
		{"listed, above 100% and as a ratio", `
      - {at: 0.6, severity: warning, labels: {notify: lead}}
      - {at: 100%, severity: critical}
      - {at: 150%, severity: page, labels: {notify: director, escalate_to: cto}}`,
			[]EscalationLevel{
				{At: 0.6, Severity: "warning", Labels: map[string]string{"notify": "lead"}},
				{At: 1, Severity: "critical"},
				{At: 1.5, Severity: "page", Labels: map[string]string{"notify": "director", "escalate_to": "cto"}},
			}, []float64{0.6, 1, 1.5}},
		// The float64 nearest 0.9, as if 0.9 had been written: a cycle at 12960 s of 14400 s
		// (exactly 0.9 when divided) reaches the level.
		{"percent exactly", `
      - {at: 90%, severity: critical}`, []EscalationLevel{{At: 0.9, Severity: "critical"}}, []float64{0.9}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Load([]byte(withEscalation(tc.text)), "test.yml", t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			o := cfg.Objectives[0]
			if diff := cmp.Diff(tc.want, o.Escalation); diff != "" {
				t.Errorf("levels (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.shares, o.Objective.Escalation); diff != "" {
				t.Errorf("engine shares (-want +got):\n%s", diff)
			}
		})
	}
	// Without the key: no levels.
	cfg, err := Load([]byte(base), "test.yml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if o := cfg.Objectives[0]; o.Escalation != nil || o.Objective.Escalation != nil {
		t.Errorf("levels %v without the key", o.Escalation)
	}
}

// TestEscalationErrors: each mistake is named with its file, line and field.
func TestEscalationErrors(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"not default", " defaults", `test.yml:20: objectives[0].escalation: escalation is default or a list of levels {at, severity, labels}, not "defaults"`},
		{"empty list", " []", "test.yml:20: objectives[0].escalation: an empty escalation list: leave the key out for no levels"},
		{"unknown key", "\n      - {at: 50%, severity: info, label: {a: b}}",
			"test.yml:21: objectives[0].escalation[0].label: unknown field (known: at, severity, labels)"},
		{"zero", "\n      - {at: 0%, severity: info}", "test.yml:21: objectives[0].escalation[0].at: 0 is not a share of the target above 0%"},
		{"number above 1", "\n      - {at: 50, severity: info}", `test.yml:21: objectives[0].escalation[0].at: 50 is not a ratio between 0 and 1 (write 0.5 or 50%)`},
		{"bad percentage", "\n      - {at: half%, severity: info}", `test.yml:21: objectives[0].escalation[0].at: "half%" is not a percentage such as 50% or 150%`},
		{"too far", "\n      - {at: 1500%, severity: info}", "test.yml:21: objectives[0].escalation[0].at: 1500% is more than 1000% of the target"},
		{"not increasing", "\n      - {at: 75%, severity: info}\n      - {at: 75%, severity: warning}",
			"test.yml:22: objectives[0].escalation[1].at: 75% is not above the previous level's 75%: levels go up strictly"},
		{"decreasing", "\n      - {at: 90%, severity: info}\n      - {at: 50%, severity: warning}",
			"test.yml:22: objectives[0].escalation[1].at: 50% is not above the previous level's 90%: levels go up strictly"},
		{"no severity", "\n      - {at: 50%}", "test.yml:21: objectives[0].escalation[0].severity: severity is required (the level's alert and metric carry it)"},
		{"bad label name", "\n      - {at: 50%, severity: info, labels: {notify-to: team}}", `test.yml:21: objectives[0].escalation[0].labels: "notify-to" is not a label name`},
		{"label of the alert", "\n      - {at: 50%, severity: info, labels: {severity: page}}",
			`test.yml:21: objectives[0].escalation[0].labels: "severity" is set on the alert already and cannot be a level's label`},
		{"level label", "\n      - {at: 50%, severity: info, labels: {escalation_level: x}}",
			`test.yml:21: objectives[0].escalation[0].labels: "escalation_level" is set on the alert already and cannot be a level's label`},
		{"ten levels", "\n" + strings.Repeat("      - {at: 10%, severity: info}\n", 10), "test.yml:20: objectives[0].escalation: 10 levels: at most 9"},
		{"alerting label", "\n      - {at: 50%, severity: info, labels: {team: x}}\n    alerting: {labels: {team: desk}}",
			`test.yml:21: objectives[0].escalation[0].labels: "team" is one of the objective's alerting labels: a level's labels add to them`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load([]byte(withEscalation(tc.text)), "test.yml", t.TempDir())
			if err == nil {
				t.Fatal("loaded")
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tc.want)
			}
		})
	}
	// Availability and event objectives have no cycles to escalate.
	text := strings.Replace(base, "    target: 0.95\n", "    target: 0.95\n  - {name: api, service: desk, kind: event_ratio, source: desk, series: api, target: 0.99, escalation: default}\n", 1)
	_, err := Load([]byte(text), "test.yml", t.TempDir())
	if want := "test.yml:20: objectives[1].escalation: escalation applies to ticket objectives, not event_ratio"; err == nil || err.Error() != want {
		t.Errorf("error\n got: %v\nwant: %s", err, want)
	}
}

// FuzzEscalation feeds escalation keys to the loader: a configuration or an error naming the
// file, never a panic, and loaded levels always as the engine wants them (strictly increasing
// shares in (0, MaxEscalationShare], a severity each, at most MaxEscalationLevels).
func FuzzEscalation(f *testing.F) {
	for _, s := range []string{" default", "\n      - {at: 50%, severity: info, labels: {notify: team}}",
		"\n      - {at: 0.5, severity: a}\n      - {at: 150%, severity: b}", " [{at: 1e-300%, severity: x}]", "\n      - {at: .5%, severity: x}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		cfg, err := Load([]byte(withEscalation(text)), "test.yml", t.TempDir())
		if err != nil {
			if !strings.HasPrefix(err.Error(), "test.yml") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		for _, o := range cfg.Objectives {
			if len(o.Escalation) > MaxEscalationLevels || len(o.Escalation) != len(o.Objective.Escalation) {
				t.Fatalf("levels %v, engine shares %v", o.Escalation, o.Objective.Escalation)
			}
			for i, l := range o.Escalation {
				if !(l.At > 0 && l.At <= MaxEscalationShare) || i > 0 && !(l.At > o.Escalation[i-1].At) || l.Severity == "" || o.Objective.Escalation[i] != l.At {
					t.Fatalf("level %d: %+v of %v", i+1, l, o.Escalation)
				}
			}
		}
	})
}
