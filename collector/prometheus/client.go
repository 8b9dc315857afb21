package prometheus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/config"
	"github.com/prometheus/common/model"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
)

// maxBody bounds an answer's body: the chunking keeps answers far below it, so a bigger one is a
// query matching far more series than meant (a variable for the tests).
var maxBody int64 = 256 << 20

// querier is the part of v1.API the source uses; tests may put a decoder of canned bodies here.
type querier interface {
	Query(ctx context.Context, query string, ts time.Time, opts ...v1.Option) (model.Value, v1.Warnings, v1.Infos, error)
	QueryRange(ctx context.Context, query string, r v1.Range, opts ...v1.Option) (model.Value, v1.Warnings, v1.Infos, error)
}

// client sends the source's queries and turns every failure into an error that says which
// query failed and why, with the credentials scrubbed.
type client struct {
	s        *settings
	requests *collector.Requests

	mu        sync.Mutex
	api       querier
	transport http.RoundTripper
	scrubber  *apisource.Scrubber
}

// querierFor builds the v1 API over http_client_config on first use: nothing is read or dialled
// before the first sync, so a configuration can be checked before its files exist.
func (c *client) querier() (querier, *apisource.Scrubber, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.api != nil {
		return c.api, c.scrubber, nil
	}
	scrubber := apisource.NewScrubber(&c.s.client, c.s.base)
	hc, err := config.NewClientFromConfig(c.s.client, "sla_exporter", config.WithUserAgent(apisource.UserAgent()))
	if err != nil {
		return nil, scrubber, fmt.Errorf("http_client_config: %s", scrubber.Scrub(err.Error()))
	}
	c.transport = hc.Transport
	hc.Transport = c.requests.InstrumentRoundTripper(c.s.name, limitBody{hc.Transport})
	// A redirect to another host would take the credentials along: a base URL that redirects
	// is a configuration to fix.
	inner := hc.CheckRedirect
	base := c.s.base
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Scheme != base.Scheme || req.URL.Host != base.Host {
			return fmt.Errorf("redirected to another host (%s): refused, since the credentials would go along; set url to where the server is", req.URL.Host)
		}
		if inner != nil {
			return inner(req, via)
		}
		return nil
	}
	ac, err := api.NewClient(api.Config{Address: base.String(), Client: hc})
	if err != nil {
		return nil, scrubber, errors.New(scrubber.Scrub(err.Error()))
	}
	c.api, c.scrubber = v1.NewAPI(ac), scrubber
	return c.api, c.scrubber, nil
}

// close drops idle connections.
func (c *client) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ci, ok := c.transport.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// options are the query parameters every query carries.
func (c *client) options() []v1.Option {
	opts := []v1.Option{v1.WithTimeout(c.s.timeout)}
	if c.s.lookback > 0 {
		opts = append(opts, v1.WithLookbackDelta(c.s.lookback))
	}
	return opts
}

// queryRange runs a range query; what names the query in errors.
func (c *client) queryRange(ctx context.Context, what, query string, r v1.Range) (model.Matrix, error) {
	q, sc, err := c.querier()
	if err != nil {
		return nil, err
	}
	qctx, cancel := context.WithTimeout(ctx, c.s.timeout)
	defer cancel()
	v, warnings, _, err := q.QueryRange(qctx, query, r, c.options()...)
	return c.result(ctx, sc, what, v, warnings, err)
}

// queryAt runs an instant query at ts.
func (c *client) queryAt(ctx context.Context, what, query string, ts time.Time) (model.Matrix, error) {
	q, sc, err := c.querier()
	if err != nil {
		return nil, err
	}
	qctx, cancel := context.WithTimeout(ctx, c.s.timeout)
	defer cancel()
	v, warnings, _, err := q.Query(qctx, query, ts, c.options()...)
	return c.result(ctx, sc, what, v, warnings, err)
}

// result checks an answer. Warnings fail the query: Prometheus, Thanos, Mimir and
// VictoriaMetrics send them with partial data (a store that did not answer, a limit hit), and
// a partial answer would read as missing or down time that was not. Infos (Prometheus 3's notes
// such as "metric might not be a counter") say nothing of completeness and are ignored.
func (c *client) result(ctx context.Context, sc *apisource.Scrubber, what string, v model.Value, warnings v1.Warnings, err error) (model.Matrix, error) {
	if err != nil {
		if ctx.Err() != nil {
			return nil, &queryError{what: what, msg: "stopped", err: ctx.Err()}
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, &queryError{what: what, msg: fmt.Sprintf("no answer within %s (query_timeout)", model.Duration(c.s.timeout)), err: err}
		}
		return nil, &queryError{what: what, msg: describe(err, sc), err: err}
	}
	if len(warnings) > 0 {
		return nil, &queryError{what: what, msg: "the server warned that the answer may be partial, so none of it is used: " + sc.Scrub(strings.Join(warnings, "; "))}
	}
	m, ok := v.(model.Matrix)
	if !ok {
		kind := "nothing"
		if v != nil {
			kind = "a " + v.Type().String()
		}
		return nil, &queryError{what: what, msg: "the answer is " + kind + ", not a matrix"}
	}
	return m, nil
}

// describe words a failed request: the API's error type and message, or the transport's error,
// scrubbed.
func describe(err error, sc *apisource.Scrubber) string {
	var ae *v1.Error
	if errors.As(err, &ae) {
		msg := string(ae.Type) + ": " + ae.Msg
		// A 5xx (or a 4xx other than 400 and 422) is not decoded by client_golang; its body
		// may still be the API's error envelope (a 503 "timeout").
		var env struct {
			ErrorType string `json:"errorType"`
			Error     string `json:"error"`
		}
		if json.Unmarshal([]byte(ae.Detail), &env) == nil && env.Error != "" {
			return sc.Scrub(env.ErrorType + ": " + env.Error + " (" + ae.Msg + ")")
		}
		if d := strings.TrimSpace(ae.Detail); d != "" {
			if len(d) > 200 {
				d = d[:200] + "…"
			}
			msg += " (" + strings.Join(strings.Fields(d), " ") + ")"
		}
		return sc.Scrub(msg)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		// "Post \"http://host/api/v1/query_range\": dial tcp ...": the URL once, redacted.
		return sc.Scrub(ue.Op + " " + apisource.RedactURL(ue.URL) + ": " + ue.Err.Error())
	}
	return sc.Scrub(err.Error())
}

// queryError is a failed query; it wraps the cause (context.Canceled ...) for errors.Is, its
// message already scrubbed.
type queryError struct {
	what, msg string
	err       error
}

func (e *queryError) Error() string { return e.what + ": " + e.msg }

func (e *queryError) Unwrap() error { return e.err }

// limitBody fails the read of a body larger than maxBody.
type limitBody struct{ rt http.RoundTripper }

func (l limitBody) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := l.rt.RoundTrip(req)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	resp.Body = &limitedBody{rc: resp.Body, left: maxBody}
	return resp, nil
}

type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

// errTooLarge is the read error of a body past maxBody.
var errTooLarge = errors.New("answer larger than the limit of the source (a query matching far more series than meant?)")

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells a body of exactly maxBody from a longer one.
		var one [1]byte
		if n, _ := b.rc.Read(one[:]); n > 0 {
			return 0, errTooLarge
		}
		return b.rc.Read(p)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }
