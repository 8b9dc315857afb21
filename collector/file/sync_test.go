package file

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// smallConfig maps small.csv files written by the tests below.
const smallConfig = `file:
  path: small.csv
  columns: {id: id, created: created, status: status}
  statuses: {open: [open], closed: [closed]}
`

const smallCSV = "id,created,status\nA,2024-01-01T00:00:00Z,open\nB,2024-01-02T00:00:00Z,open\n"

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func ids(b collector.Batch) []string {
	var out []string
	for _, t := range b.Tickets {
		out = append(out, t.ID)
	}
	return out
}

// TestSync_missingFile: the error names the file looked for in full, and as the configuration
// wrote it when that differs.
func TestSync_missingFile(t *testing.T) {
	dir := t.TempDir()
	abs := filepath.Join(dir, "elsewhere", "a.csv")
	tests := []struct{ name, path, want string }{
		{"relative", "small.csv", "file does not exist: " + filepath.Join(dir, "small.csv") + " (path: small.csv)"},
		{"absolute", abs, "file does not exist: " + abs},
		{"glob", "exports/*.csv", "no file matches " + filepath.Join(dir, "exports", "*.csv") + " (path: exports/*.csv)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			config := strings.Replace(smallConfig, "path: small.csv", "path: "+tt.path, 1)
			_, err := newSource(t, dir, config).Sync(context.Background(), nil)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Sync error:\n got %v\nwant %s", err, tt.want)
			}
			if tt.name != "glob" && !errors.Is(err, os.ErrNotExist) {
				t.Errorf("Sync error %v does not wrap os.ErrNotExist", err)
			}
		})
	}
}

func TestSync_folder(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "small.csv"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := newSource(t, dir, smallConfig).Sync(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "is a folder, not a file") {
		t.Fatalf("Sync error = %v, want a folder error", err)
	}
}

