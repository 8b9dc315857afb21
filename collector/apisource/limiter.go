package apisource

import (
	"time"

	"golang.org/x/time/rate"
	"gopkg.in/yaml.v3"
)

// Limiter is a client-side limit of some endpoints of an API, taken on top of the client's
// rate_limit by the Requests that carry it: Zendesk allows 10 requests a minute to its
// incremental exports, whatever the account's limit on its other endpoints
// (https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/).
// A retried request takes a token again, as the server counts it again. It is safe for
// concurrent use.
type Limiter struct {
	l *rate.Limiter
	// setting names the limit in a stop's reason: "incremental_rate_limit".
	setting string
}

// CompileLimiter checks a rate limit of a kind's own at key in node (the kind's block) as
// Compile checks rate_limit, def applying when it is unset, and returns its limiter. Unlike
// rate_limit it cannot be turned off: requests is required.
func CompileLimiter(node *yaml.Node, key string, rl, def RateLimit) (*Limiter, error) {
	if rl == (RateLimit{}) {
		rl = def
	}
	limit, burst, err := compileRate(node, []string{key}, rl)
	if err != nil {
		return nil, err
	}
	if limit == rate.Inf {
		return nil, Fail(node, []string{key, "requests"}, "is required: this limit is the server's, and cannot be turned off")
	}
	return &Limiter{l: rate.NewLimiter(limit, burst), setting: key}, nil
}

// compileRate checks a RateLimit at path: requests per `per`, in bursts of burst (at least 1);
// no requests is no limit.
func compileRate(node *yaml.Node, path []string, rl RateLimit) (rate.Limit, int, error) {
	at := func(k string) []string { return append(append([]string(nil), path...), k) }
	switch {
	case rl.Requests < 0:
		return 0, 0, Fail(node, at("requests"), "%g is negative", rl.Requests)
	case rl.Requests > 0 && rl.Per <= 0:
		return 0, 0, Fail(node, at("per"), "is required with requests (e.g. 1h)")
	case rl.Burst < 0:
		return 0, 0, Fail(node, at("burst"), "%d is negative", rl.Burst)
	}
	if rl.Requests == 0 {
		return rate.Inf, 1, nil
	}
	return rate.Limit(rl.Requests / time.Duration(rl.Per).Seconds()), max(rl.Burst, 1), nil
}
