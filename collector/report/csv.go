package report

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Table is one CSV file of a report: a header and rows of cells. Numbers are in base units
// (ratios 0-1, seconds, counts, amounts), times RFC 3339 in the report's timezone, and absent
// figures are empty cells.
type Table struct {
	Name   string
	Header []string
	Rows   [][]string
}

// Tables lays the report out as tables, one per file.
func Tables(rep *Report) []Table {
	return []Table{
		summaryTable(rep), notesTable(rep), objectivesTable(rep), trendsTable(rep), costliestTable(rep),
		contractsTable(rep), contractObjectivesTable(rep), risksTable(rep), kpisTable(rep), kpiTrendsTable(rep),
		volumesTable(rep), backlogTable(rep), groupsTable(rep), problemsTable(rep),
		costsTable(rep), // cost.go

		escalationsTable(rep), // escalation.go
	}
}

// renderCSVZip writes every table into a zip, dated at the report's instant so that the same
// report gives the same bytes.
func renderCSVZip(_ context.Context, w io.Writer, rep *Report) error {
	z := zip.NewWriter(w)
	for _, t := range Tables(rep) {
		f, err := z.CreateHeader(&zip.FileHeader{Name: t.Name + ".csv", Method: zip.Deflate, Modified: rep.GeneratedAt})
		if err != nil {
			return err
		}
		if err := writeTable(f, t); err != nil {
			return err
		}
	}
	return z.Close()
}

// WriteCSVDir writes every table as a file into dir, creating it if needed, and returns the
// files written.
func WriteCSVDir(dir string, rep *Report) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var written []string
	for _, t := range Tables(rep) {
		var buf bytes.Buffer
		if err := writeTable(&buf, t); err != nil {
			return written, err
		}
		path := filepath.Join(dir, t.Name+".csv")
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			return written, err
		}
		written = append(written, path)
	}
	return written, nil
}

func writeTable(w io.Writer, t Table) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Header); err != nil {
		return err
	}
	for _, r := range t.Rows {
		clean := make([]string, len(r))
		for i, c := range r {
			clean[i] = cell(c)
		}
		if err := cw.Write(clean); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// cell neutralizes text a spreadsheet would run as a formula (=, +, @, tab or carriage return
// first, and - before anything but a number): names and ticket ids come from configurations and
// ITSM tools, and the CSV goes to a spreadsheet. A leading apostrophe makes it plain text, as
// OWASP recommends. Negative numbers (an overspent budget) stay numbers.
func cell(v string) string {
	if v == "" || !strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return v
	}
	if v[0] == '-' {
		if _, err := strconv.ParseFloat(v, 64); err == nil {
			return v
		}
	}
	return "'" + v
}

