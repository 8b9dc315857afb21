// Package display writes figures the way a manager reads them: durations as days, hours, minutes
// and seconds (18h17m), ratios as percentages (99.87%), counts as whole numbers with grouped thousands, burn rates as multiples (14×), money with two
// decimals and grouped thousands, and instants in a timezone with its abbreviation. The report
// and the status page share it, so a figure reads the same in both. Metrics and APIs keep base
// units (seconds, ratios 0-1).
package display

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Units the formatting knows, as KPIs (seconds, ratio, tickets) and objectives (seconds,
// events, cycles) name them.
const (
	UnitSeconds = "seconds"
	UnitRatio   = "ratio"
)

// durationUnits are the units of a formatted duration, largest first. There are no weeks: "15d"
// reads faster than "2w1d".
var durationUnits = []struct {
	seconds float64
	suffix  string
}{{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}}

// Duration writes seconds as their two largest units in Prometheus' duration notation
// (2d3h, 18h17m, 4m5s, 12s), rounded to the smaller of the two: two units are what a reader
// takes in, and the notation is the one the configuration's targets are written in. Under a
// second it gives milliseconds. NaN and infinities give "".
func Duration(sec float64) string {
	if math.IsNaN(sec) || math.IsInf(sec, 0) {
		return ""
	}
	sign := ""
	if sec < 0 {
		sign, sec = "-", -sec
	}
	if ms := math.Round(sec * 1000); ms < 1000 {
		if ms == 0 {
			return "0s"
		}
		return sign + strconv.FormatFloat(ms, 'f', 0, 64) + "ms"
	}
	for i := 0; i+1 < len(durationUnits); i++ {
		big, small := durationUnits[i], durationUnits[i+1]
		// Rounded to the smaller unit first, so that 23h59m50s reads 1d, not 23h60m.
		r := math.Round(sec/small.seconds) * small.seconds
		if r < big.seconds {
			continue
		}
		n := math.Floor(r / big.seconds)
		s := sign + strconv.FormatFloat(n, 'f', 0, 64) + big.suffix
		if rest := math.Round((r - n*big.seconds) / small.seconds); rest > 0 {
			s += strconv.FormatFloat(rest, 'f', 0, 64) + small.suffix
		}
		return s
	}
	return sign + strconv.FormatFloat(math.Round(sec), 'f', 0, 64) + "s"
}

// maxPercentDecimals bounds the precision Percent adds to keep a comparison visible.
const maxPercentDecimals = 4

// Percent writes a ratio as a percentage with two decimals (99.87%), or more where two
// would round it onto 0% or 100% without it being there: 0.99999 reads 99.999%, never 100.00%.
func Percent(v float64) string {
	return PercentVs(v, math.NaN())
}

// PercentVs is Percent with enough decimals that v and ref, shown side by side,
// compare as they do as numbers: an attainment of 0.99949 against a target of 0.9995 reads
// 99.949% against 99.95%, not 99.95% against 99.95% with a breached status. Pass NaN for no
// reference.
func PercentVs(v, ref float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	decimals := 2
	for ; decimals < maxPercentDecimals; decimals++ {
		if keepsOrder(v, 0, decimals) && keepsOrder(v, 1, decimals) && (math.IsNaN(ref) || keepsOrder(v, ref, decimals)) {
			break
		}
	}
	pct := 100 * v
	if !keepsOrder(v, 0, decimals) || !keepsOrder(v, 1, decimals) {
		// Closer to 0% or 100% than the last decimal: truncated, it stays on its side.
		p := math.Pow(10, float64(decimals))
		pct = math.Trunc(pct*p) / p
	}
	// Trailing zeros stay: past two decimals they are what tells 99.900% from a 99.904% target.
	return strconv.FormatFloat(pct, 'f', decimals, 64) + "%"
}

// keepsOrder reports whether v and ref, both shown as percentages with the given decimals,
// compare the way they do unrounded.
func keepsOrder(v, ref float64, decimals int) bool {
	round := func(x float64) float64 {
		p := math.Pow(10, float64(decimals))
		return math.Round(100*x*p) / p
	}
	return cmpFloat(round(v), round(ref)) == cmpFloat(v, ref)
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Count writes a count as a whole number with its thousands grouped (127, 538,758). An error
// budget projected from the traffic so far is fractional: under 10 it keeps one decimal (2.4
// cycles left is not 2), above it the decimal is noise (549,361, not 549,361.4 events).
func Count(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	if r := math.Round(v); math.Abs(v-r) < 0.05 || math.Abs(v) >= 10 {
		if r == 0 {
			return "0" // not -0
		}
		return grouped(strconv.FormatFloat(r, 'f', 0, 64))
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// grouped puts a comma between the thousands of a formatted number ("-1234567.5" reads
// "-1,234,567.5").
func grouped(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	b.WriteString(sign)
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return b.String()
}

// Quantity writes v in its unit: seconds as a duration, a ratio as a percentage, anything
// else (tickets, events, cycles) as a count.
func Quantity(v float64, unit string) string {
	switch unit {
	case UnitSeconds:
		return Duration(v)
	case UnitRatio:
		return Percent(v)
	}
	return Count(v)
}

// QuantityVs is Quantity, with a ratio given the precision that keeps its order
// against ref (see PercentVs).
func QuantityVs(v, ref float64, unit string) string {
	if unit == UnitRatio {
		return PercentVs(v, ref)
	}
	return Quantity(v, unit)
}

// Time writes an instant in loc (UTC when nil) to the minute, with the zone's
// abbreviation: "2026-11-15 13:00 CET". The zero time, which stands for "never", gives "never".
func Time(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "never"
	}
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

// Budget writes an error budget left: the amount in the objective's unit, then the share
// of the whole budget. "42m10s (35.12%)", "2.4 cycles (60.00%)", "-5m (-12.50%)" when overspent.
func Budget(remaining, ratio float64, unit string) string {
	share := Percent(ratio)
	amount := Quantity(remaining, unit)
	if amount != "" && unit != UnitSeconds && unit != UnitRatio && unit != "" {
		amount += " " + unit
	}
	switch {
	case amount == "":
		return share
	case share == "":
		return amount
	}
	return fmt.Sprintf("%s (%s)", amount, share)
}

// Money writes an amount with two decimals and thousands grouped, as an invoice does:
// 1,200.00 and -3,000.50.
func Money(v float64) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', 2, 64)
	if v < 0 && s != "0.00" {
		s = "-" + s
	}
	return grouped(s)
}

// Rate writes a burn rate as a multiple of the rate that spends exactly the budget over the
// period: "14×", "1.9×", "0.25×", "0×". Two significant digits are what a reader compares; more
// would be noise in a figure measured over a short window.
func Rate(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	switch a := math.Abs(v); {
	case a == 0:
		return "0×"
	case a >= 10:
		return grouped(strconv.FormatFloat(math.Round(v), 'f', 0, 64)) + "×"
	case a < 0.01:
		// 'g' would switch to an exponent (1e-05): a burn this small is "almost none".
		return "<0.01×"
	}
	return strconv.FormatFloat(v, 'g', 2, 64) + "×"
}

// Day writes an instant in loc (UTC when nil) as a sentence names it: "17 Dec 14:05 CET", with
// the year only when it is not that of ref ("3 Jan 2027 09:00 CET"), so a date in the current
// year reads short and one across New Year does not read as the past.
func Day(t, ref time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	if t.Year() != ref.In(loc).Year() {
		return t.Format("2 Jan 2006 15:04 MST")
	}
	return t.Format("2 Jan 15:04 MST")
}

// Amount writes money with its currency, as an invoice line does: "1,200.00 EUR". Without a
// currency it is the bare amount; NaN and infinities give "".
func Amount(v float64, currency string) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	if currency == "" {
		return Money(v)
	}
	return Money(v) + " " + currency
}
