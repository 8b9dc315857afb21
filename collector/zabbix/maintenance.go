package zabbix

import (
	"fmt"
	"slices"
	"time"
)

// Maintenance periods expanded into windows, as the Zabbix server puts hosts in maintenance.
//
// The server decides at each instant whether a maintenance runs (zbx_dc_update_maintenances,
// dc_check_maintenance_period and dc_calculate_maintenance_period in its dbconfig_maintenance.c):
// the maintenance must be active (active_since <= now < active_till); for a recurring period it
// takes today's start_time in the server's local time (no maintenance at all on a day where
// DST skips that time), yesterday's when now is before it, walks back from there to the last
// day the period allows (daily: every N days counted from active_since's day; weekly: every N
// weeks counted from the Monday of active_since's week, on the days of dayofweek; monthly: the
// months of month, on day of the month or on the first to fourth or last weekday of dayofweek),
// and the maintenance runs when now is in [that start, start + period), cut at active_till. The
// functions below are that computation, ported: for each local day they find the start the
// server would use before and after that day's start_time, and keep the part of that half-day
// the period covers. Days, weeks and DST corrections are computed as the server does them
// (elapsed seconds, dc_subtract_time), so that the windows are the server's own, to the second.

// span is [from, to) in Unix seconds.
type span struct{ from, to int64 }

const (
	secPerDay  = 86400
	secPerWeek = 7 * secPerDay
)

// Period types (timeperiod_type).
const (
	periodOnce    = 0
	periodDaily   = 2
	periodWeekly  = 3
	periodMonthly = 4
)

// period is a timeperiod read.
type period struct {
	typ                                     int64
	every, month, dayofweek, day, startTime int64
	length, startDate                       int64
}

func readPeriod(tp timeperiod) (period, error) {
	var p period
	fields := []struct {
		dst  *int64
		n    num
		name string
	}{
		{&p.typ, tp.Type, "timeperiod_type"}, {&p.every, tp.Every, "every"}, {&p.month, tp.Month, "month"},
		{&p.dayofweek, tp.DayOfWeek, "dayofweek"}, {&p.day, tp.Day, "day"}, {&p.startTime, tp.StartTime, "start_time"},
		{&p.length, tp.Period, "period"}, {&p.startDate, tp.StartDate, "start_date"},
	}
	for _, f := range fields {
		if f.n == "" {
			continue
		}
		v, err := f.n.int(f.name)
		if err != nil {
			return p, err
		}
		*f.dst = v
	}
	switch {
	case p.typ != periodOnce && p.typ != periodDaily && p.typ != periodWeekly && p.typ != periodMonthly:
		return p, fmt.Errorf("timeperiod_type %d is not one of 0, 2, 3, 4", p.typ)
	case p.length <= 0:
		return p, fmt.Errorf("period %d is not positive", p.length)
	case p.typ != periodOnce && (p.startTime < 0 || p.startTime >= secPerDay):
		return p, fmt.Errorf("start_time %d is not within a day", p.startTime)
	case (p.typ == periodDaily || p.typ == periodWeekly) && p.every < 1:
		return p, fmt.Errorf("every %d is below 1", p.every)
	case p.typ == periodMonthly && p.day == 0 && (p.every < 1 || p.every > 5):
		return p, fmt.Errorf("every %d is not a week of the month (1-5)", p.every)
	}
	return p, nil
}

// zone does the server's local-time arithmetic in one time zone.
type zone struct{ loc *time.Location }

func (z zone) local(t int64) time.Time { return time.Unix(t, 0).In(z.loc) }

func (z zone) offset(t int64) int64 {
	_, off := z.local(t).Zone()
	return int64(off)
}

// subtract is dc_subtract_time: minuend less subtrahend seconds, corrected by the change of the
// zone's offset between the two, so that whole days keep the time of day across DST.
func (z zone) subtract(minuend, subtrahend int64) int64 {
	diff := minuend - subtrahend
	return diff - (z.offset(diff) - z.offset(minuend))
}

func (z zone) secondOfDay(t int64) int64 {
	l := z.local(t)
	return int64(l.Hour()*3600 + l.Minute()*60 + l.Second())
}

// weekday is Monday 0 to Sunday 6, as the server counts dayofweek's bits.
func (z zone) weekday(t int64) int64 { return int64(z.local(t).Weekday()+6) % 7 }

