package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/display"
	"github.com/sla-exporter/sla_exporter/collector/evaluation"
	"github.com/sla-exporter/sla_exporter/slo"
)

// ticketsView is the page listing an objective's ticket cycles in a period.
type ticketsView struct {
	Page    pageBase
	Zone    string
	Name    string
	URL     string
	Period  string
	Range   string
	AsOf    string
	Current bool
	Periods []periodOption
	States  []periodOption
	// Native says the cycles were compared with the ticket tool's own SLA records: the page
	// shows them, and Natives filters on the comparison.
	Native  bool
	Natives []periodOption
	// Levels filters on the objective's escalation levels, when it has any.
	Levels   []periodOption
	Rows     []cycleView
	Count    string
	CSV      string
	Problems string
}

func ticketsPageHandler(w http.ResponseWriter, r *http.Request, o Options) {
	snap := o.Expo.Snapshot()
	name := r.PathValue("name")
	res := objectiveResult(snap, name)
	if res == nil || res.Kind != slo.TicketSLA {
		errorPage(w, o, snap, http.StatusNotFound, fmt.Sprintf("No ticket objective is named %q.", name))
		return
	}
	q, err := parseDrillQuery(r)
	if err == nil && q.format != "" {
		err = fmt.Errorf("format %q: this page is HTML; the CSV is linked from it", q.format)
	}
	if err != nil {
		errorPage(w, o, snap, http.StatusBadRequest, err.Error())
		return
	}
	d, err := o.Evaluator.Drill(name, q.filter, snap.At)
	if err != nil {
		errorPage(w, o, snap, http.StatusBadRequest, err.Error())
		return
	}
	x := explainer{snap: snap, cfg: o.config()}
	loc := res.Location
	v := ticketsView{Page: newPageBase(o, snap, loc), Zone: zoneOf(loc), Name: name, URL: objectiveURL(name),
		Period: d.Period.Label, Current: d.Period.Current, Range: display.Time(d.Period.Start, loc) + " to " + display.Time(d.Period.End, loc),
		AsOf: display.Time(d.Period.At, loc), Rows: x.cycleViews(name, d.Rows, loc), Count: display.Count(float64(len(d.Rows)))}
	v.Periods = []periodOption{{Value: "", Label: "current (" + res.PeriodLabel + ")"}}
	for i := len(res.History) - 1; i >= 0; i-- {
		v.Periods = append(v.Periods, periodOption{Value: res.History[i].Label, Label: res.History[i].Label})
	}
	if !slices.ContainsFunc(v.Periods, func(p periodOption) bool { return p.Value == q.filter.Period }) {
		v.Periods = append(v.Periods, periodOption{Value: q.filter.Period, Label: d.Period.Label})
	}
	for i := range v.Periods {
		v.Periods[i].Selected = v.Periods[i].Value == q.filter.Period
	}
	v.States = []periodOption{{Value: "", Label: "all"}}
	for _, s := range evaluation.DrillStates {
		v.States = append(v.States, periodOption{Value: s, Label: s, Selected: s == q.filter.State})
	}
	v.Native = d.Native
	if d.Native {
		v.Natives = []periodOption{{Value: "", Label: "all"}}
		for _, f := range evaluation.NativeFilters {
			v.Natives = append(v.Natives, periodOption{Value: f, Label: f, Selected: f == q.filter.Native})
		}
	}
	v.Levels = levelOptions(res.Escalation, q.filter.Level)
	csvq := url.Values{"format": {"csv"}}
	if q.filter.Level > 0 {
		csvq.Set("level", strconv.Itoa(q.filter.Level))
	}
	for k, val := range map[string]string{"period": q.filter.Period, "state": q.filter.State, "deadline": q.filter.Deadline, "native": q.filter.Native} {
		if val != "" {
			csvq.Set(k, val)
		}
	}
	v.CSV = "/api/v1/objectives/" + url.PathEscape(name) + "/tickets?" + csvq.Encode()
	render(w, o.Logger, ticketsPage, http.StatusOK, v)
}

// errorView is a page saying what was wrong with a request.
type errorView struct {
	Page    pageBase
	Message string
}

func errorPage(w http.ResponseWriter, o Options, snap *collector.Snapshot, status int, msg string) {
	render(w, o.Logger, errorPageSet, status, errorView{Page: newPageBase(o, snap, snap.Location), Message: msg})
}