// TestSync_fileErrors: problems with a file as a whole fail the sync, so that the runner keeps
// the last good data; the errors name the place and never quote the file beyond one value.
func TestSync_fileErrors(t *testing.T) {
	const jsonConfig = `file:
  path: small.json
  columns: {id: id, created: created}
`
	tests := []struct {
		name, config, file, data, want string
	}{
		{"csv header lacks mapped columns", `file:
  path: small.csv
  columns: {id: id, created: opened_at, status: state}
  statuses: {open: [open]}
`, "small.csv", "id,created,SECRET\nA,2024-01-01T00:00:00Z,open\n",
			`small.csv: the header has no column "opened_at" (columns.created, configuration line 3), no column "state" (columns.status, configuration line 3)`},
		{"csv header lacks a field, and has a name differing in case", `file:
  path: small.csv
  columns:
    id: Issue key
    created: Created
    fields:
      component: Component/s
`, "small.csv", "Issue Key,Created,SECRET\nA,2024-01-01T00:00:00Z,open\n",
			`small.csv: the header has no column "Issue key" (columns.id, configuration line 4; the header has "Issue Key"), no column "Component/s" (columns.fields.component, configuration line 7)`},
		{"empty csv", smallConfig, "small.csv", "", "small.csv: empty file: no header row"},
		{"malformed csv header", smallConfig, "small.csv", "id,\"created\nSECRET", `small.csv: header: record on line 1; parse error on line 2, column 7: extraneous or missing " in quoted-field`},
		{"truncated json", jsonConfig, "small.json", `[{"id": "A", "created": "2024-01-01T00:00:00Z"}, {"id": "SECRET"`, "small.json: truncated JSON: the document ends early"},
		{"malformed json", jsonConfig, "small.json", "[\n{\"id\": \"A\"},\n{\"id\" \"SECRET\"}\n]", "small.json:3: malformed JSON: invalid character '\"' after object key"},
		{"json after the array", jsonConfig, "small.json", "[]\n[{\"id\": \"SECRET\"}]", "small.json:2: data after the end of the document"},
		{"json not an array", jsonConfig, "small.json", `{"id": "SECRET"}`, "small.json:1: found an object where an array of records belongs"},
		{"json records key missing", `file:
  path: small.json
  json: {records: data.items}
  columns: {id: id, created: created}
`, "small.json", `{"data": {"SECRET": 1, "count": 0}}`, `small.json: no key "items" on the way to json.records "data.items"`},
		{"json records inside truncated object", `file:
  path: small.json
  json: {records: result}
  columns: {id: id, created: created}
`, "small.json", `{"result": [], "SECRET": {`, "small.json: truncated JSON: the document ends early"},
		{"file larger than max_size", `file:
  path: small.csv
  max_size: 50B
  columns: {id: id, created: created, status: status}
  statuses: {open: [open]}
`, "small.csv", smallCSV, // 18 + 2*28 = 74 bytes
			`small.csv (74 bytes) is larger than the limit of 50 B (max_size of source "probe"): raise max_size, or export less`},
		{"a glob's file larger than max_size", `file:
  path: "*.json"
  max_size: 1KiB
  columns: {id: id, created: created}
`, "small.json", "[" + strings.Repeat(`{"id": "A"},`, 100) + "{}]", // 1 + 100*12 + 3 = 1204 bytes
			`small.json (1204 bytes) is larger than the limit of 1 KiB (max_size of source "probe"): raise max_size, or export less`},
		{"ndjson line too long", `file:
  path: small.ndjson
  columns: {id: id, created: created}
`, "small.ndjson", "{}\n" + strings.Repeat(" ", maxLine+1), "small.ndjson:2: line longer than 64 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, tt.file), tt.data)
			_, err := newSource(t, dir, tt.config).Sync(context.Background(), nil)
			if err == nil {
				t.Fatalf("Sync succeeded, want %q", tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Sync error:\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}

// TestSync_rejectionsQuoteOnlyTheValue: a reason repeats the offending value, shortened, and
// nothing else from the row.
func TestSync_rejectionsQuoteOnlyTheValue(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("x", 100)
	write(t, filepath.Join(dir, "small.csv"), "id,created,status,secret\nA,"+long+",open,SECRET\n")
	b := syncOK(t, newSource(t, dir, smallConfig), nil)
	want := rejections(`small.csv:2|column "created": "` + strings.Repeat("x", 64) + `"... (100 bytes) is not an RFC 3339 time`)
	if d := cmp.Diff(want, b.Rejected, reasonsOnly); d != "" {
		t.Errorf("rejections (-want +got):\n%s", d)
	}
}

func TestSync_csvShapes(t *testing.T) {
	tests := []struct {
		name, data string
		ids        []string
		rejected   []collector.Rejection
	}{
		{"header only", "id,created,status\n", nil, nil},
		{"byte order mark and CRLF", "\ufeffid,created,status\r\nA,2024-01-01T00:00:00Z,open\r\n", []string{"A"}, nil},
		{"spaces around names and values", " id , created ,status\nA , 2024-01-01T00:00:00Z,open\n", []string{"A"}, nil},
		{"multi-line field keeps line numbers", "id,created,status,note\nA,2024-01-01T00:00:00Z,open,\"two\nlines\"\nB,bad,open,\n",
			[]string{"A"}, rejections(`small.csv:4|column "created": "bad" is not an RFC 3339 time`)},
		{"extra field", "id,created,status\nA,2024-01-01T00:00:00Z,open,extra\n", nil, rejections(`small.csv:2|4 fields where the header has 3`)},
		{"no final newline", "id,created,status\nA,2024-01-01T00:00:00Z,open", []string{"A"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, "small.csv"), tt.data)
			b := syncOK(t, newSource(t, dir, smallConfig), nil)
			if !b.Replace {
				t.Error("Replace = false, want a full snapshot")
			}
			if d := cmp.Diff(tt.ids, ids(b)); d != "" {
				t.Errorf("tickets (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.rejected, b.Rejected, reasonsOnly); d != "" {
				t.Errorf("rejections (-want +got):\n%s", d)
			}
		})
	}
}

// TestSync_unchangedFileIsNotRead: same size and modification time means no read at all. The
// file is replaced by garbage of the same size with the old time put back: were it read, the sync
// would fail on the header.
func TestSync_unchangedFileIsNotRead(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "small.csv")
	write(t, path, smallCSV)
	src := newSource(t, dir, smallConfig)
	first := syncOK(t, src, nil)
	if !first.Replace || len(first.Tickets) != 2 || len(first.Checkpoint) == 0 {
		t.Fatalf("first sync: Replace %v, %d tickets, checkpoint %q", first.Replace, len(first.Tickets), first.Checkpoint)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	write(t, path, strings.Repeat("#", len(smallCSV)))
	if err := os.Chtimes(path, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	second := syncOK(t, src, first.Checkpoint)
	want := collector.Batch{Checkpoint: first.Checkpoint}
	if d := cmp.Diff(want, second, reasonsOnly); d != "" {
		t.Errorf("second sync (-want +got):\n%s", d)
	}
}

// TestSync_touchedFile: a new modification time with the same contents reads and hashes the file,
// finds it unchanged, and returns an empty batch with a checkpoint holding the new time, so that
// the next sync does not read it again.
func TestSync_touchedFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "small.csv")
	write(t, path, smallCSV)
	src := newSource(t, dir, smallConfig)
	first := syncOK(t, src, nil)
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	second := syncOK(t, src, first.Checkpoint)
	if second.Replace || second.Tickets != nil || second.Rejected != nil {
		t.Errorf("touched file gave a non-empty batch: %+v", second)
	}
	if bytes.Equal(second.Checkpoint, first.Checkpoint) || !strings.Contains(string(second.Checkpoint), fmt.Sprint(later.UnixNano())) {
		t.Errorf("checkpoint %s does not record the new time", second.Checkpoint)
	}
	// Proof that the third sync does not read: garbage with the touched time back.
	write(t, path, strings.Repeat("#", len(smallCSV)))
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	third := syncOK(t, src, second.Checkpoint)
	if d := cmp.Diff(collector.Batch{Checkpoint: second.Checkpoint}, third, reasonsOnly); d != "" {
		t.Errorf("third sync (-want +got):\n%s", d)
	}
}

// TestSync_changedFile: changed contents give a full snapshot of the new contents only.
func TestSync_changedFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "small.csv")
	write(t, path, smallCSV)
	src := newSource(t, dir, smallConfig)
	first := syncOK(t, src, nil)
	write(t, path, "id,created,status\nB,2024-01-02T00:00:00Z,open\nC,2024-01-03T00:00:00Z,open\n")
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(path, later, later); err != nil { // a same-second rewrite must still show
		t.Fatal(err)
	}
	second := syncOK(t, src, first.Checkpoint)
	want := collector.Batch{Replace: true, Tickets: []ticket.Ticket{
		{ID: "B", Created: utc("2024-01-02 00:00"), History: []ticket.StatusChange{change(utc("2024-01-02 00:00"), "open", ticket.Open)}},
		{ID: "C", Created: utc("2024-01-03 00:00"), History: []ticket.StatusChange{change(utc("2024-01-03 00:00"), "open", ticket.Open)}},
	}}
	if d := diffBatch(want, second); d != "" {
		t.Errorf("second sync (-want +got):\n%s", d)
	}
	if bytes.Equal(second.Checkpoint, first.Checkpoint) {
		t.Error("checkpoint unchanged after a change")
	}
}