// start is dc_calculate_maintenance_period for a recurring period: the start of the period's
// run the server takes when the candidate start (the day's start_time) is cand, or false when
// it takes none.
func (p period) start(z zone, cand, activeSince int64) (int64, bool) {
	switch p.typ {
	case periodDaily:
		if cand < activeSince {
			return 0, false
		}
		day0 := z.subtract(activeSince, z.secondOfDay(activeSince))
		days := (cand - day0) / secPerDay
		return z.subtract(cand, secPerDay*(days%p.every)), true
	case periodWeekly:
		if cand < activeSince {
			return 0, false
		}
		week0 := z.subtract(activeSince, z.weekday(activeSince)*secPerDay+z.secondOfDay(activeSince))
		for ; cand >= week0; cand = z.subtract(cand, secPerDay) {
			if (cand-week0)/secPerWeek%p.every != 0 {
				continue
			}
			if p.dayofweek&(1<<z.weekday(cand)) == 0 {
				continue
			}
			break
		}
		return cand, true
	case periodMonthly:
		for ; cand >= activeSince; cand = z.subtract(cand, secPerDay) {
			l := z.local(cand)
			if p.month&(1<<(int(l.Month())-1)) == 0 {
				continue
			}
			if p.day != 0 {
				if int64(l.Day()) != p.day {
					continue
				}
			} else {
				if p.dayofweek&(1<<z.weekday(cand)) == 0 {
					continue
				}
				week := int64(l.Day()-1)/7 + 1
				if p.every == 5 && week == 4 {
					if l.Day()+7 <= daysIn(l.Year(), l.Month()) {
						continue
					}
				} else if p.every != week {
					continue
				}
			}
			break
		}
		return cand, true
	}
	return 0, false
}

func daysIn(y int, m time.Month) int { return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day() }

// windows returns the spans within [lo, hi) in which the maintenance runs by this period.
func (p period) windows(z zone, activeSince, activeTill, lo, hi int64) []span {
	lo, hi = max(lo, activeSince), min(hi, activeTill)
	if lo >= hi {
		return nil
	}
	var out []span
	add := func(from, to int64) {
		from, to = max(from, lo), min(to, hi)
		if from < to {
			out = append(out, span{from, to})
		}
	}
	if p.typ == periodOnce {
		add(max(p.startDate, activeSince), min(p.startDate+p.length, activeTill))
		return out
	}
	// Every local day from the one before lo (its second half reaches into lo's day) to hi's.
	y, m, d := z.local(lo).Date()
	for i := -1; ; i++ {
		civil := time.Date(y, m, d+i, 0, 0, 0, 0, time.UTC) // a date: UTC has no DST
		cy, cm, cd := civil.Date()
		midnight := time.Date(cy, cm, cd, 0, 0, 0, 0, z.loc).Unix()
		if midnight >= hi {
			return out
		}
		next := time.Date(cy, cm, cd+1, 0, 0, 0, 0, z.loc).Unix()
		today := z.subtract(midnight, -p.startTime)
		if z.secondOfDay(today) != p.startTime {
			continue // DST skips start_time today: the server runs no maintenance of it all day
		}
		halves := []struct{ from, to, cand int64 }{
			{midnight, today, z.subtract(today, secPerDay)},
			{today, next, today},
		}
		for _, h := range halves {
			if h.from >= h.to {
				continue
			}
			since, ok := p.start(z, h.cand, activeSince)
			if !ok {
				continue
			}
			until := min(since+p.length, activeTill)
			add(max(h.from, since), min(h.to, until))
		}
	}
}

// merge sorts spans and joins those that overlap or touch.
func merge(spans []span) []span {
	slices.SortFunc(spans, func(a, b span) int {
		if a.from != b.from {
			return int(a.from - b.from)
		}
		return int(a.to - b.to)
	})
	var out []span
	for _, s := range spans {
		if n := len(out); n > 0 && s.from <= out[n-1].to {
			out[n-1].to = max(out[n-1].to, s.to)
			continue
		}
		out = append(out, s)
	}
	return out
}

// runs returns the spans within [lo, hi) in which the maintenance runs, merged.
func (m maintenance) runs(z zone, lo, hi int64) ([]span, error) {
	since, err := m.ActiveSince.int("active_since")
	if err != nil {
		return nil, err
	}
	till, err := m.ActiveTill.int("active_till")
	if err != nil {
		return nil, err
	}
	var out []span
	for i, tp := range m.Timeperiods {
		p, err := readPeriod(tp)
		if err != nil {
			return nil, fmt.Errorf("timeperiods[%d]: %w", i, err)
		}
		out = append(out, p.windows(z, since, till, lo, hi)...)
	}
	return merge(out), nil
}
