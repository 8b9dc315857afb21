package apisource

import (
	"slices"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/availability"
)

// Beat is one check of a monitor as a monitoring tool's recent history lists it (a Gatus
// result, an Uptime Kuma heartbeat): when it ran and what it found.
type Beat struct {
	At    time.Time
	State availability.State
}

// Recent turns the recent history of one monitor into the samples a sync returns, for the tools
// that keep only the last N checks of a monitor (Gatus' maximum-number-of-results, Uptime Kuma's
// 100 heartbeats): the beats after watermark (the latest one a previous sync returned; zero on
// the first), and the new watermark.
//
// beats are in time order. complete says the history was read to its end: the tool holds no
// older check. When it was not, and its oldest beat is after the watermark, the checks between the watermark and the oldest beat are lost (the tool
// rotated them out between two syncs): the last sample returned before would hold across them
// up to the objective's max_sample_age, so an Unknown sample is added one typical check interval
// after the watermark (the median spacing of the beats), where the next check should have been,
// and the time up to the oldest beat reads as missing. With fewer than two beats no interval is
// known and no Unknown is added (max_sample_age bounds the stretch).
func Recent(beats []Beat, watermark time.Time, complete bool) ([]availability.Sample, time.Time) {
	var out []availability.Sample
	for _, b := range beats {
		if !watermark.IsZero() && !b.At.After(watermark) {
			continue
		}
		out = append(out, availability.Sample{At: b.At, State: b.State})
	}
	if len(out) == 0 {
		return nil, watermark
	}
	if !watermark.IsZero() && !complete && beats[0].At.After(watermark) {
		if step, ok := typicalStep(beats); ok {
			if gap := watermark.Add(step); gap.Before(out[0].At) {
				out = append([]availability.Sample{{At: gap, State: availability.Unknown}}, out...)
			}
		}
	}
	return out, out[len(out)-1].At
}

// typicalStep is the median spacing of the beats' times.
func typicalStep(beats []Beat) (time.Duration, bool) {
	var steps []time.Duration
	for i := 1; i < len(beats); i++ {
		if d := beats[i].At.Sub(beats[i-1].At); d > 0 {
			steps = append(steps, d)
		}
	}
	if len(steps) == 0 {
		return 0, false
	}
	slices.Sort(steps)
	return steps[len(steps)/2], true
}
