package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/display"
)

// statusView is the status page: what a manager opens to see whether promises are kept, and
// why not. Every value is escaped by html/template; no source error text is shown (errors go to
// the log).
type statusView struct {
	Page       pageBase
	Zone       string
	Tiles      []tile
	Objectives []objectiveRow
	KPIs       []kpiRow
	Costs      []costGroup // costs.go
	Contracts  []contractRow
	Staffing   []staffingView // staffing.go
	Sources    []sourceRow
}

type kpiRow struct {
	Name, Service, Kind string
	Status              badge
	Value, Target       string
}

type sourceRow struct {
	Name        string
	Health      badge
	State       string
	LastSuccess string
	Records     string
	LastSync    string
	Rejected    string
	Reasons     []string
}

// sourceStates say what a source's state means for its figures.
var sourceStates = map[string]string{
	collector.SourcePending:    "first sync not done yet",
	collector.SourceSyncFailed: "its syncs fail: the last good data is kept (the error is in the log)",
	collector.SourceRejecting:  "too many malformed records: the batch was refused, the last good data kept",
	collector.SourceShrunk:     "a batch far smaller than the data held was refused, the last good data kept",
}

// config returns the configuration in use, nil without an evaluator.
func (o Options) config() *config.Config {
	if o.Evaluator == nil {
		return nil
	}
	return o.Evaluator.Config()
}

func buildStatus(o Options, snap *collector.Snapshot) statusView {
	x := explainer{snap: snap, cfg: o.config()}
	v := statusView{Page: newPageBase(o, snap, snap.Location), Zone: zoneOf(snap.Location)}
	for i := range snap.Objectives {
		v.Objectives = append(v.Objectives, x.objectiveRow(&snap.Objectives[i]))
	}
	v.Tiles = tiles(v.Objectives)
	v.Costs = costGroups(snap)
	for _, k := range KPIsJSON(snap) {
		v.KPIs = append(v.KPIs, kpiRow{Name: k.Name, Service: k.Service, Kind: k.Kind, Status: badge{Class: k.Status, Word: k.Status},
			Value: k.Display.Value, Target: k.Display.Target})
	}
	v.Contracts = contractRows(snap)
	v.Staffing = staffingViews(snap)
	for _, h := range snap.Sources {
		r := sourceRow{Name: h.Name, Health: badge{Class: "up", Symbol: "●", Word: "up"}, LastSuccess: display.Time(h.LastSuccess, snap.Location),
			Records: display.Count(float64(h.Records)), Rejected: display.Count(float64(h.Rejected))}
		if !h.Up {
			r.Health = badge{Class: "down", Symbol: "✕", Word: "down"}
			// The state's name, as sla_source_status publishes it, then what it means.
			r.State = h.State
			if words := sourceStates[h.State]; words != "" {
				r.State += ": " + words
			}
		}
		if h.Refusal != "" {
			r.State = strings.TrimSpace(r.State + " " + h.Refusal)
		}
		if c := h.LastSync; c.Read > 0 {
			r.LastSync = display.Count(float64(c.Accepted)) + " / " + display.Count(float64(c.Rejected))
		}
		for _, reason := range h.Reasons {
			r.Reasons = append(r.Reasons, fmt.Sprintf("%s × %s (e.g. %s)", display.Count(float64(reason.Count)), reason.Reason, reason.Example))
		}
		v.Sources = append(v.Sources, r)
	}
	return v
}

func page(w http.ResponseWriter, o Options) {
	snap := o.Expo.Snapshot()
	render(w, o.Logger, statusPage, http.StatusOK, buildStatus(o, snap))
}
