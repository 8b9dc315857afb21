package file

import (
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/kpi"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// The ServiceNow sample: 5,998 rows, 890 incidents (see testdata/README for its origin).
const (
	servicenowCSV     = "testdata/servicenow-incident-event-log-sample.csv"
	servicenowRows    = 5998
	servicenowTickets = 890
)

// loadServiceNow ingests the sample with the example mapping.
func loadServiceNow(t *testing.T) collector.Batch {
	t.Helper()
	data, err := os.ReadFile("testdata/servicenow.yml")
	if err != nil {
		t.Fatal(err)
	}
	return syncOK(t, newSource(t, "testdata", string(data)), nil)
}

// TestServiceNow_ingest checks the counts and the whole batch against a golden file.
func TestServiceNow_ingest(t *testing.T) {
	b := loadServiceNow(t)
	// Five rows carry a status time before the incident's opened_at (a New or Active row stamped
	// before opened_at was edited): they are rejected, their incidents kept.
	rejectedTickets := 0
	for _, r := range b.Rejected {
		if !strings.Contains(r.Reason, "row left out of ticket") {
			rejectedTickets++
		}
	}
	t.Logf("%d tickets from %d incidents; %d rows rejected, %d of them whole incidents", len(b.Tickets), servicenowTickets, len(b.Rejected), rejectedTickets)
	if len(b.Tickets) != servicenowTickets-rejectedTickets || len(b.Rejected) != 5 || rejectedTickets != 0 {
		t.Errorf("got %d tickets and %d rejections (%d of incidents), want %d tickets and the 5 early rows",
			len(b.Tickets), len(b.Rejected), rejectedTickets, servicenowTickets)
	}
	var sb strings.Builder
	for _, tk := range b.Tickets {
		if err := tk.Validate(); err != nil {
			t.Errorf("ticket does not validate: %v", err)
		}
		writeTicket(&sb, &tk)
	}
	for _, r := range b.Rejected {
		fmt.Fprintf(&sb, "rejected %s: %s\n", r.Where, r.Reason)
	}
	golden(t, "servicenow.txt", []byte(sb.String()))
}

// writeTicket writes a ticket on one line for golden files.
func writeTicket(sb *strings.Builder, t *ticket.Ticket) {
	st := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.UTC().Format("2006-01-02T15:04")
	}
	var fields []string
	for k, v := range t.Fields {
		fields = append(fields, k+"="+v)
	}
	slices.Sort(fields)
	fmt.Fprintf(sb, "%s created=%s priority=%q type=%q group=%q response=%s rating=%d reassignments=%d fields={%s} history=[",
		t.ID, st(t.Created), t.Priority, t.Type, t.Group, st(t.FirstResponse), t.Rating, t.Reassignments, strings.Join(fields, ", "))
	for i, h := range t.History {
		if i > 0 {
			sb.WriteString(", ")
		}
		fmt.Fprintf(sb, "%s %s (%s)", st(h.At), h.Status, h.Category)
	}
	sb.WriteString("]\n")
}

// rawIncident is an incident as the independent pass below reads it.
type rawIncident struct {
	opened time.Time
	// rows in sys_mod_count order, then time; without rows before opened, repeats of the state
	// before, and rows stamped before the row kept before them. So they are in time order.
	rows []rawRow
}

type rawRow struct {
	at    time.Time
	seq   int
	state string
}

// readRaw reads the sample straight from its columns, with none of the package's code.
func readRaw(t *testing.T) map[string]*rawIncident {
	t.Helper()
	f, err := os.Open(servicenowCSV)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != servicenowRows+1 {
		t.Fatalf("%d rows, want %d", len(recs)-1, servicenowRows)
	}
	col := map[string]int{}
	for i, name := range recs[0] {
		col[name] = i
	}
	parse := func(s string) time.Time {
		tm, err := time.Parse("02-01-2006 15:04", s)
		if err != nil {
			t.Fatalf("raw time %q: %v", s, err)
		}
		return tm
	}
	incs := map[string]*rawIncident{}
	for _, r := range recs[1:] {
		id := r[col["number"]]
		inc := incs[id]
		if inc == nil {
			inc = &rawIncident{opened: parse(r[col["opened_at"]])}
			incs[id] = inc
		}
		seq, err := strconv.Atoi(r[col["sys_mod_count"]])
		if err != nil {
			t.Fatalf("raw sys_mod_count: %v", err)
		}
		inc.rows = append(inc.rows, rawRow{at: parse(r[col["sys_updated_at"]]), seq: seq, state: r[col["incident_state"]]})
	}
	for _, inc := range incs {
		slices.SortStableFunc(inc.rows, func(a, b rawRow) int {
			if a.seq != b.seq {
				return a.seq - b.seq
			}
			return a.at.Compare(b.at)
		})
		var kept []rawRow
		for _, r := range inc.rows {
			n := len(kept)
			switch {
			case r.at.Before(inc.opened):
			case n > 0 && r.state == kept[n-1].state:
			case n > 0 && r.at.Before(kept[n-1].at):
			default:
				kept = append(kept, r)
			}
		}
		inc.rows = kept
	}
	return incs
}

