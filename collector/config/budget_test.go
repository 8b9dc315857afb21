package config

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestLoadBudget checks the series budget's settings: each objective's burn windows (its own,
// else global.burn_windows, plus its alert tiers' windows) and published frozen periods (its
// own, else the global one, else history_periods).
func TestLoadBudget(t *testing.T) {
	const (
		m = time.Minute
		h = time.Hour
		d = 24 * time.Hour
	)
	// The default tiers read 1h/5m, 6h/30m, 1d/2h and 3d/6h: the seven default windows.
	defaults := []time.Duration{5 * m, 30 * m, h, 2 * h, 6 * h, d, 3 * d}
	pageTiers := "    alerting:\n      burn_rates:\n        - {long: 1h, short: 5m, budget: 0.02, severity: page}\n"
	for _, tc := range []struct {
		name              string
		global, objective string
		windows           []time.Duration
		published         int
	}{
		{"defaults", "", "", defaults, 12},
		{"global periods", "  published_history_periods: 3\n", "", defaults, 3},
		{"objective overrides global", "  published_history_periods: 3\n", "    published_history_periods: 0\n", defaults, 0},
		{"global windows and the alert tiers'", "  burn_windows: [1h, 12h]\n", "", []time.Duration{5 * m, 30 * m, h, 2 * h, 6 * h, 12 * h, d, 3 * d}, 12},
		{"one tier, only its windows", "  burn_windows: []\n", pageTiers, []time.Duration{5 * m, h}, 12},
		{"objective windows over the global ones", "  burn_windows: [12h]\n", "    burn_windows: [1d]\n" + pageTiers, []time.Duration{5 * m, h, d}, 12},
		{"alerting disabled", "", "    burn_windows: [1h]\n    alerting: {disabled: true}\n", []time.Duration{h}, 12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(base, "  timezone: Europe/Rome\n", "  timezone: Europe/Rome\n"+tc.global, 1) + tc.objective
			cfg, err := Load([]byte(src), "test.yml", t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			o := cfg.Objectives[0]
			if diff := cmp.Diff(tc.windows, o.BurnWindows); diff != "" {
				t.Errorf("burn windows (-want +got):\n%s", diff)
			}
			if o.PublishedHistoryPeriods != tc.published {
				t.Errorf("published periods %d, want %d", o.PublishedHistoryPeriods, tc.published)
			}
		})
	}
}

func TestLoadBudgetErrors(t *testing.T) {
	for _, tc := range []struct{ name, global, objective, want string }{
		{"global periods above history", "  history_periods: 4\n  published_history_periods: 5\n", "",
			"test.yml:4: global.published_history_periods: 5 is not between 0 and history_periods (4)"},
		{"objective periods above history", "  history_periods: 4\n", "    published_history_periods: 6\n",
			"test.yml:21: objectives[0].published_history_periods: 6 is not between 0 and global.history_periods (4)"},
		{"zero window", "  burn_windows: [1h, 0s]\n", "",
			"test.yml:3: global.burn_windows[1]: window 0s is not positive"},
		{"window twice", "", "    burn_windows: [1h, 2h, 1h]\n",
			"test.yml:20: objectives[0].burn_windows[2]: window 1h is listed twice"},
		{"no window", "", "    burn_windows: []\n    alerting: {disabled: true}\n",
			"test.yml:20: objectives[0].burn_windows: no window: with alerting disabled, name at least one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(base, "  timezone: Europe/Rome\n", "  timezone: Europe/Rome\n"+tc.global, 1) + tc.objective
			_, err := Load([]byte(src), "test.yml", t.TempDir())
			if err == nil || err.Error() != tc.want {
				t.Errorf("error\n got: %v\nwant: %s", err, tc.want)
			}
		})
	}
}
