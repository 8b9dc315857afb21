package events

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// ErrInvalidBucket is wrapped by New for a bucket it cannot accept.
var ErrInvalidBucket = errors.New("invalid bucket")

// Bucket counts the events of one time bucket that starts at Start. Good and Total must be
// finite with 0 <= Good <= Total; they may be fractional, as counters sampled by rate are.
type Bucket struct {
	Start time.Time
	Good  float64
	Total float64
}

func (b Bucket) validate() error {
	switch {
	case math.IsNaN(b.Good) || math.IsInf(b.Good, 0):
		return fmt.Errorf("good %v is not a finite number", b.Good)
	case math.IsNaN(b.Total) || math.IsInf(b.Total, 0):
		return fmt.Errorf("total %v is not a finite number", b.Total)
	case b.Good < 0:
		return fmt.Errorf("good %v is negative", b.Good)
	case b.Total < 0:
		return fmt.Errorf("total %v is negative", b.Total)
	case b.Good > b.Total:
		return fmt.Errorf("good %v exceeds total %v", b.Good, b.Total)
	}
	return nil
}
