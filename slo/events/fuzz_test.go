package events

import (
	"encoding/binary"
	"math"
	"testing"
	"time"
)

// FuzzSeries decodes buckets from raw bytes, so that NaN, infinities, negative zero, huge and
// tiny values all turn up, and checks that New never panics and that every window it then
// counts is sane.
func FuzzSeries(f *testing.F) {
	f.Add([]byte{})
	f.Add(binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64([]byte{3}, math.Float64bits(1)), math.Float64bits(2)))
	f.Add(binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64([]byte{0}, math.Float64bits(math.NaN())), math.Float64bits(math.MaxFloat64)))
	f.Fuzz(func(t *testing.T, in []byte) {
		t0 := time.Date(2026, time.June, 1, 0, 0, 0, 0, time.UTC)
		var buckets []Bucket
		// Each bucket: 1 byte of start offset in minutes, 8 bytes good, 8 bytes total.
		for len(in) >= 17 {
			buckets = append(buckets, Bucket{
				Start: t0.Add(time.Duration(in[0]) * time.Minute),
				Good:  math.Float64frombits(binary.LittleEndian.Uint64(in[1:9])),
				Total: math.Float64frombits(binary.LittleEndian.Uint64(in[9:17])),
			})
			in = in[17:]
		}
		s, err := New(buckets)
		if err != nil {
			return
		}
		for a := -1; a <= 256; a += 37 {
			for z := a; z <= 257; z += 23 {
				c := s.Counts(t0.Add(time.Duration(a)*time.Minute), t0.Add(time.Duration(z)*time.Minute))
				if c.Good+c.Bad != c.Total {
					t.Fatalf("Good %v + Bad %v != Total %v", c.Good, c.Bad, c.Total)
				}
				if !(c.Good >= 0 && c.Bad >= 0) || math.IsInf(c.Total, 0) || math.IsNaN(c.Total) {
					t.Fatalf("impossible counts %+v", c)
				}
			}
		}
	})
}