func num(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

func count(v *int) string {
	if v == nil {
		return ""
	}
	return strconv.Itoa(*v)
}

func flt(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

func stampPtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return stamp(*t)
}

func summaryTable(rep *Report) Table {
	t := Table{Name: "summary", Header: []string{"kind", "text"}}
	for _, s := range rep.Summary.Sentences {
		t.Rows = append(t.Rows, []string{s.Kind, s.Text})
	}
	return t
}

func notesTable(rep *Report) Table {
	t := Table{Name: "incomplete", Header: []string{"reason"}}
	for _, r := range rep.Incomplete {
		t.Rows = append(t.Rows, []string{r})
	}
	return t
}

func objectivesTable(rep *Report) Table {
	t := Table{Name: "objectives", Header: []string{"service", "objective", "kind", "unit", "target", "attainment", "verdict", "basis",
		"good", "bad", "error_budget_used", "coverage", "previous_attainment", "own_period", "complete", "incomplete"}}
	for _, s := range rep.Services {
		for _, o := range s.Objectives {
			t.Rows = append(t.Rows, []string{s.Name, o.Name, o.Kind, o.Unit, flt(o.Target), num(o.Attainment), o.Verdict, o.Basis,
				num(o.Good), num(o.Bad), num(o.BudgetUsed), num(o.Coverage), num(o.Previous), o.OwnPeriod,
				strconv.FormatBool(o.Complete), strings.Join(o.Incomplete, "; ")})
		}
	}
	return t
}

func trendsTable(rep *Report) Table {
	t := Table{Name: "objective_trends", Header: []string{"objective", "period", "start", "end", "attainment", "verdict", "complete"}}
	for _, s := range rep.Services {
		for _, o := range s.Objectives {
			for _, p := range o.Trend {
				t.Rows = append(t.Rows, []string{o.Name, p.Label, stamp(p.Start), stamp(p.End), num(p.Attainment), p.Verdict, strconv.FormatBool(p.Complete)})
			}
		}
	}
	return t
}

func costliestTable(rep *Report) Table {
	t := Table{Name: "costliest", Header: []string{"objective", "rank", "kind", "ticket", "ticket_url", "cycle", "priority", "group",
		"start", "end", "breached_at", "amount", "unit", "overrun_seconds", "budget_share"}}
	for _, s := range rep.Services {
		for _, o := range s.Objectives {
			for i, c := range o.Costliest {
				t.Rows = append(t.Rows, []string{o.Name, strconv.Itoa(i + 1), c.Kind, c.Ticket, c.TicketURL, cycleText(c), c.Priority, c.Group,
					stamp(c.Start), stamp(c.End), stampPtr(c.BreachedAt), flt(c.Amount), o.Unit, num(c.Overrun), num(c.BudgetShare)})
			}
		}
	}
	return t
}

func cycleText(c Cost) string {
	if c.Kind != costTicket {
		return ""
	}
	return strconv.Itoa(c.Cycle)
}

func allContracts(rep *Report) []Contract {
	return append(append([]Contract{}, rep.CustomerContracts...), rep.Suppliers...)
}

func contractsTable(rep *Report) Table {
	t := Table{Name: "contracts", Header: []string{"contract", "party", "counterparty", "period", "start", "end", "status",
		"credit_ratio", "credit_amount", "currency", "fee", "claim_deadline", "claim_by", "complete", "incomplete"}}
	for _, c := range allContracts(rep) {
		for _, p := range c.Periods {
			t.Rows = append(t.Rows, []string{c.Name, c.Party, c.Counterparty, p.Label, stamp(p.Start), stamp(p.End), p.Status,
				num(p.Ratio), num(p.Amount), c.Currency, num(c.Fee), stampPtr(p.ClaimDeadline), p.ClaimBy,
				strconv.FormatBool(p.Complete), strings.Join(p.Incomplete, "; ")})
		}
	}
	return t
}

func contractObjectivesTable(rep *Report) Table {
	t := Table{Name: "contract_objectives", Header: []string{"contract", "period", "objective", "target", "attainment", "tier_below", "tier_credit", "credit_ratio"}}
	for _, c := range allContracts(rep) {
		for _, p := range c.Periods {
			for _, o := range p.Objectives {
				below, credit := "", ""
				if o.Tier != nil {
					below, credit = flt(o.Tier.Below), flt(o.Tier.Credit)
				}
				t.Rows = append(t.Rows, []string{c.Name, p.Label, o.Name, flt(o.Target), num(o.Attainment), below, credit, num(o.Credit)})
			}
		}
	}
	return t
}

func risksTable(rep *Report) Table {
	t := Table{Name: "risks", Header: []string{"rank", "objective", "service", "kind", "period", "target", "attainment", "forecast",
		"budget_remaining_ratio", "budget_exhaustion", "breach_probability", "open_at_risk", "open_breached", "stale"}}
	for i, r := range rep.Summary.Risks {
		t.Rows = append(t.Rows, []string{strconv.Itoa(i + 1), r.Objective, r.Service, r.Kind, r.Period, flt(r.Target), num(r.Attainment), num(r.Forecast),
			num(r.BudgetRemaining), stampPtr(r.Exhaustion), num(r.BreachProbability), strconv.Itoa(r.OpenAtRisk), strconv.Itoa(r.OpenBreached),
			strconv.FormatBool(r.Stale)})
	}
	return t
}

func kpisTable(rep *Report) Table {
	t := Table{Name: "kpis", Header: []string{"kpi", "service", "kind", "unit", "value", "status", "target", "red", "direction", "samples", "previous", "target_note"}}
	if rep.Desk != nil {
		for _, k := range rep.Desk.KPIs {
			t.Rows = append(t.Rows, []string{k.Name, k.Service, k.Kind, k.Unit, num(k.Value), k.Status, flt(k.Target), num(k.Red), k.Direction,
				strconv.Itoa(k.Samples), num(k.Previous), k.TargetNote})
		}
	}
	return t
}

func kpiTrendsTable(rep *Report) Table {
	t := Table{Name: "kpi_trends", Header: []string{"kpi", "period", "value", "status"}}
	if rep.Desk != nil {
		for _, k := range rep.Desk.KPIs {
			for _, v := range k.Trend {
				t.Rows = append(t.Rows, []string{k.Name, v.Label, num(v.Value), v.Status})
			}
		}
	}
	return t
}

func volumesTable(rep *Report) Table {
	t := Table{Name: "volumes", Header: []string{"period", "created", "resolved"}}
	if rep.Desk != nil {
		for _, v := range rep.Desk.Volumes.Trend {
			t.Rows = append(t.Rows, []string{v.Label, count(v.Created), count(v.Resolved)})
		}
	}
	return t
}

func backlogTable(rep *Report) Table {
	t := Table{Name: "backlog_age", Header: []string{"at", "age", "from_seconds", "to_seconds", "count"}}
	if rep.Desk != nil {
		for _, a := range rep.Desk.Backlog.Ages {
			t.Rows = append(t.Rows, []string{stamp(rep.Desk.Backlog.At), a.Label, flt(a.From), num(a.To), count(a.Count)})
		}
	}
	return t
}

func groupsTable(rep *Report) Table {
	t := Table{Name: "groups", Header: []string{"source", "group"}}
	if rep.Desk == nil {
		return t
	}
	for _, c := range rep.Desk.Columns {
		t.Header = append(t.Header, c.Kind, c.Kind+"_status")
	}
	for _, g := range rep.Desk.Groups {
		row := []string{g.Source, g.Group}
		for _, c := range g.Cells {
			row = append(row, num(c.Value), c.Status)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func problemsTable(rep *Report) Table {
	t := Table{Name: "problems", Header: []string{"field", "value"}}
	p := rep.Problems
	if p == nil {
		return t
	}
	t.Header = append(t.Header, p.Periods...)
	t.Header = append(t.Header, "change", "change_ratio", "candidate")
	for _, f := range p.Fields {
		for _, r := range f.Rows {
			row := []string{f.Field, r.Value}
			for k, n := range r.Counts {
				if k < len(p.Held) && !p.Held[k] {
					row = append(row, "")
					continue
				}
				row = append(row, strconv.Itoa(n))
			}
			t.Rows = append(t.Rows, append(row, strconv.Itoa(r.Change), num(r.ChangeRatio), strconv.FormatBool(r.Candidate)))
		}
		if f.Others > 0 {
			// Only the report's period is counted for the values not listed.
			row := []string{f.Field, "(others)"}
			for range len(p.Periods) - 1 {
				row = append(row, "")
			}
			t.Rows = append(t.Rows, append(row, strconv.Itoa(f.Others), "", "", ""))
		}
	}
	return t
}
