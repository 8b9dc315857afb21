package zabbix

import (
	"fmt"
	"slices"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
)

// service is a service of service.get with its status timeline.
type service struct {
	ServiceID num        `json:"serviceid"`
	Name      string     `json:"name"`
	Timeline  []timeline `json:"status_timeline"`
}

// timeline is a service's status over a period: its status at the period's start, then each
// change (Zabbix 6.0 manual, service.get, selectStatusTimeline). A status is -1 for OK, else
// the severity of the service's problem, 0 to 5.
type timeline struct {
	StartValue num     `json:"start_value"`
	Alarms     []alarm `json:"alarms"`
}

type alarm struct {
	Clock num `json:"clock"`
	Value num `json:"value"`
}

// services reads the status timelines of the services the selections name, over [from, to)
// (service.get, one call for all), as problems: each span in a status other than OK, with
// that status as its severity. A span in trouble at from starts at from. ids are the services'
// ids, by name.
func (c *conn) services(sels []selection, from, to time.Time) (timelines map[string][]problem, ids map[string]string, rejected []collector.Rejection, err error) {
	var names []string
	for _, s := range sels {
		if s.service != "" && !slices.Contains(names, s.service) {
			names = append(names, s.service)
		}
	}
	if len(names) == 0 {
		return nil, nil, nil, nil
	}
	var svcs []service
	params := map[string]any{"output": []string{"serviceid", "name"}, "filter": map[string]any{"name": names},
		"selectStatusTimeline": []map[string]int64{{"period_from": from.Unix(), "period_to": to.Unix()}}}
	if err := c.call("service.get", params, &svcs); err != nil {
		return nil, nil, nil, err
	}
	byName := map[string][]service{}
	for _, s := range svcs {
		byName[s.Name] = append(byName[s.Name], s)
	}
	out := map[string][]problem{}
	ids = map[string]string{}
	for _, s := range sels {
		if s.service == "" {
			continue
		}
		if _, done := out[s.service]; done {
			continue
		}
		at := fmt.Sprintf("zabbix.series[%d].service", s.index)
		found := byName[s.service]
		switch {
		case len(found) == 0:
			rejected = append(rejected, collector.Rejection{Where: fmt.Sprintf("service %q", s.service), Setting: at,
				Reason: fmt.Sprintf("no service %q in Zabbix (or the token's user may not read it)", s.service), Rule: "a service is not in Zabbix", Setup: true})
			continue
		case len(found) > 1:
			rejected = append(rejected, collector.Rejection{Where: fmt.Sprintf("service %q", s.service), Setting: at,
				Reason: fmt.Sprintf("%d services are named %q: rename them apart", len(found), s.service), Rule: "a service name is not unique", Setup: true})
			continue
		}
		ps, err := found[0].problems(from, to)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("service.get: service %q: %v", clip(s.service), err)
		}
		out[s.service] = ps
		ids[s.service] = string(found[0].ServiceID)
	}
	return out, ids, rejected, nil
}

// problems turns the service's timeline into problems.
func (s service) problems(from, to time.Time) ([]problem, error) {
	if len(s.Timeline) != 1 {
		return nil, fmt.Errorf("%d status timelines, want 1", len(s.Timeline))
	}
	tl := s.Timeline[0]
	status, err := tl.StartValue.int("start_value")
	if err != nil {
		return nil, err
	}
	if status < -1 || status >= int64(len(severities)) {
		return nil, fmt.Errorf("start_value %d is not -1 to 5", status)
	}
	var (
		out   []problem
		since = from
	)
	flush := func(until time.Time) {
		if status >= 0 && since.Before(until) {
			out = append(out, problem{start: since, end: until, severity: int(status)})
		}
	}
	for i, a := range tl.Alarms {
		clock, err := a.Clock.int("clock")
		if err != nil {
			return nil, fmt.Errorf("alarm %d: %v", i, err)
		}
		v, err := a.Value.int("value")
		if err != nil {
			return nil, fmt.Errorf("alarm %d: %v", i, err)
		}
		if v < -1 || v >= int64(len(severities)) {
			return nil, fmt.Errorf("alarm %d: status %d is not -1 to 5", i, v)
		}
		at := time.Unix(clock, 0)
		if at.Before(since) || at.After(to) {
			return nil, fmt.Errorf("alarm %d at %d is out of order or outside the period", i, clock)
		}
		flush(at)
		status, since = v, at
	}
	if status >= 0 && since.Before(to) {
		out = append(out, problem{start: since, severity: int(status)}) // ongoing: to now
	}
	return out, nil
}

// bySeverity keeps the problems of the severities chosen (all when nil).
func bySeverity(ps []problem, sevs []int) []problem {
	if sevs == nil {
		return ps
	}
	var out []problem
	for _, p := range ps {
		if slices.Contains(sevs, p.severity) {
			out = append(out, p)
		}
	}
	return out
}
