package file

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchRows is the size of the generated event log.
const benchRows = 100_000

// writeBenchLog writes an event log of benchRows rows with the ServiceNow sample's 36 columns: the
// sample's rows repeated, each copy with its own incident numbers and four years later, so that rows
// and incidents keep the real shape (about 6.7 rows per incident).
func writeBenchLog(b *testing.B, path string) {
	b.Helper()
	f, err := os.Open(servicenowCSV)
	if err != nil {
		b.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	header, rows := recs[0], recs[1:]
	id := 0
	for i, h := range header {
		if h == "number" {
			id = i
		}
	}
	out, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	bw := bufio.NewWriter(out)
	w := csv.NewWriter(bw)
	_ = w.Write(header)
	rec := make([]string, len(header))
	for n := 0; n < benchRows; n++ {
		copyNo := n / len(rows)
		copy(rec, rows[n%len(rows)])
		rec[id] = fmt.Sprintf("%s-%02d", rec[id], copyNo)
		for i, v := range rec {
			// dd-mm-2016 hh:mm -> dd-mm-(2016+copy) hh:mm: each copy four years later (29 February stays a date).
			if len(v) == 16 && v[2] == '-' && v[5] == '-' && strings.HasPrefix(v[6:], "201") {
				rec[i] = v[:6] + fmt.Sprint(2016+4*copyNo+int(v[9]-'6')) + v[10:]
			}
		}
		_ = w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		b.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkSync_eventLogCSV reads a 100,000-row ServiceNow-shaped event log from scratch: open,
// hash, parse every row, group, sort and build the tickets.
func BenchmarkSync_eventLogCSV(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "incidents.csv")
	writeBenchLog(b, path)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	cfg, err := os.ReadFile("testdata/servicenow.yml")
	if err != nil {
		b.Fatal(err)
	}
	src := newSource(b, dir, strings.Replace(string(cfg), "path: servicenow-incident-event-log-sample.csv", "path: incidents.csv", 1))
	first, err := src.Sync(context.Background(), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d rows, %d bytes: %d tickets, %d rejected", benchRows, fi.Size(), len(first.Tickets), len(first.Rejected))
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := src.Sync(context.Background(), nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkSync_unchanged is the cost of a sync that finds the file unchanged: a stat.
func BenchmarkSync_unchanged(b *testing.B) {
	cfg, err := os.ReadFile("testdata/servicenow.yml")
	if err != nil {
		b.Fatal(err)
	}
	src := newSource(b, "testdata", string(cfg))
	first, err := src.Sync(context.Background(), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := src.Sync(context.Background(), first.Checkpoint); err != nil {
			b.Fatal(err)
		}
	}
}
