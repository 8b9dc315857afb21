package demo

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/availability"
	"github.com/sla-exporter/sla_exporter/slo/calendar"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// Sanity instants: each 100-day history spans a DST change (2026-03-29 forward, 2026-10-25 back).
var sanityClocks = []string{"2026-04-15T10:17:23+02:00", "2026-11-10T16:42:05+01:00"}

// TestSimulationSanity checks the generated history against the world the package promises,
// with the figures computed here from the batch.
func TestSimulationSanity(t *testing.T) {
	for _, at := range sanityClocks {
		t.Run(at, func(t *testing.T) {
			now, err := time.Parse(time.RFC3339, at)
			if err != nil {
				t.Fatal(err)
			}
			src, _ := newSourceAt(t, "", now)
			w := newWorld()
			w.add(mustSync(t, src, nil))
			start := now.Add(-100 * 24 * time.Hour)
			checkTickets(t, w, start, now)
			checkUptime(t, w, start, now)
			checkRequests(t, w, start, now)
		})
	}
}

func within(t *testing.T, what string, got, lo, hi float64) {
	t.Helper()
	if !(got >= lo && got <= hi) {
		t.Errorf("%s = %.4f, want in [%g, %g]", what, got, lo, hi)
	} else {
		t.Logf("%s = %.4f", what, got)
	}
}

func checkTickets(t *testing.T, w *world, start, now time.Time) {
	loc := rome(t)
	cal, err := businessCalendar()
	if err != nil {
		t.Fatal(err)
	}
	// Tickets old enough to have lived their whole life by now give the rates.
	settled := now.Add(-maxLife * time.Second)
	var (
		perDay                                    = map[string]int{}
		prio                                      = map[string]int{}
		all, changes, closedChanges, success      int
		lived, paused, cancelled, reassigned      int
		stopped, reop, resolved, rated, good, fcr int
	)
	for _, tk := range w.sortedTickets() {
		if err := tk.Validate(); err != nil {
			t.Errorf("invalid ticket: %v", err)
		}
		if tk.Created.Before(start) {
			continue
		}
		if tk.Type == TypeChange {
			changes++
			if cc, ok := tk.Fields[FieldCloseCode]; ok {
				closedChanges++
				if cc == CloseSuccessful || cc == CloseSuccessfulIssues {
					success++
				}
			}
			continue
		}
		all++
		prio[tk.Priority]++
		perDay[tk.Created.In(loc).Format(time.DateOnly)]++
		if tk.Created.After(settled) {
			continue
		}
		lived++
		if hasCategory(tk, ticket.Paused) {
			paused++
		}
		if hasCategory(tk, ticket.Cancelled) {
			cancelled++
		}
		if tk.Reassignments > 0 {
			reassigned++
		}
		if hasCategory(tk, ticket.Resolved) {
			stopped++
			resolved++
			if reopened(tk) {
				reop++
			} else if tk.Reassignments == 0 {
				fcr++
			}
			if tk.Rating != ticket.Unrated {
				rated++
				if tk.Rating == ticket.Good {
					good++
				}
			}
		}
	}

	// Volume: 30-80 a business day, far fewer at weekends.
	var bizDays, bizTickets, weDays, weTickets int
	for d := start.In(loc); d.Before(now.Add(-24 * time.Hour)); d = d.AddDate(0, 0, 1) {
		n := perDay[d.Format(time.DateOnly)]
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			weDays, weTickets = weDays+1, weTickets+n
		} else {
			bizDays, bizTickets = bizDays+1, bizTickets+n
			if n < 25 || n > 95 {
				t.Errorf("%s: %d tickets on a business day", d.Format(time.DateOnly), n)
			}
		}
	}
	within(t, "tickets per business day", share(bizTickets, bizDays), 30, 80)
	within(t, "tickets per weekend day", share(weTickets, weDays), 4, 20)
	within(t, "P1 share", share(prio["P1"], all), 0.003, 0.03)
	within(t, "P2 share", share(prio["P2"], all), 0.03, 0.12)
	within(t, "P3 share", share(prio["P3"], all), 0.40, 0.56)
	within(t, "P4 share", share(prio["P4"], all), 0.36, 0.52)
	within(t, "pause rate", share(paused, lived), 0.08, 0.12)
	within(t, "reopen rate", share(reop, stopped), 0.03, 0.05)
	within(t, "cancel rate", share(cancelled, lived), 0.01, 0.05)
	within(t, "reassignment rate", share(reassigned, lived), 0.12, 0.25)
	within(t, "rated share of resolved", share(rated, resolved), 0.35, 0.45)
	within(t, "csat (good / rated)", share(good, rated), 0.75, 0.95)
	within(t, "first-contact resolution", share(fcr, resolved), 0.70, 0.90)
	within(t, "changes per week", float64(changes)/(now.Sub(start).Hours()/24/7), 2, 7)
	within(t, "change success", share(success, closedChanges), 0.85, 1)

	// Some tickets breach typical targets, most do not.
	type targets struct{ response, resolution time.Duration }
	typical := map[string]targets{
		"P1": {15 * time.Minute, 4 * time.Hour},
		"P2": {30 * time.Minute, 8 * time.Hour},
		"P3": {4 * time.Hour, 30 * time.Hour},
		"P4": {8 * time.Hour, 50 * time.Hour},
	}
	respBreach, resBreach, n := map[string]int{}, map[string]int{}, map[string]int{}
	for _, tk := range w.tickets {
		if tk.Type != TypeIncident || tk.Created.Before(start) || tk.Created.After(settled) || firstStop(tk) < 0 {
			continue
		}
		c := cal
		if tk.Priority == "P1" {
			c = calendar.AlwaysOn
		}
		if tk.History[firstStop(tk)].Category == ticket.Cancelled {
			continue
		}
		n[tk.Priority]++
		if c.Duration(tk.Created, tk.FirstResponse) > typical[tk.Priority].response {
			respBreach[tk.Priority]++
		}
		var running time.Duration
		for i := 0; i < firstStop(tk); i++ {
			if tk.History[i].Category == ticket.Open {
				running += c.Duration(tk.History[i].At, tk.History[i+1].At)
			}
		}
		if running > typical[tk.Priority].resolution {
			resBreach[tk.Priority]++
		}
	}
	for _, p := range priorities {
		if n[p] == 0 {
			t.Errorf("no finished %s incident", p)
			continue
		}
		lo := 0.01
		if p == "P1" {
			lo = 0 // a dozen P1s: none may breach
		}
		within(t, fmt.Sprintf("%s response breaches (of %d)", p, n[p]), share(respBreach[p], n[p]), lo, 0.30)
		within(t, fmt.Sprintf("%s resolution breaches (of %d)", p, n[p]), share(resBreach[p], n[p]), lo, 0.30)
	}
}

