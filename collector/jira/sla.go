package jira

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// JSM's SLA fields. A Service Management SLA is a custom field (schema custom
// com.atlassian.servicedesk:sla-field) whose value in a search is the SlaInformation of the
// request's SLA endpoint, GET /rest/servicedeskapi/request/{key}/sla: its name, the cycles that
// stopped and the one that runs. Shapes: jira.js src/serviceDesk/models/slaInformation.ts,
// slaInformationCompletedCycle.ts, slaInformationOngoingCycle.ts, date.ts and duration.ts
// (MrRefactoring/jira.js, from the Service Management OpenAPI description).

// slaValue is an SLA field's value.
type slaValue struct {
	ID              string     `json:"id"`
	Name            string     `json:"name"`
	CompletedCycles []slaCycle `json:"completedCycles"`
	OngoingCycle    *slaCycle  `json:"ongoingCycle"`
}

// slaCycle is a cycle of an SLA: a completed one has a stopTime, the ongoing one paused and
// withinCalendarHours.
type slaCycle struct {
	StartTime     *slaDate     `json:"startTime"`
	StopTime      *slaDate     `json:"stopTime"`
	BreachTime    *slaDate     `json:"breachTime"`
	Breached      bool         `json:"breached"`
	Paused        bool         `json:"paused"`
	GoalDuration  *slaDuration `json:"goalDuration"`
	ElapsedTime   *slaDuration `json:"elapsedTime"`
	RemainingTime *slaDuration `json:"remainingTime"`
}

// slaDate is an SLA instant: epochMillis, with iso8601 and jira (ISO 8601 with milliseconds)
// besides, and a friendly text.
type slaDate struct {
	ISO8601     string `json:"iso8601"`
	Jira        string `json:"jira"`
	Friendly    string `json:"friendly"`
	EpochMillis *int64 `json:"epochMillis"`
}

// slaDuration is an SLA duration, in milliseconds and as friendly text.
type slaDuration struct {
	Millis   int64  `json:"millis"`
	Friendly string `json:"friendly"`
}

// at reads the instant: epochMillis, else jira, else iso8601.
func (d *slaDate) at() (time.Time, error) {
	if d == nil {
		return time.Time{}, nil
	}
	if d.EpochMillis != nil {
		return time.UnixMilli(*d.EpochMillis).UTC(), nil
	}
	for _, s := range []string{d.Jira, d.ISO8601} {
		if s != "" {
			return parseJiraTime(s)
		}
	}
	return time.Time{}, fmt.Errorf("a date without epochMillis, jira or iso8601")
}

// slaCycles reads the SLA field field of an issue into native cycles: one per completed cycle,
// then the ongoing one, in start order. clock is the engine's clock of the SLA's name. An absent
// or null field (an issue the SLA does not apply to) has none.
func slaCycles(field string, raw json.RawMessage, clocks map[string]string) ([]ticket.NativeSLA, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	if raw[0] != '{' {
		return nil, fmt.Errorf("field %s is not a JSM SLA field (its value is not an object with completedCycles and ongoingCycle): check sla_fields", field)
	}
	var v slaValue
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("field %s: not a JSM SLA value: %v", field, err)
	}
	if v.Name == "" {
		return nil, fmt.Errorf("field %s: the SLA value has no name: check sla_fields", field)
	}
	var out []ticket.NativeSLA
	add := func(c *slaCycle, ongoing bool, i int) error {
		where := fmt.Sprintf("field %s (SLA %q) ", field, v.Name)
		if ongoing {
			where += "ongoing cycle"
		} else {
			where += fmt.Sprintf("completed cycle %d", i+1)
		}
		n := ticket.NativeSLA{Name: v.Name, Clock: clocks[v.Name], Breached: c.Breached, Paused: ongoing && c.Paused}
		var err error
		if n.Start, err = c.StartTime.at(); err != nil {
			return fmt.Errorf("%s: startTime: %v", where, err)
		}
		if n.Start.IsZero() {
			return fmt.Errorf("%s: no startTime", where)
		}
		if n.Deadline, err = c.BreachTime.at(); err != nil {
			return fmt.Errorf("%s: breachTime: %v", where, err)
		}
		if !n.Deadline.IsZero() && n.Deadline.Unix() < n.Start.Unix() {
			return fmt.Errorf("%s: breachTime %s is before startTime %s", where, stamp(n.Deadline), stamp(n.Start))
		}
		if !ongoing {
			if n.Stop, err = c.StopTime.at(); err != nil {
				return fmt.Errorf("%s: stopTime: %v", where, err)
			}
			if n.Stop.IsZero() {
				return fmt.Errorf("%s: no stopTime", where)
			}
			if n.Stop.Before(n.Start) {
				return fmt.Errorf("%s: stopTime %s is before startTime %s", where, stamp(n.Stop), stamp(n.Start))
			}
		}
		out = append(out, n)
		return nil
	}
	for i := range v.CompletedCycles {
		if err := add(&v.CompletedCycles[i], false, i); err != nil {
			return nil, err
		}
	}
	if v.OngoingCycle != nil {
		if err := add(v.OngoingCycle, true, 0); err != nil {
			return nil, err
		}
	}
	slices.SortStableFunc(out, func(a, b ticket.NativeSLA) int { return a.Start.Compare(b.Start) })
	return out, nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
