package demo

import (
	"math"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/availability"
	"github.com/sla-exporter/sla_exporter/slo/events"
)

// The services are probed once a minute: minute m (a Unix minute, m×60 seconds) has one sample,
// at its start, saying what the probe saw during it.

// Series indexes.
const (
	webshop = iota
	api
	hosting
	numSeries
)

var seriesNames = [numSeries]string{SeriesWebshop, SeriesAPI, SeriesHosting}

// Paint ranks: where troubles overlap, the higher rank wins the minute.
const (
	rankUp       uint8 = iota
	rankDegraded       // slow or partly failing
	rankDown           // failing
	rankGap            // the probe did not answer: an Unknown sample (missing data)
	rankMaint          // hosting maintenance: down, whatever else happens
)

var rankState = [...]availability.State{availability.Up, availability.Degraded, availability.Down, availability.Unknown, availability.Down}

// trouble is a run of bad minutes [from, to) of some rank.
type trouble struct {
	from, to int64
	rank     uint8
}

// troubleKind is one kind of trouble a series has: on a UTC day it happens with probability p, at
// a uniformly random minute, for a log-normal number of minutes.
type troubleKind struct {
	p, median, sigma, lo, hi float64
	rank                     uint8
}

// Each series' own troubles. The web shop's budget at 99.9% is 43 minutes a month; its own
// outages and slow spells use about half of it, so it meets 99.9% in about two months of three
// and breaches in a month with a hosting outage. The hosting platform (99.95% promised, 21.6
// minutes a month outside maintenance) has short blips and slow spells besides its rare long
// outage, and meets 99.95% in a bit over half the months: service credits are due now and then.
var troubleKinds = [numSeries][]troubleKind{
	webshop: {
		{p: 0.05, median: 5, sigma: 0.8, lo: 1, hi: 45, rank: rankDown},
		{p: 0.03, median: 8, sigma: 0.7, lo: 2, hi: 45, rank: rankDegraded},
		{p: 0.05, median: 2, sigma: 0.5, lo: 1, hi: 5, rank: rankGap},
	},
	api: {
		{p: 0.05, median: 4, sigma: 0.8, lo: 1, hi: 30, rank: rankDown},
		{p: 0.03, median: 8, sigma: 0.7, lo: 2, hi: 45, rank: rankDegraded},
		{p: 0.03, median: 2, sigma: 0.5, lo: 1, hi: 5, rank: rankGap},
	},
	hosting: {
		{p: 0.04, median: 2, sigma: 0.6, lo: 1, hi: 6, rank: rankDown},
		{p: 0.015, median: 10, sigma: 0.7, lo: 3, hi: 60, rank: rankDegraded},
		{p: 0.03, median: 2, sigma: 0.5, lo: 1, hi: 5, rank: rankGap},
	},
}

// The hosting platform's rare long outage (about one in 65 days, 30 minutes to 4 hours) takes
// the web shop and the api down with it; its maintenance does not (they fail over).
var cascadeKind = troubleKind{p: 0.015, median: 60, sigma: 0.5, lo: 30, hi: 240, rank: rankDown}

// Error bursts of the api (about one day in four, 3 to 60 minutes, 1% to 20% of requests fail).
var burstKind = troubleKind{p: 0.25, median: 12, sigma: 0.7, lo: 3, hi: 60}

// maxTrouble bounds a trouble's length in minutes: one starting on the day before a range is
// the earliest that can reach into it.
const maxTrouble = 240

func (k troubleKind) draw(r *rng, day int64) (trouble, bool) {
	if !r.chance(k.p) {
		return trouble{}, false
	}
	start := day*1440 + int64(r.intn(1440))
	n := int64(math.Round(r.lognormal(k.median, k.sigma, k.lo, k.hi)))
	return trouble{from: start, to: start + n, rank: k.rank}, true
}

// troubles appends the troubles of a series starting on UTC day d.
func (s *sim) troubles(out []trouble, series int, d int64) []trouble {
	r := newRNG(s.seed, streamUptime+uint64(series), d, 0)
	for _, k := range troubleKinds[series] {
		if t, ok := k.draw(&r, d); ok {
			out = append(out, t)
		}
	}
	rc := newRNG(s.seed, streamCascade, d, 0)
	if t, ok := cascadeKind.draw(&rc, d); ok {
		out = append(out, t)
	}
	return out
}

