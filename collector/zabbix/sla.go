package zabbix

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
)

// Zabbix's own SLA figures (Zabbix 6.0 manual, "API → Method reference → SLA"): sla.getsli
// computes, per reporting period of the SLA and per service, the time the service was up and
// down within the SLA's schedule and since the service's creation, its excluded downtimes left
// out of both, up to the server's now; sli is uptime / (uptime + downtime) × 100, or -1 when
// nothing was counted. The periods are calendar days, weeks from Sunday, months, quarters or
// years in the SLA's timezone (CSla::getReportingPeriods).

// slaObject is an SLA of sla.get.
type slaObject struct {
	SLAID num    `json:"slaid"`
	Name  string `json:"name"`
	// SLO is the SLA's target, a percentage ("99.9").
	SLO num `json:"slo"`
}

// sliResult is sla.getsli's result: sli[period][service], in the order of periods and
// serviceids.
type sliResult struct {
	Periods []struct {
		From num `json:"period_from"`
		To   num `json:"period_to"`
	} `json:"periods"`
	ServiceIDs []num       `json:"serviceids"`
	SLI        [][]sliCell `json:"sli"`
}

// sliCell is one service's figures over one period, in seconds and percent.
type sliCell struct {
	Uptime      num `json:"uptime"`
	Downtime    num `json:"downtime"`
	SLI         num `json:"sli"`
	ErrorBudget num `json:"error_budget"`
}

// toolName is how the figures name their tool on the pages.
const toolName = "Zabbix"

// sliPeriods is how many of an SLA's periods each sync reads: the current one and the one
// before, the periods the evaluation compares.
const sliPeriods = 2

// toolSLIs reads each SLA's figures for the service of its series: sla.get once for all the
// SLAs, by name, then sla.getsli once per SLA for its current period and the one before (those
// holding now, counted back from period_to = now) and the services of its series. An SLA
// Zabbix does not have, or whose services do not include the series' service, is a rejection
// naming the setting; a period Zabbix counted nothing of (sli -1) gives no figure.
func (c *conn) toolSLIs(slas []slaSel, serviceIDs map[string]string, now time.Time) ([]collector.ToolSLI, []collector.Rejection, error) {
	var names []string
	for _, sl := range slas {
		// A service Zabbix has not is rejected already, by the series.
		if _, ok := serviceIDs[sl.service]; ok && !slices.Contains(names, sl.name) {
			names = append(names, sl.name)
		}
	}
	if len(names) == 0 {
		return nil, nil, nil
	}
	var found []slaObject
	params := map[string]any{"output": []string{"slaid", "name", "slo"}, "filter": map[string]any{"name": names}, "sortfield": "slaid"}
	if err := c.call("sla.get", params, &found); err != nil {
		return nil, nil, err
	}
	var (
		out      []collector.ToolSLI
		rejected []collector.Rejection
	)
	for _, name := range names {
		var entries []slaSel
		for _, sl := range slas {
			if _, ok := serviceIDs[sl.service]; ok && sl.name == name {
				entries = append(entries, sl)
			}
		}
		var same []slaObject
		for _, f := range found {
			if f.Name == name {
				same = append(same, f)
			}
		}
		if len(same) != 1 {
			reason, rule := fmt.Sprintf("no SLA %q in Zabbix (or the token's user may not read it)", name), "an SLA is not in Zabbix"
			if len(same) > 1 {
				reason, rule = fmt.Sprintf("%d SLAs are named %q: rename them apart", len(same), name), "an SLA name is not unique"
			}
			for _, sl := range entries {
				rejected = append(rejected, collector.Rejection{Where: fmt.Sprintf("SLA %q", name), Setting: fmt.Sprintf("zabbix.slas[%d].name", sl.index),
					Reason: reason, Rule: rule, Setup: true})
			}
			continue
		}
		slis, rj, err := c.sli(same[0], entries, serviceIDs, now)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, slis...)
		rejected = append(rejected, rj...)
	}
	slices.SortFunc(out, func(a, b collector.ToolSLI) int {
		if a.Series != b.Series {
			return strings.Compare(a.Series, b.Series)
		}
		return a.From.Compare(b.From)
	})
	return out, rejected, nil
}