func checkUptime(t *testing.T, w *world, start, now time.Time) {
	loc := rome(t)
	for _, name := range seriesNames {
		samples := w.samples[name]
		want := int(now.Unix()/60 - (start.Unix()-1)/60)
		if len(samples) != want {
			t.Errorf("%s: %d samples, want one a minute: %d", name, len(samples), want)
		}
		for i := 1; i < len(samples); i++ {
			if d := samples[i].At.Sub(samples[i-1].At); d != time.Minute {
				t.Fatalf("%s: sample %d at %s is %s after the one before", name, i, samples[i].At, d)
			}
		}
	}

	// Hosting: down in every maintenance window; windows where and only where the clock says.
	// The windows, from the wall clock: every Sunday in the range, 02:00 for two hours.
	maint := map[int64]bool{}
	for d := start.In(loc).AddDate(0, 0, -1); d.Before(now); d = d.AddDate(0, 0, 1) {
		if d.Weekday() != MaintenanceWeekday {
			continue
		}
		open := wallClock(civilDay(d.Date()), MaintenanceStart, loc)
		for m := open; m.Before(open.Add(MaintenanceDuration)); m = m.Add(time.Minute) {
			maint[m.Unix()] = true
		}
	}
	inWindow := func(at time.Time) bool { return maint[at.Unix()] }
	sundays := 0
	var hostDownOutside, hostJudged int
	for _, s := range w.samples[SeriesHosting] {
		l := s.At.In(loc)
		if inWindow(s.At) {
			if !inWindow(s.At.Add(-time.Minute)) {
				sundays++
			}
			if s.State != availability.Down {
				t.Errorf("hosting at %s (maintenance) is %s", l, s.State)
			}
			continue
		}
		if s.State != availability.Unknown {
			hostJudged++
			if s.State != availability.Up {
				hostDownOutside++
			}
		}
	}
	if weeks := int(now.Sub(start).Hours() / 24 / 7); sundays < weeks {
		t.Errorf("hosting: %d maintenance windows seen, want at least %d", sundays, weeks)
	}
	within(t, "hosting bad share outside maintenance", share(hostDownOutside, hostJudged), 0, 0.01)

	// On the wall: 02:00-04:00 every Sunday reads down. On the DST nights the window is two
	// hours of elapsed time from the first 02:00 (or the jump), as availability.Recurring reads
	// it, which inWindow checked above; the wall reading differs then, so they are skipped here.
	for _, s := range w.samples[SeriesHosting] {
		l := s.At.In(loc)
		_, off0 := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc).Zone()
		_, off1 := time.Date(l.Year(), l.Month(), l.Day(), 12, 0, 0, 0, loc).Zone()
		if off0 != off1 {
			continue
		}
		if l.Weekday() == MaintenanceWeekday && (l.Hour() == 2 || l.Hour() == 3) && s.State != availability.Down {
			t.Errorf("hosting at %s reads %s during the maintenance hours", l, s.State)
		}
	}

	for _, name := range seriesNames {
		var up, judged, unknown int
		for _, s := range w.samples[name] {
			if name == SeriesHosting && inWindow(s.At) {
				continue
			}
			switch s.State {
			case availability.Unknown:
				unknown++
			case availability.Up:
				up++
				judged++
			default:
				judged++
			}
		}
		within(t, name+" uptime", share(up, judged), 0.99, 0.99999)
		within(t, name+" missing-data share", share(unknown, judged+unknown), 0.00001, 0.001)
	}
	for _, name := range seriesNames {
		months := map[string][2]int{}
		for _, s := range w.samples[name] {
			if s.State == availability.Unknown || (name == SeriesHosting && inWindow(s.At)) {
				continue
			}
			k := s.At.In(loc).Format("2006-01")
			m := months[k]
			m[1]++
			if s.State == availability.Up {
				m[0]++
			}
			months[k] = m
		}
		line := name + " monthly uptime:"
		for _, k := range sortedKeys(months) {
			line += fmt.Sprintf(" %s %.4f%%", k, 100*share(months[k][0], months[k][1]))
		}
		t.Log(line)
	}
	// The hosting platform's long outages reach the web shop and the api.
	var cascades int
	shop, apiS := w.samples[SeriesWebshop], w.samples[SeriesAPI]
	for i, s := range w.samples[SeriesHosting] {
		if s.State == availability.Down && !inWindow(s.At) && shop[i].State == availability.Down && apiS[i].State == availability.Down {
			cascades++
		}
	}
	t.Logf("minutes all three were down outside maintenance: %d", cascades)
}