// TestSync_rereadWhenCheckpointDoesNotApply: another mapping, or a checkpoint that cannot be
// read, re-reads unchanged files.
func TestSync_rereadWhenCheckpointDoesNotApply(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "small.csv"), smallCSV)
	first := syncOK(t, newSource(t, dir, smallConfig), nil)
	other := newSource(t, dir, smallConfig+"  constants: {type: incident}\n")
	for name, cp := range map[string][]byte{
		"another mapping":   first.Checkpoint,
		"corrupt":           []byte("{not json"),
		"another file list": []byte(`{"config":"x","files":[]}`),
	} {
		b := syncOK(t, other, cp)
		if !b.Replace || len(b.Tickets) != 2 {
			t.Errorf("%s: Replace %v, %d tickets; want a full re-read", name, b.Replace, len(b.Tickets))
		}
	}
}

// TestSync_glob: the files a glob matches form one snapshot, read in lexical order; ids are
// unique across them.
func TestSync_glob(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "exports", "2024-02.csv"), "id,created,status\nB,2024-02-01T00:00:00Z,open\nA,2024-02-02T00:00:00Z,open\n")
	write(t, filepath.Join(dir, "exports", "2024-01.csv"), "id,created,status\nA,2024-01-01T00:00:00Z,open\n")
	write(t, filepath.Join(dir, "exports", "notes.txt"), "not matched")
	src := newSource(t, dir, `file:
  path: exports/2024-*.csv
  columns: {id: id, created: created, status: status}
  statuses: {open: [open], closed: [closed]}
`)
	b := syncOK(t, src, nil)
	if d := cmp.Diff([]string{"A", "B"}, ids(b)); d != "" {
		t.Errorf("tickets (-want +got):\n%s", d)
	}
	want := rejections(`exports/2024-02.csv:3|column "id": ticket "A" was already read at exports/2024-01.csv:2; the first row is kept`)
	if d := cmp.Diff(want, b.Rejected, reasonsOnly); d != "" {
		t.Errorf("rejections (-want +got):\n%s", d)
	}
	// A new file joining the glob is a change.
	write(t, filepath.Join(dir, "exports", "2024-03.csv"), "id,created,status\nC,2024-03-01T00:00:00Z,open\n")
	b2 := syncOK(t, src, b.Checkpoint)
	if d := cmp.Diff([]string{"A", "B", "C"}, ids(b2)); d != "" || !b2.Replace {
		t.Errorf("after a new file: Replace %v, tickets (-want +got):\n%s", b2.Replace, d)
	}
	// A glob that matches nothing is an error, not an empty snapshot.
	empty := newSource(t, dir, `file:
  path: exports/1999-*.csv
  columns: {id: id, created: created}
`)
	if _, err := empty.Sync(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "no file matches") {
		t.Errorf("Sync error = %v, want no file matches", err)
	}
}

