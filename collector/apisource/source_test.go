package apisource

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
)

// TestNewSource_SharesOneClockAndClient checks the wiring the kinds no longer write themselves:
// the driver calls the source's client and reads the clock of the options, and Sync runs it.
func TestNewSource_SharesOneClockAndClient(t *testing.T) {
	k := &memKind{entries: map[string]time.Time{"a": min_(1), "b": min_(2)}, pageSize: 10}
	settings := &Settings{Kind: "mem", Name: "src", MaxRequests: 100, RequestTimeout: time.Second}
	now := func() time.Time { return min_(1000) }
	src := NewSource[int](settings, k, collector.Options{Now: now}, Hooks{})

	if src.driver.Client != src.Client() || src.driver.Settings != settings || src.driver.Kind != Kind[int](k) {
		t.Errorf("driver not wired to the source's client, settings and kind: %+v", src.driver)
	}
	if got := src.driver.Now(); !got.Equal(min_(1000)) {
		t.Errorf("driver's clock = %v, want the options' %v", got, min_(1000))
	}
	if src.driver.Logger == nil {
		t.Error("driver's logger not defaulted")
	}
	b, err := src.Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a", "b"}, ids(b)); diff != "" {
		t.Errorf("synced tickets (-want +got):\n%s", diff)
	}
	if err := src.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func TestWithDefaults(t *testing.T) {
	got := WithDefaults(collector.Options{Name: "x"})
	if got.Logger == nil || got.Now == nil || got.Name != "x" {
		t.Errorf("WithDefaults(empty) = %+v, want a logger, a clock and the name kept", got)
	}
	now := func() time.Time { return t0 }
	kept := WithDefaults(collector.Options{Now: now, Logger: got.Logger})
	if !kept.Now().Equal(t0) || kept.Logger != got.Logger {
		t.Errorf("WithDefaults replaced what was set: %+v", kept)
	}
}
