package file

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// block parses a YAML document whose only key is file: and returns the node under it, so that the
// line numbers in errors are those of the text.
func block(t testing.TB, text string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatalf("test YAML: %v", err)
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode || len(root.Content) != 2 || root.Content[0].Value != "file" {
		t.Fatalf("test YAML must hold only a file: block")
	}
	return root.Content[1]
}

// newSource builds a source from a file: block, with relative paths under dir.
func newSource(t testing.TB, dir, text string) collector.Source {
	t.Helper()
	src, err := New(block(t, text), collector.Options{Name: "probe", Dir: dir})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return src
}

// syncOK runs one sync that must succeed.
func syncOK(t testing.TB, src collector.Source, cp []byte) collector.Batch {
	t.Helper()
	b, err := src.Sync(context.Background(), cp)
	if err != nil {
		t.Fatalf("Sync: %v", err)
	}
	return b
}

// in parses "2006-01-02 15:04" in a zone.
func in(zone, s string) time.Time {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		panic(err)
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		panic(err)
	}
	return t
}

func utc(s string) time.Time  { return in("UTC", s) }
func rome(s string) time.Time { return in("Europe/Rome", s) }

// change is a history entry.
func change(at time.Time, status string, cat ticket.Category) ticket.StatusChange {
	return ticket.StatusChange{At: at, Status: status, Category: cat}
}

// rejections turns "where|reason" lines into rejections.
func rejections(lines ...string) []collector.Rejection {
	var out []collector.Rejection
	for _, l := range lines {
		where, reason, _ := strings.Cut(l, "|")
		out = append(out, collector.Rejection{Where: where, Reason: reason})
	}
	return out
}

// reasonsOnly compares rejections by place and reason; their causes (Rule, Setting) and the
// rows read are checked by TestSync_causes.
var reasonsOnly = cmp.Options{
	cmpopts.IgnoreFields(collector.Rejection{}, "Rule", "Setting"),
	cmpopts.IgnoreFields(collector.Batch{}, "Read"),
}

// diffBatch compares everything but the checkpoint, the rows read and the rejections' causes.
func diffBatch(want, got collector.Batch) string {
	got.Checkpoint = nil
	want.Checkpoint = nil
	return cmp.Diff(want, got, reasonsOnly)
}

// golden compares got with testdata/golden/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if d := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(string(got), "\n")); d != "" {
		t.Errorf("%s differs (-want +got; -update rewrites it):\n%s", path, d)
	}
}
