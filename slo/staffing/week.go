package staffing

import (
	"math"
	"time"
)

// HoursPerWeek is the length of a Week.
const HoursPerWeek = 7 * 24

// Week holds one figure per hour of the week, by wall-clock time in the plan's time zone:
// index 0 is Monday 00:00-01:00, 24 Tuesday 00:00, 167 Sunday 23:00.
type Week [HoursPerWeek]float64

// DayName is the English name of day d of a Week, 0 Monday to 6 Sunday.
func DayName(d int) string { return time.Weekday((d + 1) % 7).String() }

// HourOfWeek is t's index in a Week, by t's wall clock in its location. A day on which the clocks
// go back counts its repeated hour twice in that hour; one on which they go forward leaves the
// skipped hour empty.
func HourOfWeek(t time.Time) int {
	return (int(t.Weekday())+6)%7*24 + t.Hour()
}

// Sum is the week's total.
func (w *Week) Sum() float64 {
	s := 0.0
	for _, v := range w {
		s += v
	}
	return s
}

// Ceil rounds every hour up to whole agents; a tiny tolerance keeps 3.0000000001, a rounding
// error of a sum, at 3.
func (w *Week) Ceil() Week {
	var c Week
	for i, v := range w {
		if v > 0 {
			c[i] = math.Ceil(v - 1e-9)
		}
	}
	return c
}

// StartOfWeek returns the Monday 00:00 of t's week in loc.
func StartOfWeek(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	d := (int(t.Weekday()) + 6) % 7
	return time.Date(t.Year(), t.Month(), t.Day()-d, 0, 0, 0, 0, loc)
}

// Profile is the arrivals of a queue per hour of the week, averaged over whole weeks.
type Profile struct {
	// Mean is the mean number of tickets arriving in each hour of the week; StdDev their
	// standard deviation from week to week (0 with one week).
	Mean, StdDev Week
	// Weeks is the number of weeks averaged.
	Weeks int
}

// ArrivalProfile averages the arrival instants that fall within the weeks whole weeks before
// end's week (end itself is in a week not yet finished, and left out), by hour of the week in
// loc. Instants outside those weeks are ignored.
func ArrivalProfile(arrivals []time.Time, loc *time.Location, end time.Time, weeks int) Profile {
	p := Profile{Weeks: weeks}
	if weeks <= 0 {
		p.Weeks = 0
		return p
	}
	last := StartOfWeek(end, loc)
	first := last.AddDate(0, 0, -7*weeks)
	counts := make([]Week, weeks)
	for _, t := range arrivals {
		if t.Before(first) || !t.Before(last) {
			continue
		}
		t = t.In(loc)
		// The week's index by calendar date, so that a DST week of 167 or 169 hours stays one week.
		w := int(StartOfWeek(t, loc).Sub(first).Hours()+12) / (7 * 24)
		if w >= 0 && w < weeks {
			counts[w][HourOfWeek(t)]++
		}
	}
	n := float64(weeks)
	for h := 0; h < HoursPerWeek; h++ {
		sum := 0.0
		for w := range counts {
			sum += counts[w][h]
		}
		mean := sum / n
		ss := 0.0
		for w := range counts {
			d := counts[w][h] - mean
			ss += d * d
		}
		p.Mean[h] = mean
		if weeks > 1 {
			p.StdDev[h] = math.Sqrt(ss / (n - 1))
		}
	}
	return p
}