// cancelAfter is a context whose Err turns to Canceled after n calls, so that a test can cancel
// in the middle of a read without timing.
type cancelAfter struct {
	context.Context
	n atomic.Int64
}

func (c *cancelAfter) Err() error {
	if c.n.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

func TestSync_contextCancellation(t *testing.T) {
	dir := t.TempDir()
	var sb strings.Builder
	sb.WriteString("id,created,status\n")
	for i := range 10 * cancelEvery {
		fmt.Fprintf(&sb, "T%d,2024-01-01T00:00:00Z,open\n", i)
	}
	write(t, filepath.Join(dir, "small.csv"), sb.String())
	src := newSource(t, dir, smallConfig)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if b, err := src.Sync(ctx, nil); !errors.Is(err, context.Canceled) || b.Tickets != nil || b.Checkpoint != nil {
		t.Errorf("cancelled before: error %v, %d tickets, checkpoint %q", err, len(b.Tickets), b.Checkpoint)
	}
	// Cancelled while reading: the check at the start passes, the first check among the rows
	// fails.
	mid := &cancelAfter{Context: context.Background()}
	mid.n.Store(1)
	if b, err := src.Sync(mid, nil); !errors.Is(err, context.Canceled) || b.Tickets != nil || b.Checkpoint != nil {
		t.Errorf("cancelled while reading: error %v, %d tickets, checkpoint %q", err, len(b.Tickets), b.Checkpoint)
	}
}

func TestNew_nilBlock(t *testing.T) {
	if _, err := New(nil, collector.Options{}); err == nil || !strings.Contains(err.Error(), "needs a `file:` block") {
		t.Errorf("New(nil) error = %v", err)
	}
}
