package redmine_test

import (
	"testing"

	"github.com/sla-exporter/sla_exporter/collector/config"
)

// TestShippedConfig loads deploy/config/redmine.yml as sla_exporter does, building its redmine
// source. Its URL points at 127.0.0.1, which cmd's TestCheckShippedConfigs could not reach when
// it checks the data of every file in deploy/config; the file lives in deploy/config/live/ for
// that reason, out of that test's glob, and is checked here instead.
func TestShippedConfig(t *testing.T) {
	cfg, err := config.LoadFile("../../deploy/config/live/redmine.yml")
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, s := range cfg.Sources {
		types = append(types, s.Type)
	}
	if len(types) != 1 || types[0] != "redmine" {
		t.Errorf("sources of types %v, want one redmine source", types)
	}
}