// paint returns the rank of each minute of [m0, m1) for a series.
func (s *sim) paint(series int, m0, m1 int64) []uint8 {
	ranks := make([]uint8, max(m1-m0, 0))
	if len(ranks) == 0 {
		return ranks
	}
	set := func(from, to int64, rank uint8) {
		for m := max(from, m0); m < min(to, m1); m++ {
			ranks[m-m0] = max(ranks[m-m0], rank)
		}
	}
	var ts []trouble
	for d := floorDiv(m0-maxTrouble, 1440); d <= floorDiv(m1-1, 1440); d++ {
		ts = s.troubles(ts[:0], series, d)
		for _, t := range ts {
			set(t.from, t.to, t.rank)
		}
	}
	if series == hosting {
		for _, w := range s.maintenance(m0*60, m1*60) {
			set(w[0]/60, ceilDiv(w[1], 60), rankMaint)
		}
	}
	return ranks
}

// maintenance lists the hosting maintenance windows [start, end) (Unix seconds) reaching into
// [from, to).
func (s *sim) maintenance(from, to int64) [][2]int64 {
	var out [][2]int64
	for day := dayOf(from-int64(MaintenanceDuration/time.Second), s.loc) - 1; ; day++ {
		y, m, d := dateOf(day)
		start := wallClock(day, MaintenanceStart, s.loc).Unix()
		if start >= to {
			return out
		}
		end := start + int64(MaintenanceDuration/time.Second)
		if time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Weekday() == MaintenanceWeekday && end > from {
			out = append(out, [2]int64{start, end})
		}
	}
}

// samples returns the probe samples of a series for the minutes [m0, m1).
func (s *sim) samples(series int, m0, m1 int64) []availability.Sample {
	ranks := s.paint(series, m0, m1)
	out := make([]availability.Sample, len(ranks))
	for i, r := range ranks {
		out[i] = availability.Sample{At: time.Unix((m0+int64(i))*60, 0).UTC(), State: rankState[r]}
	}
	return out
}

// Requests per minute to the api by local hour on a business day; weekends carry 60%.
var trafficByHour = [24]float64{
	300, 250, 220, 200, 200, 250, 400, 900,
	1800, 2400, 2600, 2600, 2300, 2200, 2500, 2600, 2500, 2300,
	1900, 1600, 1400, 1100, 800, 500,
}

const weekendTraffic = 0.6

// requests returns the api's good and total requests for the minutes [m0, m1). Traffic follows
// the local day with ±15% noise; a small baseline of requests fail (0.005% to 0.025%), more during
// error bursts, 3% while the api is degraded and 97% while it is down.
func (s *sim) requests(m0, m1 int64) []events.Bucket {
	ranks := s.paint(api, m0, m1)
	n := len(ranks)
	if n == 0 {
		return nil
	}
	burst := make([]float64, n)
	for d := floorDiv(m0-maxTrouble, 1440); d <= floorDiv(m1-1, 1440); d++ {
		r := newRNG(s.seed, streamBursts, d, 0)
		t, ok := burstKind.draw(&r, d)
		if !ok {
			continue
		}
		rate := r.between(0.01, 0.2)
		for m := max(t.from, m0); m < min(t.to, m1); m++ {
			burst[m-m0] = max(burst[m-m0], rate)
		}
	}
	out := make([]events.Bucket, n)
	var hourly float64
	for i := range n {
		m := m0 + int64(i)
		if i == 0 || m%60 == 0 { // the zone's offsets are whole hours
			lt := time.Unix(m*60, 0).In(s.loc)
			hourly = trafficByHour[lt.Hour()]
			if wd := lt.Weekday(); wd == time.Saturday || wd == time.Sunday {
				hourly *= weekendTraffic
			}
		}
		total := math.Round(hourly * (0.85 + 0.3*unit(hash(s.seed, streamTraffic, m, 0))))
		rate := max(0.00005+0.0002*unit(hash(s.seed, streamErrors, m, 0)), burst[i])
		switch ranks[i] {
		case rankDown:
			rate = 0.97
		case rankDegraded:
			rate = max(rate, 0.03)
		}
		bad := min(math.Floor(total*rate+unit(hash(s.seed, streamRounding, m, 0))), total)
		out[i] = events.Bucket{Start: time.Unix(m*60, 0).UTC(), Good: total - bad, Total: total}
	}
	return out
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func ceilDiv(a, b int64) int64 { return -floorDiv(-a, b) }