// sli reads one SLA's figures for the services of its entries.
func (c *conn) sli(sla slaObject, entries []slaSel, serviceIDs map[string]string, now time.Time) ([]collector.ToolSLI, []collector.Rejection, error) {
	var ids []string
	for _, sl := range entries {
		if id := serviceIDs[sl.service]; !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, compareIDs)
	var r sliResult
	params := map[string]any{"slaid": string(sla.SLAID), "period_to": now.Unix(), "periods": sliPeriods, "serviceids": ids}
	if err := c.call("sla.getsli", params, &r); err != nil {
		return nil, nil, err
	}
	out, rejected, err := r.figures(sla, entries, serviceIDs, now)
	if err != nil {
		return nil, nil, fmt.Errorf("sla.getsli: SLA %q: %v", clip(sla.Name), err)
	}
	return out, rejected, nil
}

// figures turns the answer into a figure per entry and period.
func (r *sliResult) figures(sla slaObject, entries []slaSel, serviceIDs map[string]string, now time.Time) ([]collector.ToolSLI, []collector.Rejection, error) {
	slo, err := sla.SLO.float("slo")
	if err != nil {
		return nil, nil, err
	}
	if len(r.SLI) != len(r.Periods) {
		return nil, nil, fmt.Errorf("%d rows of figures for %d periods", len(r.SLI), len(r.Periods))
	}
	type bounds struct{ from, to time.Time }
	periods := make([]bounds, len(r.Periods))
	for i, p := range r.Periods {
		from, err1 := p.From.int("period_from")
		to, err2 := p.To.int("period_to")
		if err := firstErr(err1, err2); err != nil {
			return nil, nil, fmt.Errorf("period %d: %v", i, err)
		}
		if from >= to {
			return nil, nil, fmt.Errorf("period %d ends (%d) before it starts (%d)", i, to, from)
		}
		periods[i] = bounds{time.Unix(from, 0), time.Unix(to, 0)}
		if len(r.SLI[i]) != len(r.ServiceIDs) {
			return nil, nil, fmt.Errorf("period %d has figures for %d services of %d", i, len(r.SLI[i]), len(r.ServiceIDs))
		}
	}
	var (
		out      []collector.ToolSLI
		rejected []collector.Rejection
	)
	for _, sl := range entries {
		k := slices.IndexFunc(r.ServiceIDs, func(id num) bool { return string(id) == serviceIDs[sl.service] })
		if k < 0 {
			rejected = append(rejected, collector.Rejection{Where: fmt.Sprintf("SLA %q", sla.Name), Setting: fmt.Sprintf("zabbix.slas[%d].series", sl.index),
				Reason: fmt.Sprintf("service %q is not one of SLA %q's services (its tags do not match the SLA's service tags)", sl.service, sla.Name),
				Rule:   "a service is not in its SLA", Setup: true})
			continue
		}
		for i, p := range periods {
			cell := r.SLI[i][k]
			sli, err := cell.SLI.float("sli")
			if err != nil {
				return nil, nil, fmt.Errorf("period %d: %v", i, err)
			}
			if sli < 0 {
				continue // nothing counted: no figure
			}
			up, err1 := cell.Uptime.int("uptime")
			down, err2 := cell.Downtime.int("downtime")
			budget, err3 := cell.ErrorBudget.int("error_budget")
			if err := firstErr(err1, err2, err3); err != nil {
				return nil, nil, fmt.Errorf("period %d: %v", i, err)
			}
			// Zabbix counts within the period: more is a broken answer (and would overflow).
			length := int64(p.to.Sub(p.from) / time.Second)
			if sli > 100 || up < 0 || down < 0 || up > length || down > length-up || budget < -length || budget > length {
				return nil, nil, fmt.Errorf("period %d: sli %v, uptime %d, downtime %d or error budget %d is out of range for a period of %d s", i, sli, up, down, budget, length)
			}
			out = append(out, collector.ToolSLI{Tool: toolName, Name: sla.Name, Series: sl.series, From: p.from, To: p.to, At: now,
				SLI: sli / 100, SLO: slo / 100, Uptime: time.Duration(up) * time.Second, Downtime: time.Duration(down) * time.Second,
				ErrorBudget: time.Duration(budget) * time.Second})
		}
	}
	return out, rejected, nil
}

// float reads n as a finite number; field names it in the error.
func (n num) float(field string) (float64, error) {
	v, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("%s %q is not a number", field, clip(string(n)))
	}
	return v, nil
}

// firstErr returns the first error that is not nil.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
