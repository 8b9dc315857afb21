package web

import (
	"cmp"
	"math"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/display"
	"github.com/sla-exporter/sla_exporter/collector/explain"
	"github.com/sla-exporter/sla_exporter/slo"
)

// The pages are rendered from view models whose figures are already formatted: the templates
// only lay them out, and the tests compare the models' strings with those of the API.

// statusWords are the statuses as the page names them, with a symbol so that none is told by
// its colour alone.
var statusWords = map[string]struct{ symbol, word string }{
	"ok":       {"●", "kept"},
	"at_risk":  {"▲", "at risk"},
	"breached": {"✕", "breached"},
	"no_data":  {"○", "no data"},
}

// badge is a status as shown: its class (the status name) and its words.
type badge struct {
	Class, Symbol, Word string
}

func statusBadge(status string) badge {
	w, ok := statusWords[status]
	if !ok {
		return badge{Class: status, Word: status}
	}
	return badge{Class: status, Symbol: w.symbol, Word: w.word}
}

// explainer explains objectives with what the snapshot alone does not say: which source feeds
// each one, and the staleness limit. cfg may be nil (one-shot commands): the reasons of stale
// objectives are then less precise.
type explainer struct {
	snap *collector.Snapshot
	cfg  *config.Config
}

func (x explainer) context(o *collector.ObjectiveResult) explain.Context {
	c := explain.Context{At: x.snap.At}
	if x.cfg == nil {
		return c
	}
	c.Staleness = x.cfg.Global.Staleness
	src := x.source(o.Objective)
	for i := range x.snap.Sources {
		if x.snap.Sources[i].Name == src {
			c.Source = &x.snap.Sources[i]
		}
	}
	return c
}

// source names the source an objective reads, "" when unknown.
func (x explainer) source(objective string) string {
	if x.cfg == nil {
		return ""
	}
	for i := range x.cfg.Objectives {
		if x.cfg.Objectives[i].Name == objective {
			return x.cfg.Objectives[i].Source
		}
	}
	return ""
}

// ticketLink is the link to a ticket of an objective in its tool, "" without a ticket_url.
func (x explainer) ticketLink(objective, id string) string {
	if x.cfg == nil {
		return ""
	}
	return x.cfg.TicketLink(x.source(objective), id)
}

func (x explainer) explain(o *collector.ObjectiveResult) explain.Explanation {
	return explain.Objective(o, x.context(o))
}

// objectiveURL is an objective's page; the name is a path segment, escaped as one.
func objectiveURL(name string) string { return "/objectives/" + url.PathEscape(name) }

// ticketsURL is the page listing an objective's ticket cycles, with its query.
func ticketsURL(name string, q url.Values) string {
	u := objectiveURL(name) + "/tickets"
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// rateView is a burn rate over a window.
type rateView struct {
	Window, Rate string
	// Hot marks a rate at or above explain.NoteBurnRate.
	Hot bool
}

// objectiveRow is an objective as the status page's table and the objective page's header show
// it. A figure that does not exist is "".
type objectiveRow struct {
	Name, URL, Service, Kind, Period string
	Status                           badge
	Reasons, Notes                   []string
	Attainment, Target, Forecast     string
	Budget                           string
	// BudgetRatio is the share of the budget left, for the meter; HasBudget whether to draw it.
	BudgetRatio float64
	HasBudget   bool
	Exhaustion  string
	BurnRates   []rateView
	// Open sums up a ticket objective's open tickets; TicketsURL lists them.
	Open       string
	TicketsURL string
	// Escalated is the highest escalation level with open cycles (escalation.go).
	Escalated *escalatedNote
}

func (x explainer) objectiveRow(o *collector.ObjectiveResult) objectiveRow {
	e := x.explain(o)
	r := objectiveRow{
		Name: o.Objective, URL: objectiveURL(o.Objective), Service: o.Service, Kind: string(o.Kind), Period: o.PeriodLabel,
		Status: statusBadge(e.Status), Notes: e.Notes, Target: display.Percent(o.Target),
	}
	for _, reason := range e.Reasons {
		r.Reasons = append(r.Reasons, reason.Text)
	}
	if o.Stale {
		return r
	}
	if o.HasData {
		r.Attainment = display.PercentVs(o.Attainment, o.Target)
		r.Budget = display.Budget(o.BudgetRemaining, o.BudgetRemainingRatio, string(o.Unit))
		if ratio := o.BudgetRemainingRatio; !math.IsNaN(ratio) {
			r.BudgetRatio, r.HasBudget = min(max(ratio, 0), 1), true
		}
	}
	if o.HasForecast {
		r.Forecast = display.PercentVs(o.Forecast, o.Target)
	}
	if !o.Exhaustion.IsZero() {
		r.Exhaustion = display.Time(o.Exhaustion, o.Location)
	}
	if o.HasData {
		r.BurnRates = burnRates(o.BurnRates)
	}
	if o.Kind == slo.TicketSLA {
		r.Open = openText(o.Open)
		r.TicketsURL = ticketsURL(o.Objective, url.Values{"state": {"open"}})
		r.Escalated = highestEscalated(o)
	}
	return r
}

// burnRates are the windows an objective publishes, shortest first.
func burnRates(rs []slo.BurnRate) []rateView {
	out := make([]rateView, 0, len(rs))
	for _, b := range sortedRates(rs) {
		out = append(out, rateView{Window: windowName(b.Window), Rate: display.Rate(b.Rate), Hot: b.Rate >= explain.NoteBurnRate})
	}
	return out
}

func sortedRates(rs []slo.BurnRate) []slo.BurnRate {
	rs = slices.Clone(rs)
	slices.SortFunc(rs, func(a, b slo.BurnRate) int { return cmp.Compare(a.Window, b.Window) })
	return rs
}

// openText sums up open cycles: "12 open: 2 at risk, 1 breached, 1 paused".
func openText(o slo.OpenCycles) string {
	n := o.Within + o.AtRisk + o.Breached + o.Paused
	s := display.Count(float64(n)) + " open"
	var parts []string
	for _, p := range []struct {
		n    int
		what string
	}{{o.AtRisk, "at risk"}, {o.Breached, "breached"}, {o.Paused, "paused"}} {
		if p.n > 0 {
			parts = append(parts, display.Count(float64(p.n))+" "+p.what)
		}
	}
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, ", ")
	}
	return s
}

// tile counts objectives of one status.
type tile struct {
	Status badge
	Count  int
}

// tiles count the objectives by published status, in the order a reader scans for trouble:
// breached, at risk, no data, kept.
func tiles(rows []objectiveRow) []tile {
	out := []tile{{Status: statusBadge("breached")}, {Status: statusBadge("at_risk")}, {Status: statusBadge("no_data")}, {Status: statusBadge("ok")}}
	for _, r := range rows {
		for i := range out {
			if out[i].Status.Class == r.Status.Class {
				out[i].Count++
			}
		}
	}
	return out
}

// zoneOf names the zone times are shown in: "Europe/Rome".
func zoneOf(loc *time.Location) string {
	if loc == nil {
		return "UTC"
	}
	return loc.String()
}
