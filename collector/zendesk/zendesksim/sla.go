package zendesksim

import (
	"slices"
	"time"
)

// This file is the simulator's SLA engine, written from Zendesk's descriptions of its SLA
// policies and metrics, independently of the exporter's own clocks (slo/ticket) so that the
// two can be checked against each other:
//
//   - a policy applies when its filter matches the ticket; the first by position wins; its
//     policy_metrics give a target in minutes per priority and metric, counted in calendar
//     or business hours (SLA Policies, developer.zendesk.com/api-reference/ticketing/
//     business-rules/sla_policies/);
//   - first_reply_time runs from creation to the first public comment by an agent;
//     requester_wait_time runs while the ticket is new, open or on-hold and pauses while
//     pending; agent_work_time runs while new or open and pauses while pending or on-hold;
//     both are fulfilled when the ticket is solved and run on after a reopen (Ticket metric
//     event types reference: "the requester_wait_time metric is paused when the ticket status
//     is pending", "the agent_work_time metric is paused when the ticket status is pending or
//     on-hold");
//   - business hours are a schedule's weekly intervals in minutes from Sunday 00:00 in its
//     time zone (Schedules, /api/v2/business_hours/schedules).
//
// Modeled beyond the documents (and said so in the package comment): first_reply_time is also
// fulfilled by solving the ticket; the policy is chosen on the ticket's fields as they are
// now (Zendesk re-applies policies on each update); a metric's breach_at once achieved is the
// deadline in force at the fulfillment (as a public live response shows for an achieved
// first_reply_time).

// The metrics the simulator measures.
const (
	FirstReplyTime    = "first_reply_time"
	RequesterWaitTime = "requester_wait_time"
	AgentWorkTime     = "agent_work_time"
)

// Policy is an SLA policy.
type Policy struct {
	ID       int64
	Title    string
	Position int
	// All and Any are the filter's conditions (all must match, and one of any when set).
	All, Any []Condition
	Metrics  []PolicyMetric
}

// Condition is a filter condition on a ticket field: type, priority, status, group_id,
// brand_id (operators is, is_not) or current_tags (includes, not_includes: every tag of a
// space-separated value).
type Condition struct {
	Field, Operator string
	Value           any
}

// PolicyMetric is a target: Target minutes for Metric on tickets of Priority, in business
// hours when BusinessHours.
type PolicyMetric struct {
	Priority, Metric string
	Target           int
	BusinessHours    bool
}

// Schedule is the account's business hours.
type Schedule struct {
	Location *time.Location
	// Intervals are minutes from Sunday 00:00 (a week has 10080), as the Schedules API lists
	// them: Monday 09:00-17:00 is {1980, 2460}.
	Intervals [][2]int
}

// Weekdays is a schedule of the same hours every Monday to Friday: from and to are minutes
// from midnight.
func Weekdays(loc *time.Location, from, to int) Schedule {
	s := Schedule{Location: loc}
	for d := 1; d <= 5; d++ {
		s.Intervals = append(s.Intervals, [2]int{d*1440 + from, d*1440 + to})
	}
	return s
}

// span is a stretch of time a metric runs: [from, to), to zero while it still runs.
type span struct{ from, to time.Time }

// measure counts the time of [a, b) a metric counts: all of it, or its business hours.
func (s *Server) measure(business bool, a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	if !business {
		return b.Sub(a)
	}
	var total time.Duration
	s.eachInterval(a, func(from, to time.Time) bool {
		if !from.Before(b) {
			return false
		}
		total += earliest(to, b).Sub(latest(from, a))
		return true
	})
	return total
}

// advance is the instant a metric counting from a reaches d more.
func (s *Server) advance(business bool, a time.Time, d time.Duration) time.Time {
	if !business {
		return a.Add(d)
	}
	var at time.Time
	s.eachInterval(a, func(from, to time.Time) bool {
		from = latest(from, a)
		if left := to.Sub(from); d <= left {
			at = from.Add(d)
			return false
		}
		d -= to.Sub(from)
		return true
	})
	return at
}

// eachInterval calls f with the schedule's intervals that end after a, in order, until f
// returns false.
func (s *Server) eachInterval(a time.Time, f func(from, to time.Time) bool) {
	loc := s.schedule.Location
	l := a.In(loc)
	sunday := time.Date(l.Year(), l.Month(), l.Day()-int(l.Weekday()), 0, 0, 0, 0, loc)
	ivs := slices.Clone(s.schedule.Intervals)
	slices.SortFunc(ivs, func(x, y [2]int) int { return x[0] - y[0] })
	if len(ivs) == 0 {
		return
	}
	for week := 0; week < 5300; week++ { // a hundred years
		for _, iv := range ivs {
			from := time.Date(sunday.Year(), sunday.Month(), sunday.Day()+7*week, 0, iv[0], 0, 0, loc)
			to := time.Date(sunday.Year(), sunday.Month(), sunday.Day()+7*week, 0, iv[1], 0, 0, loc)
			if !to.After(a) {
				continue
			}
			if !f(from, to) {
				return
			}
		}
	}
}

