package config

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
)

func TestSourcePrioritiesAndHealth(t *testing.T) {
	for _, tc := range []struct {
		name        string
		source      string // replaces "    type: demo" in base
		wantAliases map[string]string
		wantPrios   []string
		wantHealth  collector.HealthPolicy
	}{
		{
			name:       "defaults",
			source:     "    type: demo",
			wantHealth: collector.HealthPolicy{MinVolumeRatio: 0.5},
		},
		{
			name:       "a list restricts without renaming",
			source:     "    type: demo\n    priorities: [P1, P2]",
			wantPrios:  []string{"P1", "P2"},
			wantHealth: collector.HealthPolicy{MinVolumeRatio: 0.5},
		},
		{
			// Jira's names map to P1..P4; a name alone or a list; the key maps to itself.
			name:      "a mapping renames, case-insensitively",
			source:    "    type: demo\n    priorities: {P1: [Highest, \"1 - Critical\"], P2: High, P3: [Medium], P4: [Low, Lowest]}",
			wantPrios: []string{"P1", "P2", "P3", "P4"},
			wantAliases: map[string]string{
				"p1": "P1", "highest": "P1", "1 - critical": "P1", "p2": "P2", "high": "P2",
				"p3": "P3", "medium": "P3", "p4": "P4", "low": "P4", "lowest": "P4",
			},
			wantHealth: collector.HealthPolicy{MinVolumeRatio: 0.5},
		},
		{
			name:       "health",
			source:     "    type: demo\n    health: {max_rejected_ratio: 0.05, min_volume_ratio: 0}",
			wantHealth: collector.HealthPolicy{MaxRejectedRatio: 0.05},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Load([]byte(strings.Replace(base, "    type: demo", tc.source, 1)), "test.yml", t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			s := cfg.Sources[0]
			if diff := cmp.Diff(tc.wantAliases, s.PriorityAliases); diff != "" {
				t.Errorf("aliases (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantPrios, s.Priorities); diff != "" {
				t.Errorf("priorities (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantHealth, s.Health); diff != "" {
				t.Errorf("health (-want +got):\n%s", diff)
			}
			rc, err := s.RunnerConfig(slog.New(slog.DiscardHandler), nil, time.Now)
			if err != nil {
				t.Fatal(err)
			}
			if !cmp.Equal(rc.PriorityAliases, s.PriorityAliases) || rc.Health != s.Health {
				t.Errorf("runner config %+v does not carry the source's aliases and health", rc)
			}
		})
	}
}

func TestSourcePrioritiesAndHealthErrors(t *testing.T) {
	for _, tc := range []struct{ name, source, want string }{
		{"a name under two priorities", "    type: demo\n    priorities: {P1: [Highest], P2: [highest]}",
			`test.yml:11: sources[0].priorities.P2: "highest" is listed under both P1 and P2`},
		{"percent for a ratio", "    type: demo\n    health: {max_rejected_ratio: 5}",
			"test.yml:11: sources[0].health.max_rejected_ratio: 5 is not a ratio between 0 and 1 (write 0.05 or 5%)"},
		{"negative", "    type: demo\n    health:\n      min_volume_ratio: -1",
			"test.yml:12: sources[0].health.min_volume_ratio: -1 is not a ratio between 0 and 1"},
		{"unknown health key", "    type: demo\n    health: {max_rejected: 0.1}",
			"test.yml:11: sources[0]: source field health: max_rejected: unknown field (known: max_rejected_ratio, min_volume_ratio)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load([]byte(strings.Replace(base, "    type: demo", tc.source, 1)), "test.yml", t.TempDir())
			if err == nil {
				t.Fatal("loaded")
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tc.want)
			}
		})
	}
}
