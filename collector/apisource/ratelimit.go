package apisource

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// quota is what a response's rate-limit headers say of the server's limit.
type quota struct {
	// known: the response had a remaining count.
	known     bool
	remaining int64
	// reset is when the window resets; zero when unknown.
	reset time.Time
}

// epochThreshold tells a reset given as a Unix time (GitHub's X-RateLimit-Reset, GitLab's
// RateLimit-Reset) from one given as seconds from now (the IETF RateLimit-Reset): no window is
// a billion seconds long.
const epochThreshold = 1e9

// readQuota reads the rate-limit headers of the APIs this package serves, measured from now
// (the server's clock, when its Date says what time it is):
//
//   - GitHub: X-RateLimit-Remaining, X-RateLimit-Reset (Unix seconds),
//     https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api;
//   - GitLab: RateLimit-Remaining, RateLimit-Reset (Unix seconds), RateLimit-ResetTime (an HTTP
//     date), https://docs.gitlab.com/ee/administration/settings/user_and_ip_rate_limits.html;
//   - Jira Cloud: X-RateLimit-Remaining, X-RateLimit-Reset (an ISO 8601 time);
//   - the IETF draft's RateLimit-Remaining and RateLimit-Reset (seconds from now).
func readQuota(h http.Header, now time.Time) quota {
	var q quota
	for _, name := range []string{"X-RateLimit-Remaining", "RateLimit-Remaining"} {
		if v := strings.TrimSpace(h.Get(name)); v != "" {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
				q.known, q.remaining = true, n
				break
			}
		}
	}
	for _, name := range []string{"X-RateLimit-Reset", "RateLimit-Reset", "RateLimit-ResetTime"} {
		if t, ok := parseReset(strings.TrimSpace(h.Get(name)), now); ok {
			q.reset = t
			break
		}
	}
	return q
}

// parseReset reads a reset time: Unix seconds, seconds from now, RFC 3339 or an HTTP date.
func parseReset(v string, now time.Time) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		switch {
		case math.IsNaN(n) || n < 0 || n > 1<<40:
			return time.Time{}, false
		case n >= epochThreshold:
			return time.Unix(int64(n), 0), true
		default:
			return now.Add(time.Duration(n * float64(time.Second))), true
		}
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, true
	}
	if t, err := time.Parse("2006-01-02T15:04Z07:00", v); err == nil { // Jira writes minutes only
		return t, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// maxRetrySeconds bounds a Retry-After in seconds, so that a huge one cannot overflow a
// Duration; the runner caps the wait far below it anyway.
const maxRetrySeconds = 1 << 31

// ParseRetryAfter reads a Retry-After value: a number of seconds, or an HTTP date measured from
// now. ok is false for anything else.
func ParseRetryAfter(v string, now time.Time) (wait time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if n, err := strconv.ParseUint(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		return time.Duration(min(n, maxRetrySeconds)) * time.Second, true // n is the maximum on ErrRange
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	// A date decades ahead is capped like a number of seconds (the fuzzer found one past 2100).
	return min(t.Sub(now), maxRetrySeconds*time.Second), true
}

// serverNow is the time a response says it is (its Date), else now: a reset given as a time is
// the server's, and the two clocks may differ.
func serverNow(h http.Header, now time.Time) time.Time {
	if t, err := http.ParseTime(h.Get("Date")); err == nil {
		return t
	}
	return now
}

// backoff is the wait before retry n (from 1) after a 5xx or a network error: 500ms doubling,
// at most 8s, jittered down by up to half with rnd in [0, 1) so that sources failing together do
// not retry in step.
func backoff(n int, rnd float64) time.Duration {
	d := 500 * time.Millisecond
	for i := 1; i < n && d < 8*time.Second; i++ {
		d *= 2
	}
	d = min(d, 8*time.Second)
	return d/2 + time.Duration(rnd*float64(d/2))
}
