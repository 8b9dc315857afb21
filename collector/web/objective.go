package web

import (
	"cmp"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/prometheus/common/model"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/display"
	"github.com/sla-exporter/sla_exporter/collector/evaluation"
	"github.com/sla-exporter/sla_exporter/collector/explain"
	"github.com/sla-exporter/sla_exporter/slo"
)

// burnDownPoints is how many instants an objective page replays its budget at: enough for a
// month's curve to show its days, cheap enough to compute per view (each is one evaluation).
const burnDownPoints = 61

// maxOpenShown is how many open tickets an objective page lists, the most urgent; the rest are a
// link away.
const maxOpenShown = 20

// objectiveView is an objective's page.
type objectiveView struct {
	Page        pageBase
	Zone        string
	Row         objectiveRow
	Description string
	PeriodRange string
	Figures     []figure
	BurnDown    *chart
	Budget      []budgetRow
	Trend       *chart
	History     []historyRow
	BurnRates   []burnRow
	// Ticket objectives: the open cycles by time left, and the selected period's breached ones.
	Ticket       bool
	Open         []cycleView
	MoreOpen     string
	OpenURL      string
	Periods      []periodOption
	Period       string
	Breached     []cycleView
	AllTickets   string
	DrillProblem string
	// Escalation is the open cycles per escalation level (escalation.go), for objectives with levels.
	Escalation *escalationTable
}

// figure is one of the page's headline figures.
type figure struct {
	Label, Value, Note string
}

type budgetRow struct {
	At, Left, Attainment string
}

type historyRow struct {
	Label, Attainment string
	Status            badge
	TicketsURL        string
}

type burnRow struct {
	Window, Rate, Lasts string
	Hot                 bool
}

type periodOption struct {
	Value, Label string
	Selected     bool
}

// objectiveResult finds an objective in the snapshot.
func objectiveResult(snap *collector.Snapshot, name string) *collector.ObjectiveResult {
	for i := range snap.Objectives {
		if snap.Objectives[i].Objective == name {
			return &snap.Objectives[i]
		}
	}
	return nil
}