func checkRequests(t *testing.T, w *world, start, now time.Time) {
	bs := w.buckets[SeriesAPIRequests]
	if want := int(now.Unix()/60 - (start.Unix()-1)/60 - 1); len(bs) != want {
		t.Errorf("api_requests: %d buckets, want %d", len(bs), want)
	}
	var good, total float64
	bursts := 0
	months := map[string][2]float64{}
	for i, b := range bs {
		if i > 0 && b.Start.Sub(bs[i-1].Start) != time.Minute {
			t.Fatalf("bucket %d at %s does not follow %s", i, b.Start, bs[i-1].Start)
		}
		if b.Good < 0 || b.Good > b.Total || b.Total <= 0 || b.Good != math.Trunc(b.Good) {
			t.Fatalf("bucket at %s: good %g total %g", b.Start, b.Good, b.Total)
		}
		good += b.Good
		total += b.Total
		if b.Good < 0.99*b.Total {
			bursts++
		}
		k := b.Start.In(rome(t)).Format("2006-01")
		m := months[k]
		months[k] = [2]float64{m[0] + b.Good, m[1] + b.Total}
	}
	within(t, "api_requests good ratio", good/total, 0.998, 0.9998)
	within(t, "api_requests minutes with over 1% errors", float64(bursts), 100, 10000)
	line := "api_requests monthly good ratio:"
	for _, k := range sortedKeys(months) {
		line += fmt.Sprintf(" %s %.4f%%", k, 100*months[k][0]/months[k][1])
	}
	t.Logf("%s (%.0f requests a day)", line, total/now.Sub(start).Hours()*24)
}

// TestTicketLifeBound checks that no simulated ticket outlives maxLife, which the sync's look-back
// relies on, and that clip never had to cut one (the draws' clamps are enough).
func TestTicketLifeBound(t *testing.T) {
	cal, err := businessCalendar()
	if err != nil {
		t.Fatal(err)
	}
	loc := rome(t)
	first := civilDay(2026, 1, 1)
	longest := int64(0)
	for seed := uint64(1); seed <= 5; seed++ {
		s := &sim{seed: seed, scale: 3, loc: loc, cal: cal}
		for day := first; day < first+120; day++ {
			for _, tk := range s.day(day) {
				if !tk.hist[len(tk.hist)-1].st.stopped() {
					t.Fatalf("seed %d: %s never stops (clipped?)", seed, tk.id)
				}
				for i := 1; i < len(tk.hist); i++ {
					if tk.hist[i].at < tk.hist[i-1].at {
						t.Fatalf("seed %d: %s history goes back", seed, tk.id)
					}
				}
				if tk.typ != TypeChange && !tk.hist[len(tk.hist)-1].st.final() {
					t.Fatalf("seed %d: %s ends %s", seed, tk.id, statusNames[tk.hist[len(tk.hist)-1].st])
				}
				longest = max(longest, tk.last()-tk.created)
			}
		}
	}
	t.Logf("longest ticket life: %.1f days (bound %d)", float64(longest)/86400, maxLife/86400)
	if longest >= maxLife-86400 {
		t.Errorf("a ticket lived %.1f days, too close to the %d-day bound", float64(longest)/86400, maxLife/86400)
	}
}

// stopped and final classify a simulated status: a closed or cancelled ticket is over.
func (st status) stopped() bool { return statusCategories[st].Stopped() }
func (st status) final() bool   { return st == stClosed || st == stCancelled }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