func stopped(state string) bool { return state == "Resolved" || state == "Closed" }

// known is the incident's rows up to now.
func (inc *rawIncident) known(now time.Time) []rawRow {
	n := 0
	for n < len(inc.rows) && !inc.rows[n].at.After(now) {
		n++
	}
	return inc.rows[:n]
}

// resolution: when the last known state is Resolved or Closed, the start of that final run of
// Resolved and Closed rows.
func (inc *rawIncident) resolution(now time.Time) (at time.Time, run int, ok bool) {
	rows := inc.known(now)
	run = len(rows)
	for run > 0 && stopped(rows[run-1].state) {
		run--
	}
	if run == len(rows) {
		return time.Time{}, 0, false
	}
	return rows[run].at, run, true
}

// rawMTTR is the mean of resolution - opened over incidents resolved in [from, to), in seconds,
// optionally without the time spent in Awaiting states before the resolution.
func rawMTTR(incs map[string]*rawIncident, from, to, now time.Time, excludePaused bool) (float64, int) {
	var sum float64
	n := 0
	for _, inc := range incs {
		if inc.opened.After(now) {
			continue
		}
		at, run, ok := inc.resolution(now)
		if !ok || at.Before(from) || !at.Before(to) {
			continue
		}
		d := at.Sub(inc.opened)
		if excludePaused {
			rows := inc.known(now)
			for i := range run {
				if strings.HasPrefix(rows[i].state, "Awaiting") {
					d -= rows[i+1].at.Sub(rows[i].at)
				}
			}
			d = max(d, 0)
		}
		sum += d.Seconds()
		n++
	}
	return sum / float64(n), n
}

// rawMTTA is the mean of first Active - opened over incidents whose first Active is in [from, to).
func rawMTTA(incs map[string]*rawIncident, from, to, now time.Time) (float64, int) {
	var sum float64
	n := 0
	for _, inc := range incs {
		for _, r := range inc.known(now) {
			if r.state == "Active" {
				if !r.at.Before(from) && r.at.Before(to) {
					sum += r.at.Sub(inc.opened).Seconds()
					n++
				}
				break
			}
		}
	}
	return sum / float64(n), n
}

// rawBacklog counts incidents opened by now whose last known state is not Resolved or Closed.
func rawBacklog(incs map[string]*rawIncident, now time.Time) int {
	n := 0
	for _, inc := range incs {
		if inc.opened.After(now) {
			continue
		}
		rows := inc.known(now)
		if len(rows) == 0 || !stopped(rows[len(rows)-1].state) {
			n++
		}
	}
	return n
}

