package collector_test

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/prometheus/common/expfmt"

	"github.com/sla-exporter/sla_exporter/collector"
)

// persistOpts compare snapshots as served: NaN equals NaN (a KPI with nothing to measure), an
// empty list equals none, and a timezone is its name.
var persistOpts = cmp.Options{
	cmpopts.EquateNaNs(), cmpopts.EquateEmpty(),
	cmp.Comparer(func(a, b *time.Location) bool { return a.String() == b.String() }),
}

// persistSnapshot is the exposition's test snapshot, which sets every kind of field, with
// timezones, zero-valued statistics behind pointers (gob must not turn them into nil) and a
// generation, which is not kept.
func persistSnapshot(t *testing.T) *collector.Snapshot {
	t.Helper()
	s := expoSnapshot()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no timezone database:", err)
	}
	s.Location = berlin
	s.Objectives[0].Location = time.UTC
	s.Objectives[1].Location = berlin
	s.Objectives[1].Native = &collector.NativeComparison{}
	s.Objectives[1].ToolDeadlines = &collector.ToolDeadlines{}
	s.Sources = append(s.Sources, collector.SourceHealth{Name: "quiet", API: &collector.APIStats{}})
	s.Objectives[0].UnpublishedPeriods = 1
	s.Stamped = true
	s.DataGen = 42
	return s
}

func TestSnapshotPersist_RoundTrip(t *testing.T) {
	s := persistSnapshot(t)
	b, err := collector.EncodeSnapshot(s, "hash-1")
	if err != nil {
		t.Fatal(err)
	}
	got, hash, err := collector.DecodeSnapshot(b)
	if err != nil {
		t.Fatal(err)
	}
	if hash != "hash-1" {
		t.Errorf("hash = %q, want hash-1", hash)
	}
	want := *s
	want.DataGen, want.Restored = 0, true // the generation belongs to the process that published it
	if diff := cmp.Diff(&want, got, persistOpts); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if got.Objectives[1].Location.String() != "Europe/Berlin" || got.Objectives[2].Location != nil {
		t.Errorf("timezones: %v, %v", got.Objectives[1].Location, got.Objectives[2].Location)
	}
	// A restored snapshot serves the series it was published with, but for the marker.
	before, after := exposed(t, s), exposed(t, got)
	after = strings.Replace(after, "sla_snapshot_restored 1", "sla_snapshot_restored 0", 1)
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("exposition of the restored snapshot (-published +restored):\n%s", diff)
	}
}

// exposed is the text exposition of s.
func exposed(t *testing.T, s *collector.Snapshot) string {
	t.Helper()
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range gather(t, newExpo(s)) {
		if err := enc.Encode(mf); err != nil {
			t.Fatal(err)
		}
	}
	return buf.String()
}

// The persisted form mirrors Snapshot and ObjectiveResult field by field: a field added to them
// must be added to it (persist.go), or a restart would serve the snapshot without it.
func TestSnapshotPersist_CoversEveryField(t *testing.T) {
	for _, tt := range []struct {
		typ  reflect.Type
		want []string
	}{
		{reflect.TypeFor[collector.Snapshot](), []string{"At", "Duration", "Location", "Objectives", "KPIs", "Contracts",
			"Sources", "Store", "DataGen", "Restored", "Stamped", "Costs", "Staffing"}},
		{reflect.TypeFor[collector.ObjectiveResult](), []string{"Result", "PeriodName", "Labels", "History", "Stale",
			"Location", "ToolDeadlines", "Native", "ToolAttainments", "UnpublishedPeriods", "Escalation"}},
	} {
		var got []string
		for i := range tt.typ.NumField() {
			got = append(got, tt.typ.Field(i).Name)
		}
		slices.Sort(got)
		slices.Sort(tt.want)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s fields changed: update persist.go and this list (-known +now):\n%s", tt.typ, diff)
		}
	}
}

func TestSnapshotPersist_Refused(t *testing.T) {
	good, err := collector.EncodeSnapshot(persistSnapshot(t), "h")
	if err != nil {
		t.Fatal(err)
	}
	unknownZone := expoSnapshot()
	unknownZone.Location = time.FixedZone("Nowhere/Atlantis", 3600)
	atlantis, err := collector.EncodeSnapshot(unknownZone, "h")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		b    []byte
		want string
	}{
		{"truncated", good[:len(good)/2], "decode snapshot"},
		{"empty", []byte{}, "decode snapshot"},
		{"garbage", []byte("not a snapshot at all"), "decode snapshot"},
		{"unknown timezone", atlantis, "timezone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, err := collector.DecodeSnapshot(tt.b)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
			if s != nil {
				t.Error("a snapshot came with the error")
			}
		})
	}
}

// FuzzDecodeSnapshot: arbitrary bytes are refused or decoded, never a panic.
func FuzzDecodeSnapshot(f *testing.F) {
	good, err := collector.EncodeSnapshot(expoSnapshot(), "h")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/3])
	f.Fuzz(func(t *testing.T, b []byte) {
		s, _, err := collector.DecodeSnapshot(b)
		if err == nil && !s.Restored {
			t.Error("a decoded snapshot is not marked restored")
		}
	})
}
