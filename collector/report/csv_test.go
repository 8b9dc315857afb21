package report

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func readCSV(t *testing.T, r io.Reader) [][]string {
	t.Helper()
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestCSVTables checks the tables of the small configuration's October by hand: numbers in base
// units, times in RFC 3339, absent figures empty.
func TestCSVTables(t *testing.T) {
	rep, err := buildSmall(t, smallSource(t), Request{})
	if err != nil {
		t.Fatal(err)
	}
	tables := map[string]Table{}
	for _, tb := range Tables(rep) {
		tables[tb.Name] = tb
	}
	want := map[string][][]string{
		"objectives": {
			{"service", "objective", "kind", "unit", "target", "attainment", "verdict", "basis", "good", "bad", "error_budget_used", "coverage",
				"previous_attainment", "own_period", "complete", "incomplete"},
			// 985 of 1000; 15 bad of a budget of (1 - 0.99) × 1000 = 10 is 1.5, which floating point
			// carries as 15 / 10.000000000000009 = 1.4999999999999987. September: 999 of 1000.
			{"api", "requests", "event_ratio", "events", "0.99", "0.985", "missed", "recomputed", "985", "15", "1.4999999999999987", "", "0.999", "month", "true", ""},
			// 96 of 100; 4 bad of a budget of (1 - 0.95) × 100 = 5 is 0.8 (4 / 5.000000000000004).
			{"web", "checkout", "event_ratio", "events", "0.95", "0.96", "kept", "recomputed", "96", "4", "0.7999999999999993", "", "1", "month", "true", ""},
		},
		"contracts": {
			{"contract", "party", "counterparty", "period", "start", "end", "status", "credit_ratio", "credit_amount", "currency", "fee",
				"claim_deadline", "claim_by", "complete", "incomplete"},
			{"acme-web", "customer", "acme", "2026-10", "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z", "ok", "0", "0", "EUR", "2000", "", "", "true", ""},
			{"cloud", "supplier", "cloudco", "2026-10", "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z", "credit_due", "0.1", "100", "EUR", "1000",
				"2026-12-01T00:00:00Z", "2026-11-30", "true", ""},
		},
		"contract_objectives": {
			{"contract", "period", "objective", "target", "attainment", "tier_below", "tier_credit", "credit_ratio"},
			{"acme-web", "2026-10", "checkout", "0.95", "0.96", "", "", "0"},
			{"cloud", "2026-10", "requests", "0.99", "0.985", "0.99", "0.1", "0.1"},
		},
		"costliest": {
			{"objective", "rank", "kind", "ticket", "ticket_url", "cycle", "priority", "group", "start", "end", "breached_at", "amount", "unit",
				"overrun_seconds", "budget_share"},
			{"requests", "1", "events", "", "", "", "", "", "2026-10-10T00:00:00Z", "2026-10-10T01:00:00Z", "", "15", "events", "", "1.4999999999999987"},
			{"checkout", "1", "events", "", "", "", "", "", "2026-10-12T00:00:00Z", "2026-10-12T01:00:00Z", "", "4", "events", "", "0.7999999999999993"},
		},
	}
	for name, rows := range want {
		tb, ok := tables[name]
		if !ok {
			t.Errorf("no table %s", name)
			continue
		}
		if diff := cmp.Diff(rows, append([][]string{tb.Header}, tb.Rows...)); diff != "" {
			t.Errorf("%s.csv (-want +got):\n%s", name, diff)
		}
	}
	trend := tables["objective_trends"]
	if len(trend.Rows) != 2*12 {
		t.Errorf("%d trend rows, want 12 per objective", len(trend.Rows))
	}
	// November 2025, the oldest of the twelve, has no data: an empty attainment, never a zero.
	if r := trend.Rows[0]; r[1] != "2025-11" || r[4] != "" || r[5] != "no_data" {
		t.Errorf("oldest trend row %v, want 2025-11 without attainment", r)
	}
}

// TestCSVZipAndDir: the zip holds every table, and the folder the same files with the same bytes.
func TestCSVZipAndDir(t *testing.T) {
	rep := mustDemoReport(t, Request{})
	var buf bytes.Buffer
	if err := Render(context.Background(), &buf, rep, CSV); err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	written, err := WriteCSVDir(dir, rep)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range z.File {
		names = append(names, f.Name)
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		inZip, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		onDisk, err := os.ReadFile(filepath.Join(dir, f.Name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(inZip, onDisk) {
			t.Errorf("%s differs between the zip and the folder", f.Name)
		}
		if !f.Modified.Equal(rep.GeneratedAt) {
			t.Errorf("%s dated %s, want the report's instant", f.Name, f.Modified)
		}
	}
	wantNames := []string{"summary.csv", "incomplete.csv", "objectives.csv", "objective_trends.csv", "costliest.csv", "contracts.csv",
		"contract_objectives.csv", "risks.csv", "kpis.csv", "kpi_trends.csv", "volumes.csv", "backlog_age.csv", "groups.csv", "problems.csv", "costs.csv",
		"escalations.csv"}
	if diff := cmp.Diff(wantNames, names); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if len(written) != len(wantNames) {
		t.Errorf("%d files written, want %d", len(written), len(wantNames))
	}
	// The demo's per-team table: one row per group, a value and a status per column.
	groups := readCSV(t, bytes.NewReader(mustRead(t, filepath.Join(dir, "groups.csv"))))
	if len(groups) != 4 || !slices.Equal(groups[0][:4], []string{"source", "group", "created", "created_status"}) || groups[1][1] != "apps" {
		t.Errorf("groups.csv %v", groups)
	}
}

// TestCSVCells: text a spreadsheet would run as a formula is made plain text; negative numbers
// stay numbers.
func TestCSVCells(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+x": "'+x", "@SUM(A1)": "'@SUM(A1)", "-x": "'-x", "-0.25": "-0.25",
		"\tx": "'\tx", "INC-1": "INC-1", "": ""} {
		if got := cell(in); got != want {
			t.Errorf("cell(%q) = %q, want %q", in, got, want)
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
