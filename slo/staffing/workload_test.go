package staffing

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sla-exporter/sla_exporter/slo/calendar"
)

// office is Monday to Friday 09:00-17:00 in Rome, with Italy's Immacolata (8 December) off: in
// the planned week of Monday 2026-12-07 the Tuesday is a holiday.
func office(t testing.TB) (*calendar.Calendar, time.Time) {
	t.Helper()
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	day := []calendar.Interval{{Start: 9 * 3600, End: 17 * 3600}}
	var week [7][]calendar.Interval
	for d := time.Monday; d <= time.Friday; d++ {
		week[d] = day
	}
	cal, err := calendar.New(calendar.Spec{Name: "office", Location: rome, Week: week,
		Recurring: []calendar.MonthDay{{Month: time.December, Day: 8}}, FirstYear: 2026, LastYear: 2027})
	if err != nil {
		t.Fatal(err)
	}
	return cal, time.Date(2026, 12, 7, 0, 0, 0, 0, rome)
}

func deferred(t testing.TB, target time.Duration, arrivals map[int]float64, handle time.Duration) Deferred {
	cal, start := office(t)
	var w Week
	for h, a := range arrivals {
		w[h] = a
	}
	return Deferred{Arrivals: w, HandleTime: handle, Start: start,
		Deadline: func(a time.Time) time.Time { return cal.Deadline(a, target) },
		Working:  cal.Duration}
}

// Hours of the week used by the tests.
const (
	mon09 = 9         // Monday 09:00
	mon16 = 16        // Monday 16:00
	wed09 = 2*24 + 9  // Wednesday 09:00
	wed10 = 2*24 + 10 // Wednesday 10:00
	wed11 = 2*24 + 11 // Wednesday 11:00
	fri16 = 4*24 + 16 // Friday 16:00
	sun23 = 6*24 + 23 // Sunday 23:00, the week's last hour
)

// TestRequiredHandWorked: the workload model on the office calendar with its holiday.
//
//   - 2 tickets arrive Monday 16:00, 1 h of work each, due in 4 business hours: Monday 16-17 is one
//     hour, Tuesday is the Immacolata, so the deadline is Wednesday 12:00. Their 2 agent-hours
//     are spread over the 4 working hours: 0.5 on Monday 16:00 and on Wednesday 09:00, 10:00
//     and 11:00.
//   - 4 tickets arrive Wednesday 10:00, 30 min each, due in 2 business hours (12:00): 2
//     agent-hours over 10-11 and 11-12, 1 each.
//   - 1 ticket arrives Friday 16:00, 2 h of work, due in 2 business hours: 16-17 on Friday and
//     09-10 on the next Monday, 1 agent-hour each. The next Monday's hour is this plan's Monday
//     09:00, as last Friday's ticket (4 December, a working day) puts its hour there.
//
// Work per hour: Monday 09 1, Monday 16 0.5, Wednesday 09 0.5, 10 1.5, 11 1.5, Friday 16 1.
// At 75% occupancy the agents are work / 0.75 (Wednesday 10: 2), and with 20% shrinkage the
// scheduled agents agents / 0.8 (Wednesday 10: 2.5; rounded up 3).
func TestRequiredHandWorked(t *testing.T) {
	cal, start := office(t)
	var arrivals Week
	arrivals[mon16], arrivals[wed10], arrivals[fri16] = 2, 4, 1
	// Three queues share one calendar but not one target or handle time: compute each and add.
	type part struct {
		hour   int
		count  float64
		handle time.Duration
		target time.Duration
	}
	var got Need
	for _, p := range []part{{mon16, 2, time.Hour, 4 * time.Hour}, {wed10, 4, 30 * time.Minute, 2 * time.Hour}, {fri16, 1, 2 * time.Hour, 2 * time.Hour}} {
		var w Week
		w[p.hour] = p.count
		target := p.target
		n, err := Required(Deferred{Arrivals: w, HandleTime: p.handle, Start: start, MaxOccupancy: 0.75, Shrinkage: 0.2,
			Deadline: func(a time.Time) time.Time { return cal.Deadline(a, target) }, Working: cal.Duration})
		if err != nil {
			t.Fatal(err)
		}
		for h := range got.Work {
			got.Work[h] += n.Work[h]
			got.Agents[h] += n.Agents[h]
			got.Scheduled[h] += n.Scheduled[h]
		}
	}
	var want Need
	for h, w := range map[int]float64{mon09: 1, mon16: 0.5, wed09: 0.5, wed10: 1.5, wed11: 1.5, fri16: 1} {
		want.Work[h] = w
		want.Agents[h] = w / 0.75
		want.Scheduled[h] = w / 0.75 / 0.8
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
		t.Errorf("need (-want +got):\n%s", diff)
	}
	if c := got.Scheduled.Ceil(); c[wed10] != 3 || c[mon16] != 1 || c[mon09] != 2 {
		t.Errorf("rounded up: Wednesday 10:00 %v, Monday 16:00 %v, Monday 09:00 %v; want 3, 1, 2", c[wed10], c[mon16], c[mon09])
	}
	if math.Abs(got.Work.Sum()-(2*1+4*0.5+1*2)) > 1e-12 {
		t.Errorf("the week's work %v, want the 6 agent-hours that arrive", got.Work.Sum())
	}
}

