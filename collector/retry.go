package collector

import (
	"errors"
	"fmt"
	"time"
)

// MaxRetryAfter caps how long a server's Retry-After can hold a source back: a misbehaving
// server answering "come back in a week" must not silence a source for good.
const MaxRetryAfter = time.Hour

// RetryAfterError is a failed sync whose server said when to come back (HTTP 429 or 503 with
// Retry-After). The runner waits at least After, capped by MaxRetryAfter, before the next try,
// instead of its own shorter backoff.
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("%v (server asked to retry after %s)", e.Err, e.After)
}

func (e *RetryAfterError) Unwrap() error { return e.Err }

// retryAfter is the wait a failed sync's error asks for, capped; zero when it asks none.
func retryAfter(err error) time.Duration {
	var ra *RetryAfterError
	if !errors.As(err, &ra) || ra.After <= 0 {
		return 0
	}
	return min(ra.After, MaxRetryAfter)
}
