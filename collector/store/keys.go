package store

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"time"
)

// Time keys are Unix nanoseconds with the sign bit flipped, big-endian, so that bbolt's byte
// order is time order (before 1970 included). That bounds them to the years 1678 to 2262.
var (
	minKeyTime = time.Unix(0, math.MinInt64)
	maxKeyTime = time.Unix(0, math.MaxInt64)
)

// KeyTimeOK reports whether t can be stored as a time key; callers reject records with other
// times (the zero time among them) before committing.
func KeyTimeOK(t time.Time) bool {
	return !t.Before(minKeyTime) && !t.After(maxKeyTime)
}

func timeKey(t time.Time) ([]byte, error) {
	if !KeyTimeOK(t) {
		return nil, fmt.Errorf("time %s out of the storable range", t.UTC().Format(time.RFC3339))
	}
	return binary.BigEndian.AppendUint64(make([]byte, 0, 9), uint64(t.UnixNano())^1<<63), nil
}

func keyTime(k []byte) (time.Time, error) {
	if len(k) != 8 {
		return time.Time{}, fmt.Errorf("time key of %d bytes", len(k))
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(k)^1<<63)).UTC(), nil
}

// MergeSpans sorts spans and joins the overlapping or touching ones, dropping empty ones. It
// reuses spans' array.
func MergeSpans(spans []Span) []Span {
	slices.SortFunc(spans, func(a, b Span) int { return a.From.Compare(b.From) })
	out := spans[:0]
	for _, s := range spans {
		if !s.From.Before(s.To) {
			continue
		}
		if n := len(out); n > 0 && !s.From.After(out[n-1].To) {
			if s.To.After(out[n-1].To) {
				out[n-1].To = s.To
			}
			continue
		}
		out = append(out, s)
	}
	return out
}

func appendSpans(b []byte, spans []Span) []byte {
	b = binary.AppendUvarint(b, uint64(len(spans)))
	for _, s := range spans {
		b = appendTime(b, s.From)
		b = appendTime(b, s.To)
	}
	return b
}

func decodeSpans(b []byte) ([]Span, error) {
	if b == nil {
		return nil, nil
	}
	d := decoder{b: b}
	n := d.count(4)
	spans := make([]Span, n)
	for i := range spans {
		spans[i] = Span{From: d.time(), To: d.time()}
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%d bytes after the last span", len(d.b))
	}
	return spans, d.err
}