// TestDeferredAttainmentHandWorked: the Monday 16:00 tickets (2 agent-hours due Wednesday
// 12:00, Tuesday a holiday) worked by a roster of the same size every weekday hour.
//
//   - 1 agent: 1 h on Monday 16-17, none on the holiday, 1 h on Wednesday 09-10: done at 10:00,
//     all in time.
//   - 0.5 agent: 0.5 h on Monday, 1.5 h on Wednesday 09-12: done exactly at the deadline, in time.
//   - 0.4 agent: 0.4 h + 1.2 h = 1.6 of 2 h by 12:00: 80% of the tickets in time. The rest is done
//     by 13:00, so no backlog reaches the next week's tickets: the steady state is the same.
//   - A roster only on Tuesday: the holiday gives no work, and Monday's and Wednesday's hours
//     are empty: none in time.
func TestDeferredAttainmentHandWorked(t *testing.T) {
	d := deferred(t, 4*time.Hour, map[int]float64{mon16: 2}, time.Hour)
	weekdays := func(n float64) Week {
		var r Week
		for h := 0; h < 5*24; h++ {
			r[h] = n
		}
		return r
	}
	var tuesday Week
	for h := 24; h < 48; h++ {
		tuesday[h] = 5
	}
	for _, tc := range []struct {
		name   string
		roster Week
		want   float64
	}{{"one agent", weekdays(1), 1}, {"half an agent", weekdays(0.5), 1}, {"0.4 agent", weekdays(0.4), 0.8}, {"holiday only", tuesday, 0}} {
		got, err := DeferredAttainment(d, tc.roster)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	// Due in 3h30: Wednesday 11:30, inside an hour being worked. 0.4 agent: 0.4 h on Monday and
	// 2.5 × 0.4 = 1 h on Wednesday by 11:30: 1.4 of 2 h, 70% in time.
	d30 := deferred(t, 3*time.Hour+30*time.Minute, map[int]float64{mon16: 2}, time.Hour)
	if got, _ := DeferredAttainment(d30, weekdays(0.4)); math.Abs(got-0.7) > 1e-9 {
		t.Errorf("0.4 agent, due 11:30: %v, want 0.7", got)
	}
	// Shrinkage of 20% takes half an agent down to 0.4 on the queue: 80% again.
	d.Shrinkage = 0.2
	if got, _ := DeferredAttainment(d, weekdays(0.5)); math.Abs(got-0.8) > 1e-9 {
		t.Errorf("0.5 agent with 20%% shrinkage: %v, want 0.8", got)
	}
}

// TestQueueAttainment: a roster of 14 agents on the Call Centre Helper queue (10 erlangs, 80% in
// 20 s) answers 88.84% in time (ServiceLevel(14, 10), simulated as 88.84% in
// TestErlangCAgainstSimulation); with 30% shrinkage the 20 rostered give the same 14 on the
// queue; 10 agents (the traffic) answer none in time. Hours are weighted by their arrivals.
func TestQueueAttainment(t *testing.T) {
	p := QueuePlan{HandleTime: 180 * time.Second, Target: 20 * time.Second, Goal: 0.8}
	p.Arrivals[mon09], p.Arrivals[mon16] = 200, 200
	sl14 := ServiceLevel(14, 10, p.HandleTime, p.Target)
	var r Week
	r[mon09], r[mon16] = 14, 10
	if got, want := QueueAttainment(p, r), (200*sl14+200*0)/400; math.Abs(got-want) > 1e-12 {
		t.Errorf("14 and 10 agents: %v, want %v", got, want)
	}
	p.Shrinkage = 0.3
	r[mon09], r[mon16] = 20, 20
	if got := QueueAttainment(p, r); math.Abs(got-sl14) > 1e-12 || math.Abs(got-0.8884) > 1e-4 {
		t.Errorf("20 rostered with 30%% shrinkage: %v, want %v", got, sl14)
	}
	need, err := RequiredAgents(p)
	if err != nil {
		t.Fatal(err)
	}
	if need.Agents[mon09] != 14 || need.Scheduled[mon09] != 20 || need.Agents[sun23] != 0 || need.ServiceLevel[sun23] != 1 {
		t.Errorf("need Monday 09:00 %v agents, %v scheduled; Sunday 23:00 %v (SL %v)", need.Agents[mon09], need.Scheduled[mon09], need.Agents[sun23], need.ServiceLevel[sun23])
	}
	if s := Shortfall(r, need.Scheduled); s[mon09] != 0 || s[mon16] != 0 || s[sun23] != 0 {
		t.Errorf("shortfall %v %v %v, want none", s[mon09], s[mon16], s[sun23])
	}
	r[mon16] = 17
	if s := Shortfall(r, need.Scheduled); s[mon16] != -3 {
		t.Errorf("17 rostered for 20 needed: shortfall %v, want -3", s[mon16])
	}
}

// TestArrivalProfile: three weeks of arrivals in Rome, one of them across the end of DST (the
// last Sunday of October 2026, when 02:00-03:00 happens twice). Mondays 09:xx see 3, 5 and 4
// tickets: mean 4, sample standard deviation 1. An arrival in the current week and one before
// the weeks are left out.
func TestArrivalProfile(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	mon := func(day, n int) []time.Time {
		var ts []time.Time
		for i := 0; i < n; i++ {
			ts = append(ts, time.Date(2026, 10, day, 9, 10*i, 0, 0, rome))
		}
		return ts
	}
	var ts []time.Time
	ts = append(ts, mon(19, 3)...)
	ts = append(ts, mon(26, 5)...)
	ts = append(ts, time.Date(2026, 10, 25, 2, 30, 0, 0, rome)) // Sunday 02:30 (the first one)
	for i := 0; i < 4; i++ {
		ts = append(ts, time.Date(2026, 11, 2, 9, i, 0, 0, rome))
	}
	ts = append(ts, time.Date(2026, 11, 9, 9, 0, 0, 0, rome))  // the current week
	ts = append(ts, time.Date(2026, 10, 12, 9, 0, 0, 0, rome)) // before the three weeks
	p := ArrivalProfile(ts, rome, time.Date(2026, 11, 11, 15, 0, 0, 0, rome), 3)
	if p.Mean[mon09] != 4 || math.Abs(p.StdDev[mon09]-1) > 1e-12 {
		t.Errorf("Monday 09:00: mean %v, sd %v; want 4 and 1", p.Mean[mon09], p.StdDev[mon09])
	}
	if got, want := p.Mean[6*24+2], 1.0/3; math.Abs(got-want) > 1e-12 {
		t.Errorf("Sunday 02:00: mean %v, want 1/3", got)
	}
	if p.Mean.Sum() != 13.0/3 {
		t.Errorf("the week's mean arrivals %v, want 13/3", p.Mean.Sum())
	}
}

func TestDeferredErrors(t *testing.T) {
	d := deferred(t, 4*time.Hour, map[int]float64{mon16: 2}, time.Hour)
	d.HandleTime = 0
	if _, err := Required(d); err == nil {
		t.Error("no error for a zero handle time")
	}
	d = deferred(t, 4*time.Hour, map[int]float64{mon16: math.Inf(1)}, time.Hour)
	if _, err := Required(d); err == nil {
		t.Error("no error for infinite arrivals")
	}
	// A calendar that ends: no deadline.
	d = deferred(t, 4*time.Hour, map[int]float64{mon16: 1}, time.Hour)
	d.Deadline = func(time.Time) time.Time { return time.Time{} }
	if _, err := Required(d); err == nil {
		t.Error("no error without a deadline")
	}
	if _, err := DeferredAttainment(d, Week{}); err == nil {
		t.Error("no error without a deadline")
	}
}

// TestDayName: a Week's days run Monday to Sunday.
func TestDayName(t *testing.T) {
	var got []string
	for d := range 7 {
		got = append(got, DayName(d))
	}
	want := []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("day names (-want +got):\n%s", diff)
	}
}