func objectivePageHandler(w http.ResponseWriter, r *http.Request, o Options) {
	snap := o.Expo.Snapshot()
	name := r.PathValue("name")
	res := objectiveResult(snap, name)
	if res == nil {
		errorPage(w, o, snap, http.StatusNotFound, "No objective is named "+fmt.Sprintf("%q", name)+".")
		return
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	for key := range q {
		if key != "period" {
			err = fmt.Errorf("unknown parameter %q: the page takes period", key)
		}
	}
	if err != nil {
		errorPage(w, o, snap, http.StatusBadRequest, err.Error())
		return
	}
	v := buildObjective(o, snap, res, q.Get("period"))
	render(w, o.Logger, objectivePage, http.StatusOK, v)
}

func buildObjective(o Options, snap *collector.Snapshot, res *collector.ObjectiveResult, period string) objectiveView {
	x := explainer{snap: snap, cfg: o.config()}
	loc := res.Location
	v := objectiveView{Page: newPageBase(o, snap, loc), Zone: zoneOf(loc), Ticket: res.Kind == slo.TicketSLA}
	if cfg := x.cfg; cfg != nil {
		for i := range cfg.Objectives {
			if cfg.Objectives[i].Name == res.Objective {
				v.Description = cfg.Objectives[i].Description
			}
		}
	}
	if !res.PeriodStart.IsZero() {
		v.PeriodRange = display.Time(res.PeriodStart, loc) + " to " + display.Time(res.PeriodEnd, loc)
	}
	var open []evaluation.CycleRow
	if v.Ticket && o.Evaluator != nil {
		d, err := o.Evaluator.Drill(res.Objective, evaluation.CycleFilter{State: "open"}, snap.At)
		if err == nil {
			open = d.Rows
		}
	}
	ctx := x.context(res)
	if len(open) > 0 {
		ctx.AtRiskByPriority = map[string]int{}
		for _, c := range open {
			if c.State == "in_progress" && c.AtRisk {
				ctx.AtRiskByPriority[c.Priority]++
			}
		}
	}
	v.Row = x.objectiveRow(res)
	e := explain.Objective(res, ctx)
	v.Row.Notes = e.Notes
	if !res.Stale {
		v.Figures = figures(res, v.Row)
		v.BurnRates = burnRows(res)
		if o.Evaluator != nil && !snap.At.IsZero() {
			if pts, err := o.Evaluator.BurnDown(res.Objective, snap.At, burnDownPoints); err == nil {
				v.BurnDown = burnDownChart(res, pts, snap.At)
				v.Budget = budgetRows(pts, loc)
			} else if o.Logger != nil {
				o.Logger.Error("budget burn-down", "objective", res.Objective, "err", err)
			}
		}
	}
	v.Trend = trendChart(res)
	for i := len(res.History) - 1; i >= 0; i-- {
		h := res.History[i]
		row := historyRow{Label: h.Label, Status: statusBadge("no_data")}
		if h.HasData {
			row.Attainment = display.PercentVs(h.Attainment, res.Target)
			row.Status = badge{Class: "ok", Symbol: "●", Word: "met"}
			if h.Attainment < res.Target {
				row.Status = badge{Class: "breached", Symbol: "✕", Word: "missed"}
			}
		}
		if v.Ticket {
			row.TicketsURL = ticketsURL(res.Objective, url.Values{"period": {h.Label}})
		}
		v.History = append(v.History, row)
	}
	if v.Ticket {
		// The most urgent first: the least working time left, the longest overdue.
		slices.SortStableFunc(open, func(a, b evaluation.CycleRow) int { return cmp.Compare(a.Remaining, b.Remaining) })
		if len(open) > maxOpenShown {
			v.MoreOpen = display.Count(float64(len(open) - maxOpenShown))
			v.OpenURL = ticketsURL(res.Objective, url.Values{"state": {"open"}})
			open = open[:maxOpenShown]
		}
		v.Open = x.cycleViews(res.Objective, open, loc)
		v.Escalation = escalationView(objectiveLevels(x.cfg, res.Objective), res)
		v.ticketDrill(o, x, res, period, loc)
	}
	return v
}

// ticketDrill fills the period selector and the breached cycles of the period chosen.
func (v *objectiveView) ticketDrill(o Options, x explainer, res *collector.ObjectiveResult, period string, loc *time.Location) {
	v.Periods = []periodOption{{Value: "", Label: "current (" + res.PeriodLabel + ")"}}
	for i := len(res.History) - 1; i >= 0; i-- {
		v.Periods = append(v.Periods, periodOption{Value: res.History[i].Label, Label: res.History[i].Label})
	}
	if len(res.History) == 0 {
		v.Periods = append(v.Periods, periodOption{Value: "previous", Label: "previous"})
	}
	for i := range v.Periods {
		v.Periods[i].Selected = v.Periods[i].Value == period
	}
	d, err := o.Evaluator.Drill(res.Objective, evaluation.CycleFilter{State: "breached", Period: period}, x.snap.At)
	if err != nil {
		v.DrillProblem = err.Error()
		return
	}
	v.Period = d.Period.Label
	v.Breached = x.cycleViews(res.Objective, d.Rows, loc)
	q := url.Values{}
	if period != "" {
		q.Set("period", period)
	}
	v.AllTickets = ticketsURL(res.Objective, q)
}

func figures(res *collector.ObjectiveResult, row objectiveRow) []figure {
	fs := []figure{
		{Label: "Attainment so far", Value: row.Attainment, Note: "target " + row.Target},
		{Label: "Forecast at the period's end", Value: row.Forecast},
		{Label: "Error budget left", Value: row.Budget},
	}
	if res.HasData {
		total := display.Quantity(res.BudgetTotal, string(res.Unit))
		spent := display.Quantity(res.BudgetConsumed, string(res.Unit))
		fs[2].Note = spent + " spent of " + total
	}
	if row.Exhaustion != "" {
		fs = append(fs, figure{Label: "Budget runs out", Value: row.Exhaustion, Note: "at the recent burn"})
	}
	switch res.Kind {
	case slo.TicketSLA:
		fs = append(fs, figure{Label: "Ticket cycles decided", Value: display.Count(res.Good + res.Bad),
			Note: display.Count(res.Good) + " met, " + display.Count(res.Bad) + " breached"})
		fs = append(fs, figure{Label: "Open tickets", Value: row.Open, Note: display.Count(res.ExpectedBreaches) + " expected to breach"})
	case slo.Availability:
		fs = append(fs, figure{Label: "Downtime", Value: display.Duration(res.Bad),
			Note: display.Duration(res.Excluded) + " excluded (maintenance), data covers " + display.Percent(res.Coverage)})
	case slo.EventRatio:
		fs = append(fs, figure{Label: "Events", Value: display.Count(res.Good + res.Bad), Note: display.Count(res.Bad) + " bad"})
	}
	fs = append(fs, toolFigures(res)...)
	out := fs[:0]
	for _, f := range fs {
		if f.Value != "" {
			out = append(out, f)
		}
	}
	return out
}

// burnRows explain each burn rate as how long the whole budget would last at that pace.
func burnRows(res *collector.ObjectiveResult) []burnRow {
	period := res.PeriodEnd.Sub(res.PeriodStart).Seconds()
	var out []burnRow
	for _, b := range sortedRates(res.BurnRates) {
		r := burnRow{Window: windowName(b.Window), Rate: display.Rate(b.Rate), Hot: b.Rate >= explain.NoteBurnRate}
		switch {
		case b.Rate <= 0:
			r.Lasts = "nothing spent"
		case period > 0 && !math.IsInf(b.Rate, 0):
			r.Lasts = "the whole budget in " + display.Duration(period/b.Rate)
		}
		out = append(out, r)
	}
	return out
}

// budgetRows tabulate the burn-down for readers of the table rather than the chart: one row a
// day at most.
func budgetRows(pts []evaluation.BudgetPoint, loc *time.Location) []budgetRow {
	var out []budgetRow
	var last time.Time
	for i, p := range pts {
		if i != len(pts)-1 && !last.IsZero() && p.At.Sub(last) < 20*time.Hour {
			continue
		}
		last = p.At
		r := budgetRow{At: display.Time(p.At, loc), Left: display.Percent(p.RemainingRatio)}
		if p.HasData {
			r.Attainment = display.Percent(p.Attainment)
		}
		out = append(out, r)
	}
	return out
}

// windowName writes a burn window as the configuration does ("1h", "3d").
func windowName(d time.Duration) string { return model.Duration(d).String() }