// TestServiceNow_kpis computes MTTR, MTTA and backlog with the engine from the ingested batch,
// and compares them with the same figures computed independently from the raw rows.
func TestServiceNow_kpis(t *testing.T) {
	b := loadServiceNow(t)
	st := ticket.NewStore(ticket.StoreOptions{})
	for i := range b.Tickets {
		if err := st.Add(&b.Tickets[i]); err != nil {
			t.Fatalf("store: %v", err)
		}
	}
	incs := readRaw(t)
	if len(incs) != servicenowTickets {
		t.Fatalf("raw pass found %d incidents", len(incs))
	}
	compute := func(spec kpi.Spec, from, to, now time.Time) kpi.Result {
		t.Helper()
		spec.Target, spec.Direction = 1, kpi.LowerIsBetter
		r, err := kpi.Compute(spec, st, nil, from.Unix(), to.Unix(), now.Unix())
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	end := utc("2017-03-01 00:00") // after the last row: everything is known
	windows := []struct {
		name          string
		from, to, now time.Time
	}{
		{"first week", utc("2016-02-29 00:00"), utc("2016-03-07 00:00"), end},
		{"rest of March", utc("2016-03-07 00:00"), utc("2016-04-01 00:00"), end},
		{"all", utc("2016-01-01 00:00"), end, end},
		{"first days as known on 5 March", utc("2016-02-29 00:00"), utc("2016-03-05 00:00"), utc("2016-03-05 00:00")},
		{"first day as known that evening", utc("2016-02-29 00:00"), utc("2016-03-01 00:00"), utc("2016-02-29 20:00")},
	}
	same := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }
	for _, w := range windows {
		for _, excl := range []bool{false, true} {
			want, n := rawMTTR(incs, w.from, w.to, w.now, excl)
			got := compute(kpi.Spec{Name: "mttr", Kind: kpi.MTTR, Stat: kpi.Mean, ExcludePaused: excl}, w.from, w.to, w.now)
			t.Logf("mttr %s (exclude paused %v): %d incidents, mean %.0f s (%.1f h)", w.name, excl, n, want, want/3600)
			if n == 0 {
				t.Errorf("mttr %s: the raw pass found no resolved incident; pick another window", w.name)
			}
			if got.Samples != n || !same(got.Value, want) {
				t.Errorf("mttr %s (exclude paused %v): engine %d samples, mean %v; raw rows %d, mean %v", w.name, excl, got.Samples, got.Value, n, want)
			}
		}
		want, n := rawMTTA(incs, w.from, w.to, w.now)
		got := compute(kpi.Spec{Name: "mtta", Kind: kpi.MTTA, Stat: kpi.Mean}, w.from, w.to, w.now)
		t.Logf("mtta %s: %d incidents, mean %.0f s", w.name, n, want)
		if got.Samples != n || !same(got.Value, want) {
			t.Errorf("mtta %s: engine %d samples, mean %v; raw rows %d, mean %v", w.name, got.Samples, got.Value, n, want)
		}
	}
	for _, s := range []string{"2016-02-29 06:00", "2016-02-29 23:59", "2016-03-01 12:00", "2016-03-03 00:00", "2016-03-10 00:00", "2016-06-01 00:00", "2017-03-01 00:00"} {
		now := utc(s)
		want := rawBacklog(incs, now)
		got := compute(kpi.Spec{Name: "backlog", Kind: kpi.Backlog}, now.Add(-time.Hour), now, now)
		t.Logf("backlog at %s: %d", s, want)
		if int(got.Value) != want {
			t.Errorf("backlog at %s: engine %v, raw rows %d", s, got.Value, want)
		}
	}
}

// TestServiceNow_realExportStyle: the example mapping reads the full data set's (and many
// exports') dates, 29/2/2016 01:16, as it reads the sample's 29-02-2016 01:16. The fixture holds
// four incidents of the sample with their dates so written.
func TestServiceNow_realExportStyle(t *testing.T) {
	const realStyle = "servicenow-real-style.csv"
	data, err := os.ReadFile("testdata/servicenow.yml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.Replace(string(data), "path: servicenow-incident-event-log-sample.csv", "path: "+realStyle, 1)
	sample := loadServiceNow(t)
	b := syncOK(t, newSource(t, "testdata", cfg), nil)
	byID := map[string]ticket.Ticket{}
	for _, tk := range sample.Tickets {
		byID[tk.ID] = tk
	}
	var want []ticket.Ticket
	for _, id := range []string{"INC0000045", "INC0000135", "INC0000137", "INC0000164"} {
		want = append(want, byID[id])
	}
	if d := cmp.Diff(want, b.Tickets); d != "" {
		t.Errorf("tickets differ from the sample's (-sample +real style):\n%s", d)
	}
	// INC0000135 and INC0000164 have a row stamped before opened_at, as in the sample: the same
	// reasons (times are written in the first layout), at the fixture's lines.
	var wantReasons, gotReasons []string
	for _, r := range sample.Rejected {
		if strings.Contains(r.Reason, "INC0000135") || strings.Contains(r.Reason, "INC0000164") {
			wantReasons = append(wantReasons, r.Reason)
		}
	}
	for _, r := range b.Rejected {
		gotReasons = append(gotReasons, r.Reason)
	}
	if d := cmp.Diff(wantReasons, gotReasons); d != "" || len(gotReasons) != 2 {
		t.Errorf("rejections (-sample +real style):\n%s", d)
	}

	// A date in none of the layouts: the reason names the column, the value and every layout.
	dir := t.TempDir()
	raw := string(fixture(t, realStyle))
	bad := strings.Replace(strings.SplitAfter(raw, "\n")[1], "INC0000045", "INC0000999", 1)
	bad = strings.Replace(bad, "29/2/2016 01:16", "2016/02/29 01:16", 1) // opened_at
	write(t, filepath.Join(dir, realStyle), raw+bad)
	b = syncOK(t, newSource(t, dir, cfg), nil)
	wantRej := collector.Rejection{Where: realStyle + ":25", Reason: `column "opened_at": "2016/02/29 01:16" matches none of the layouts "02-01-2006 15:04", "2/1/2006 15:04", "2006-01-02 15:04:05"`}
	if n := len(b.Rejected); n != 3 || !cmp.Equal(b.Rejected[2], wantRej, reasonsOnly) {
		t.Errorf("rejections %v, want the two early rows and %v", b.Rejected, wantRej)
	}
}
