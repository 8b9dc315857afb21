package file

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sla-exporter/sla_exporter/collector"
)

// truncCases are exports cut short: each is refused whole, never read as the smaller snapshot
// its complete records would make.
var truncCases = []struct {
	name, file, data, want string
}{
	{"csv cut in a quoted field", "small.csv", smallCSV + "C,2024-01-03T00:00:00Z,\"open",
		`small.csv:4: truncated CSV: the last row ends early (malformed CSV: extraneous or missing " in quoted-field)`},
	{"csv cut in a row", "small.csv", smallCSV + "C,2024-01-03T00:00:00Z",
		"small.csv:4: truncated CSV: the last row ends early (2 fields where the header has 3)"},
	{"json cut after whole records", "small.json", `[{"id": "A", "created": "2024-01-01T00:00:00Z", "status": "open"},
{"id": "B", "created": "2024-01-02T00:00:00Z", "status": "open"},
{"id": "C", "created": "2024-01-03T`, "small.json: truncated JSON: the document ends early"},
	{"ndjson cut in a line", "small.ndjson", `{"id": "A", "created": "2024-01-01T00:00:00Z", "status": "open"}
{"id": "B", "created": "2024-01-02T00:00:00Z", "status": "open"}
{"id": "C", "created": "2024-`, "small.ndjson:3: truncated NDJSON: the last line ends early"},
}

func truncConfig(file string) string {
	return `file:
  path: ` + file + `
  columns: {id: id, created: created, status: status}
  statuses: {open: [open], closed: [closed]}
`
}

func TestSync_truncatedExportIsRefused(t *testing.T) {
	for _, tt := range truncCases {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, tt.file), tt.data)
			b, err := newSource(t, dir, truncConfig(tt.file)).Sync(context.Background(), nil)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Sync error %v, want %s", err, tt.want)
			}
			if len(b.Tickets) > 0 || b.Checkpoint != nil {
				t.Errorf("a refused export returned %d tickets and checkpoint %q", len(b.Tickets), b.Checkpoint)
			}
		})
	}
	// The same rows, whole, read (the cut is what is refused).
	dir := t.TempDir()
	write(t, filepath.Join(dir, "small.csv"), smallCSV+"C,2024-01-03T00:00:00Z,\"open\"")
	if b := syncOK(t, newSource(t, dir, truncConfig("small.csv")), nil); len(b.Tickets) != 3 {
		t.Errorf("%d tickets, want 3", len(b.Tickets))
	}
}

// Through the daemon: an export cut short after a good one leaves the good one's tickets held
// and the source down with the cause, which the status and the metrics show; it never publishes
// the few tickets read before the cut as the source's whole.
func TestRunner_truncatedExportIsAStateTheUserSees(t *testing.T) {
	for _, tt := range truncCases {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, tt.file)
			complete := strings.TrimSuffix(smallCSV, "\n") + "\nC,2024-01-03T00:00:00Z,open\n"
			if tt.file != "small.csv" {
				complete = tt.data[:strings.LastIndex(tt.data, "\n")]
				if strings.HasSuffix(tt.file, ".json") {
					complete = strings.TrimSuffix(complete, ",") + "]"
				}
			}
			write(t, path, complete)
			r := collector.NewRunner(collector.RunnerOptions{})
			cfg := collector.SourceConfig{Name: "probe", Type: "file", Source: newSource(t, dir, truncConfig(tt.file))}
			if err := r.Update([]collector.SourceConfig{cfg}); err != nil {
				t.Fatal(err)
			}
			if err := r.SyncOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
			held := func() int {
				var n int
				r.Read(func(d collector.Data) { n = d.Tickets["probe"].Len() })
				return n
			}
			good := held()
			write(t, path, tt.data)
			if err := r.SyncOnce(context.Background()); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("SyncOnce = %v, want %s", err, tt.want)
			}
			if n := held(); n != good || n == 0 {
				t.Errorf("%d tickets held after the cut export, want the %d of the good one", n, good)
			}
			st := r.Status()[0]
			if st.Up || st.State != collector.SourceSyncFailed || !strings.Contains(st.LastError, tt.want) {
				t.Errorf("status up %v, state %q, last error %q; want down, %q, %q", st.Up, st.State, st.LastError, collector.SourceSyncFailed, tt.want)
			}
		})
	}
}
