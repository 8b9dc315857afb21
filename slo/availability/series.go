package availability

import (
	"errors"
	"fmt"
	"time"
)

// ErrOutOfOrder is wrapped by FromSamples when a sample comes before the one preceding it.
var ErrOutOfOrder = errors.New("samples out of order")

// Sample is one probe result. It holds from At until the next sample, but for at most
// Config.MaxSampleAge; past that the time is missing data.
type Sample struct {
	At    time.Time
	State State
}

// Outage is a period of trouble over [Start, End); State is Down or Degraded.
type Outage struct {
	Start, End time.Time
	State      State
}

// Series is the data for one service, either probe samples (FromSamples) or outage records over a
// coverage range (FromOutages). The zero Series holds no data at all, so every instant is missing.
type Series struct {
	samples []Sample
	outages []Outage
	// covered are the spans the outages describe: time inside them and in no outage is up.
	covered     []Window
	fromOutages bool
	// maintenance is what the data's source reports as maintenance (a monitoring system's
	// maintenance periods, a status page's scheduled maintenance), removed like Config's.
	maintenance []Window
}

// FromSamples builds a Series from samples in time order. Samples at the same instant are
// collapsed and the last one wins, as when a probe result is corrected. A sample earlier than
// the one before it is an error wrapping ErrOutOfOrder and naming its index.
func FromSamples(samples []Sample) (Series, error) {
	out := make([]Sample, 0, len(samples))
	for i, s := range samples {
		if !s.State.valid() {
			return Series{}, fmt.Errorf("sample %d: invalid state %d", i, s.State)
		}
		if n := len(out); n > 0 {
			last := out[n-1].At
			if s.At.Before(last) {
				return Series{}, fmt.Errorf("sample %d at %v is before sample %d at %v: %w",
					i, s.At, i-1, samples[i-1].At, ErrOutOfOrder)
			}
			if s.At.Equal(last) {
				out[n-1] = s
				continue
			}
		}
		out = append(out, s)
	}
	return Series{samples: out}, nil
}

// FromOutages builds a Series from outage records: inside [coveredFrom, coveredTo) every instant
// no outage claims is Up, and outside it every such instant is missing. Outages may overlap, in
// any order; where they do, Down beats Degraded. An outage counts even outside the coverage
// range, because the record is itself evidence of trouble.
func FromOutages(outages []Outage, coveredFrom, coveredTo time.Time) (Series, error) {
	if coveredTo.Before(coveredFrom) {
		return Series{}, fmt.Errorf("coverage ends at %v, before it starts at %v", coveredTo, coveredFrom)
	}
	return FromOutagesCovered(outages, []Window{{Start: coveredFrom, End: coveredTo}})
}

// FromOutagesCovered is FromOutages over several coverage spans, which may overlap or touch: the
// time between them is missing, as for a source that stopped reading its system for a while and
// cannot read back what happened then. An empty span is ignored; a reversed one is an error.
func FromOutagesCovered(outages []Outage, covered []Window) (Series, error) {
	for i, w := range covered {
		if w.End.Before(w.Start) {
			return Series{}, fmt.Errorf("coverage span %d ends at %v, before it starts at %v", i, w.End, w.Start)
		}
	}
	for i, o := range outages {
		if o.State != Down && o.State != Degraded {
			return Series{}, fmt.Errorf("outage %d: state %v, want down or degraded", i, o.State)
		}
		if !o.Start.Before(o.End) {
			return Series{}, fmt.Errorf("outage %d: end %v is not after start %v", i, o.End, o.Start)
		}
	}
	return Series{
		outages:     append([]Outage(nil), outages...),
		covered:     append([]Window(nil), covered...),
		fromOutages: true,
	}, nil
}

// WithMaintenance returns s with maintenance windows reported by the data's source, which Build
// removes from evaluation exactly like Config.Maintenance. A window that does not end after it
// starts is an error naming its index.
func (s Series) WithMaintenance(windows []Window) (Series, error) {
	for i, w := range windows {
		if !w.Start.Before(w.End) {
			return Series{}, fmt.Errorf("maintenance window %d: end %v is not after start %v", i, w.End, w.Start)
		}
	}
	s.maintenance = append([]Window(nil), windows...)
	return s, nil
}