// policyFor is the first policy by position whose filter matches t.
func (s *Server) policyFor(t *Ticket) *Policy {
	ps := slices.Clone(s.policies)
	slices.SortStableFunc(ps, func(a, b Policy) int { return a.Position - b.Position })
	for i := range ps {
		if matchAll(t, ps[i].All) && (len(ps[i].Any) == 0 || matchAny(t, ps[i].Any)) {
			return &ps[i]
		}
	}
	return nil
}

func matchAll(t *Ticket, cs []Condition) bool {
	for _, c := range cs {
		if !c.matches(t) {
			return false
		}
	}
	return true
}

func matchAny(t *Ticket, cs []Condition) bool {
	return slices.ContainsFunc(cs, func(c Condition) bool { return c.matches(t) })
}

func (c Condition) matches(t *Ticket) bool {
	var have string
	switch c.Field {
	case "type":
		have = t.Type
	case "priority":
		have = t.Priority
	case "status":
		have = t.Status
	case "group_id":
		have = idText(t.Group)
	case "brand_id":
		have = idText(t.Brand)
	case "current_tags":
		want := splitTags(c.Value)
		all := !slices.ContainsFunc(want, func(w string) bool { return !slices.Contains(t.Tags, w) })
		some := slices.ContainsFunc(want, func(w string) bool { return slices.Contains(t.Tags, w) })
		return (c.Operator == "includes" && all) || (c.Operator == "not_includes" && !some)
	default:
		return false
	}
	eq := have == valueText(c.Value)
	return (c.Operator == "is" && eq) || (c.Operator == "is_not" && !eq)
}

// metricState is one policy metric of a ticket, as Zendesk keeps it at an instant.
type metricState struct {
	metric   string
	target   time.Duration
	business bool
	start    time.Time
	// stop is when the metric was fulfilled (zero while it runs or is paused).
	stop    time.Time
	paused  bool
	elapsed time.Duration
	// breachAt is when elapsed reached, or reaches if it keeps running, the target; zero when
	// paused and not yet breached.
	breachAt time.Time
}

// runs lists the spans a metric of t runs in, up to now, and when it was fulfilled.
func (s *Server) runs(t *Ticket, metric string, now time.Time) (spans []span, fulfilled time.Time) {
	if metric == FirstReplyTime {
		end := time.Time{}
		for _, c := range t.comments() {
			if c.At.After(t.Created) && c.Public && s.agents[c.Author] {
				end = c.At
				break
			}
		}
		for _, st := range t.statuses() {
			if (st.status == "solved" || st.status == "closed") && (end.IsZero() || st.at.Before(end)) {
				end = st.at
				break
			}
		}
		if !end.IsZero() && !end.After(now) {
			return []span{{t.Created, end}}, end
		}
		return []span{{t.Created, time.Time{}}}, time.Time{}
	}
	running := func(status string) bool {
		switch status {
		case "new", "open":
			return true
		case "hold":
			return metric == RequesterWaitTime
		}
		return false
	}
	var open *span
	for _, st := range t.statuses() {
		if st.at.After(now) {
			break
		}
		switch {
		case running(st.status) && open == nil:
			spans = append(spans, span{from: st.at})
			open = &spans[len(spans)-1]
			fulfilled = time.Time{}
		case !running(st.status) && open != nil:
			open.to, open = st.at, nil
		}
		if st.status == "solved" || st.status == "closed" {
			if fulfilled.IsZero() {
				fulfilled = st.at
			}
		} else {
			fulfilled = time.Time{}
		}
	}
	return spans, fulfilled
}

// state is the metric of t under target at now.
func (s *Server) state(t *Ticket, pm PolicyMetric, now time.Time) metricState {
	m := metricState{metric: pm.Metric, target: time.Duration(pm.Target) * time.Minute, business: pm.BusinessHours, start: t.Created}
	spans, fulfilled := s.runs(t, pm.Metric, now)
	m.stop = fulfilled
	last := len(spans) > 0 && spans[len(spans)-1].to.IsZero()
	m.paused = m.stop.IsZero() && !last
	var crossed bool
	for _, sp := range spans {
		to := sp.to
		if to.IsZero() {
			to = now
		}
		d := s.measure(m.business, sp.from, to)
		if !crossed && m.elapsed+d >= m.target {
			m.breachAt, crossed = s.advance(m.business, sp.from, m.target-m.elapsed), true
		}
		m.elapsed += d
	}
	switch {
	case crossed:
	case !m.stop.IsZero():
		// Achieved in time: the deadline in force when it was fulfilled.
		m.breachAt = s.advance(m.business, m.stop, m.target-m.elapsed)
	case !m.paused:
		m.breachAt = s.advance(m.business, now, m.target-m.elapsed)
	}
	return m
}

// stage is Zendesk's name of where the metric stands.
func (m metricState) stage() string {
	switch {
	case !m.stop.IsZero():
		return "achieved"
	case m.paused:
		return "paused"
	}
	return "active"
}

// states are t's policy metrics at now: those of the policy that applies, for its priority.
func (s *Server) states(t *Ticket, now time.Time) []metricState {
	p := s.policyFor(t)
	if p == nil || t.Priority == "" || t.Status == "deleted" {
		return nil
	}
	var out []metricState
	for _, pm := range p.Metrics {
		if pm.Priority == t.Priority {
			out = append(out, s.state(t, pm, now))
		}
	}
	return out
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
