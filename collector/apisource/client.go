package apisource

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/common/config"
	"github.com/prometheus/common/version"
	"golang.org/x/oauth2"
	"golang.org/x/time/rate"

	"github.com/sla-exporter/sla_exporter/collector"
)

// maxBody bounds a response body; a bigger one fails the request (a variable for the tests).
var maxBody int64 = 64 << 20

// maxAttempts bounds the tries of one request failing with a 5xx or a network error.
const maxAttempts = 4

// maxInlineWait is the longest wait for the server's limit a request takes in place; beyond it
// the sync stops with what it has (and the runner waits).
const maxInlineWait = 30 * time.Second

// maxRateWaits bounds the waits for the server's limit of one request.
const maxRateWaits = 3

// stopMargin is kept free before the sync's deadline, to return what was fetched.
const stopMargin = time.Second

// secondaryWait is how long to wait on a GitHub secondary rate limit that gives no
// Retry-After: "wait for at least one minute before retrying" (rate-limits-for-the-rest-api).
const secondaryWait = time.Minute

// Hooks replace the client's clock-bound parts in tests; zero fields take the real ones.
type Hooks struct {
	// Sleep waits d or until ctx is done.
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand returns numbers in [0, 1) for backoff jitter.
	Rand func() float64
}

// Client calls one source's API. It is safe for concurrent use, but a source uses it from one
// sync at a time, through a Session.
type Client struct {
	s        *Settings
	logger   *slog.Logger
	requests *collector.Requests
	now      func() time.Time
	sleep    func(ctx context.Context, d time.Duration) error
	rand     func() float64
	limiter  *rate.Limiter

	mu        sync.Mutex
	http      *http.Client
	transport http.RoundTripper // the client's, before counting requests
	// blocked is when the server's limit lets requests through again (zero: not blocked), and
	// blockErr the answer that said so.
	blocked  time.Time
	blockErr error
	stats    Stats
}

// NewClient returns the client of a source. Nothing is read or dialled before the first request:
// a configuration can be checked before its certificate files exist.
func NewClient(s *Settings, opts collector.Options, h Hooks) *Client {
	c := &Client{s: s, logger: opts.Logger, requests: opts.Requests, now: opts.Now, sleep: h.Sleep, rand: h.Rand,
		limiter: rate.NewLimiter(s.Limit, s.Burst)}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.sleep == nil {
		c.sleep = sleepCtx
	}
	if c.rand == nil {
		c.rand = rand.Float64
	}
	return c
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// UserAgent is what every request says it is.
func UserAgent() string {
	if version.Version == "" {
		return "sla_exporter"
	}
	return "sla_exporter/" + version.Version
}

// httpClient returns the HTTP client, building it on first use.
func (c *Client) httpClient() (*http.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.http != nil {
		return c.http, nil
	}
	hc, err := config.NewClientFromConfig(c.s.Client, "sla_exporter", config.WithUserAgent(UserAgent()))
	if err != nil {
		return nil, err
	}
	c.transport = hc.Transport
	hc.Transport = c.requests.InstrumentRoundTripper(c.s.Name, hc.Transport)
	// A redirect to another host would take the credentials along: refuse it, as an API base
	// URL that redirects is a configuration to fix.
	inner := hc.CheckRedirect
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !sameOrigin(req.URL, c.s.Base) {
			return &redirectError{host: req.URL.Host}
		}
		if inner != nil {
			return inner(req, via)
		}
		return nil
	}
	c.http = hc
	return hc, nil
}

// Close drops idle connections.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ci, ok := c.transport.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
	return nil
}

// Request is one request of the API: a GET, unless Method says otherwise (Post).
type Request struct {
	// Path is the endpoint relative to the base URL ("repos/acme/app/issues"), its segments
	// escaped by the caller.
	Path  string
	Query url.Values
	// Next, instead of Path and Query, is an absolute URL the API gave (a Link rel="next"). It
	// must be on the base URL's scheme and host, since the credentials go with it.
	Next string
	// ETag, when set, is sent as If-None-Match; a 304 answer is then a Response that is
	// NotModified.
	ETag string
	// Header holds extra request headers (Accept ...).
	Header http.Header
	// Method is the HTTP method, GET when empty. Retries are the same for every method: only
	// requests that change nothing (reads, JSON-RPC queries) may use this client.
	Method string
	// Body is sent as the request's body (Post), with the Content-Type of Header.
	Body []byte
	// Secrets are credentials the request carries outside http_client_config (a token in its
	// Body, JSON-RPC's "auth"): scrubbed from every message about it, like the configured ones.
	Secrets []string
	// Limiter, when set, is a limit of the endpoint's own, taken before the client's
	// rate_limit (Zendesk's incremental exports: 10 requests a minute).
	Limiter *Limiter
}

// method is the request's HTTP method.
func (r *Request) method() string {
	if r.Method == "" {
		return http.MethodGet
	}
	return r.Method
}

// Response is a successful answer, its body read whole.
type Response struct {
	Status      int
	Header      http.Header
	Body        []byte
	NotModified bool
	// Method is the request's HTTP method, as errors name it.
	Method string
	// Endpoint is the path requested, as errors name it; URL the URL (for relative links).
	Endpoint string
	URL      *url.URL
}

// StopError ends a sync early without anything being wrong: the cap on requests is reached, the
// sync's time runs short, or the server's rate limit holds requests back for longer than the
// sync can wait. The driver returns what was complete before it.
type StopError struct {
	Reason string
	// RetryAt, when set, is when the server lets requests through again.
	RetryAt time.Time
	// More: the source may go on at once (cap, time), rather than wait for the server.
	More bool
	// Err is the answer that said so, when one did.
	Err error
}

func (e *StopError) Error() string {
	if e.Err != nil {
		return e.Reason + ": " + e.Err.Error()
	}
	return e.Reason
}

func (e *StopError) Unwrap() error { return e.Err }

// StatusError is an answer that is neither a success nor a rate limit: its message names the
// method, the endpoint's path and the status, and quotes the start of the body, scrubbed.
type StatusError struct {
	Status   int
	Endpoint string
	msg      string
}

func (e *StatusError) Error() string { return e.msg }

// IsStatus reports whether err is a StatusError with one of the codes.
func IsStatus(err error, codes ...int) bool {
	se, ok := errors.AsType[*StatusError](err)
	return ok && slices.Contains(codes, se.Status)
}

// Session is one sync's use of the client: it counts the sync's requests against the cap and
// knows the sync's deadline.
type Session struct {
	c        *Client
	ctx      context.Context
	requests int
}

// Session starts a sync's session; ctx bounds every request and wait.
func (c *Client) Session(ctx context.Context) *Session {
	return &Session{c: c, ctx: ctx}
}

// Context is the sync's context.
func (s *Session) Context() context.Context { return s.ctx }

// Requests is the number of requests made so far.
func (s *Session) Requests() int { return s.requests }

// left is the time the sync has before it must return, margin deducted; ok is false when the
// context has no deadline.
func (s *Session) left() (time.Duration, bool) {
	dl, ok := s.ctx.Deadline()
	if !ok {
		return 0, false
	}
	return time.Until(dl) - stopMargin, true
}

// fits says whether waiting d leaves time for a request after it.
func (s *Session) fits(d time.Duration) bool {
	left, ok := s.left()
	return !ok || d+time.Second <= left
}

// wait sleeps d for reason, or returns a StopError when the sync cannot afford it.
func (s *Session) wait(d time.Duration, rateLimit bool) error {
	if d <= 0 {
		return nil
	}
	if rateLimit {
		s.c.mu.Lock()
		s.c.stats.RateLimitWaits++
		s.c.stats.RateLimitWaitSeconds += d.Seconds()
		s.c.mu.Unlock()
	}
	return s.c.sleep(s.ctx, d)
}

// Get makes one request, retrying it after 5xx answers and network errors (with backoff) and
// after short rate limits (in place), and returns a 2xx or 304 answer. Other answers are a
// *StatusError; a cap, deadline or long rate limit is a *StopError; a done context its error.
func (s *Session) Get(req Request) (*Response, error) {
	c := s.c
	method := req.method()
	u, endpoint, err := c.resolve(req)
	if err != nil {
		return nil, err
	}
	client, err := c.httpClient()
	if err != nil {
		return nil, fmt.Errorf("http_client_config: %w", c.scrubber(req.Secrets).scrubErr(err))
	}
	rateWaits := 0
	for attempt := 1; ; attempt++ {
		if err := s.ctx.Err(); err != nil {
			return nil, fmt.Errorf("%s %s: %w", method, endpoint, err)
		}
		if s.requests >= c.s.MaxRequests {
			return nil, &StopError{Reason: fmt.Sprintf("max_requests_per_sync (%d) reached", c.s.MaxRequests), More: true}
		}
		if err := s.waitBlocked(&rateWaits); err != nil {
			return nil, err
		}
		if req.Limiter != nil {
			if err := s.waitLimiter(req.Limiter.l, req.Limiter.setting); err != nil {
				return nil, err
			}
		}
		if err := s.waitLimiter(c.limiter, "rate_limit"); err != nil {
			return nil, err
		}
		timeout, shortened := c.s.RequestTimeout, false
		if left, ok := s.left(); ok {
			if left <= 0 {
				return nil, &StopError{Reason: "the sync's time ran short", More: true}
			}
			if left < timeout {
				timeout, shortened = left, true
			}
		}
		s.requests++
		resp, err := s.do(client, u, req, endpoint, timeout)
		var retry time.Duration
		switch {
		case err == nil:
			return resp, nil
		case s.ctx.Err() != nil:
			return nil, fmt.Errorf("%s %s: %w", method, endpoint, s.ctx.Err())
		case errors.Is(err, errTimeout) && shortened:
			return nil, &StopError{Reason: "the sync's time ran short", More: true}
		}
		var rl *rateLimited
		switch {
		case errors.As(err, &rl):
			if rateWaits >= maxRateWaits || rl.wait > maxInlineWait || !s.fits(rl.wait) {
				return nil, c.block(rl)
			}
			rateWaits++
			c.logger.Debug("rate limited, waiting", "endpoint", endpoint, "wait", rl.wait)
			if err := s.wait(rl.wait, true); err != nil {
				return nil, fmt.Errorf("%s %s: %w", method, endpoint, err)
			}
			attempt-- // a rate limit is not a failure
			continue
		case retryable(err) && attempt < maxAttempts:
			retry = backoff(attempt, c.rand())
		default:
			return nil, err
		}
		if !s.fits(retry) {
			return nil, err // no time to retry: the error is the sync's
		}
		c.mu.Lock()
		c.stats.Retries++
		c.mu.Unlock()
		c.logger.Debug("request failed, retrying", "endpoint", endpoint, "attempt", attempt, "retry_in", retry, "err", err)
		if err := s.wait(retry, false); err != nil {
			return nil, fmt.Errorf("%s %s: %w", method, endpoint, err)
		}
	}
}

// waitBlocked waits for the server's limit when a previous answer exhausted it, or stops.
func (s *Session) waitBlocked(waits *int) error {
	c := s.c
	c.mu.Lock()
	until, cause := c.blocked, c.blockErr
	c.mu.Unlock()
	d := until.Sub(c.now())
	if until.IsZero() || d <= 0 {
		return nil
	}
	if *waits >= maxRateWaits || d > maxInlineWait || !s.fits(d) {
		return &StopError{Reason: "the server's rate limit is exhausted until " + until.UTC().Format(time.RFC3339), RetryAt: until, Err: cause}
	}
	*waits++
	return s.wait(d, true)
}

// waitLimiter takes a token of a client-side limiter (the client's, or a request's own, named
// by its setting), or stops when the wait for it does not fit in the sync.
func (s *Session) waitLimiter(l *rate.Limiter, setting string) error {
	now := s.c.now()
	r := l.ReserveN(now, 1)
	d := r.DelayFrom(now)
	if !s.fits(d) {
		r.CancelAt(now)
		return &StopError{Reason: "the sync's time ran short (" + setting + ")", More: true}
	}
	return s.wait(d, true)
}

// block records that the server's limit holds requests back, and returns the StopError.
func (c *Client) block(rl *rateLimited) error {
	until := c.now().Add(rl.wait)
	c.mu.Lock()
	if until.After(c.blocked) {
		c.blocked, c.blockErr = until, rl.err
	}
	c.mu.Unlock()
	return &StopError{Reason: "rate limited until " + until.UTC().Format(time.RFC3339), RetryAt: until, Err: rl.err}
}

// redirectError is a redirect to another host, refused: not worth retrying.
type redirectError struct{ host string }

func (e *redirectError) Error() string {
	return "redirected to another host (" + e.host + "): set url to where the API answers"
}

// errTimeout is a request that got no complete answer within its timeout.
var errTimeout = errors.New("no complete answer in time")

// netError is a request that got no answer (or a cut one): worth retrying.
type netError struct{ err error }

func (e *netError) Error() string { return e.err.Error() }
func (e *netError) Unwrap() error { return e.err }

// rateLimited is an answer saying the server's limit is reached, and for how long.
type rateLimited struct {
	wait time.Duration
	err  error
}

func (e *rateLimited) Error() string { return e.err.Error() }

func retryable(err error) bool {
	if _, ok := errors.AsType[*netError](err); ok {
		return true
	}
	se, ok := errors.AsType[*StatusError](err)
	return ok && se.Status >= 500
}

// do sends one request and reads its answer.
func (s *Session) do(client *http.Client, u *url.URL, r Request, endpoint string, timeout time.Duration) (*Response, error) {
	c := s.c
	ctx, cancel := context.WithTimeoutCause(s.ctx, timeout, errTimeout)
	defer cancel()
	method := r.method()
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil { // cannot happen with a URL that resolved; its error would quote the URL
		return nil, fmt.Errorf("%s %s: cannot build the request", method, endpoint)
	}
	for k, v := range r.Header {
		req.Header[http.CanonicalHeaderKey(k)] = slices.Clone(v)
	}
	if r.ETag != "" {
		req.Header.Set("If-None-Match", r.ETag)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, s.transportError(ctx, method, endpoint, timeout, r.Secrets, err)
	}
	defer resp.Body.Close()
	now := c.now()
	c.noteQuota(resp.Header, now)
	code := resp.StatusCode
	if code == http.StatusNotModified && r.ETag != "" {
		return &Response{Status: code, Header: resp.Header, NotModified: true, Method: method, Endpoint: endpoint, URL: resp.Request.URL}, nil
	}
	if code >= 200 && code <= 299 {
		if resp.ContentLength > maxBody {
			return nil, fmt.Errorf("%s %s: the answer is larger than the limit of %d MiB", method, endpoint, maxBody>>20)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
		switch {
		case err != nil:
			return nil, s.transportError(ctx, method, endpoint, timeout, r.Secrets, fmt.Errorf("reading the answer: %w", err))
		case int64(len(body)) > maxBody:
			return nil, fmt.Errorf("%s %s: the answer is larger than the limit of %d MiB", method, endpoint, maxBody>>20)
		}
		return &Response{Status: code, Header: resp.Header, Body: body, Method: method, Endpoint: endpoint, URL: resp.Request.URL}, nil
	}
	head, _ := io.ReadAll(io.LimitReader(resp.Body, maxSnippet+16<<10))
	se := c.statusError(method, endpoint, resp, head, r.Secrets)
	if wait, ok := rateLimitWait(resp, head, now); ok {
		return nil, &rateLimited{wait: wait, err: se}
	}
	return nil, se
}

// transportError words a request that got no (complete) answer.
func (s *Session) transportError(ctx context.Context, method, endpoint string, timeout time.Duration, secrets []string, err error) error {
	if s.ctx.Err() != nil {
		return fmt.Errorf("%s %s: %w", method, endpoint, s.ctx.Err())
	}
	if errors.Is(context.Cause(ctx), errTimeout) {
		return &netError{fmt.Errorf("%s %s: no complete answer within %s (request_timeout): %w", method, endpoint, timeout, errTimeout)}
	}
	if ue, ok := errors.AsType[*url.Error](err); ok {
		err = ue.Err // its URL has the query, and a redirect's
	}
	if re, ok := errors.AsType[*redirectError](err); ok {
		return fmt.Errorf("%s %s: %w", method, endpoint, re)
	}
	if re, ok := errors.AsType[*oauth2.RetrieveError](err); ok {
		msg := "oauth2: the token endpoint refused the request"
		if re.Response != nil {
			msg = "oauth2: the token endpoint answered HTTP " + re.Response.Status
		}
		msg += " (see http_client_config.oauth2)"
		if sn := snippet(re.Body, s.c.scrubber(secrets)); sn != "" {
			msg += ": " + strconv.Quote(sn)
		}
		return fmt.Errorf("%s %s: %s", method, endpoint, msg)
	}
	return &netError{fmt.Errorf("%s %s: %w", method, endpoint, s.c.scrubber(secrets).scrubErr(err))}
}

// rateLimitWait says whether a refusal is the server's rate limit, and how long it asks to
// wait: 429, and 503 with Retry-After, wait what Retry-After or the reset header says; GitHub
// answers 403 when a limit is reached, saying so with Retry-After, a remaining count of 0, or
// its message.
func rateLimitWait(resp *http.Response, head []byte, now time.Time) (time.Duration, bool) {
	code := resp.StatusCode
	if code != http.StatusTooManyRequests && code != http.StatusServiceUnavailable && code != http.StatusForbidden {
		return 0, false
	}
	srv := serverNow(resp.Header, now)
	if v := resp.Header.Get("Retry-After"); v != "" {
		if d, ok := ParseRetryAfter(v, srv); ok {
			return max(d, 0), true
		}
	}
	q := readQuota(resp.Header, srv)
	if q.known && q.remaining == 0 && !q.reset.IsZero() {
		return max(q.reset.Sub(srv), 0), true
	}
	switch {
	case code == http.StatusTooManyRequests:
		return secondaryWait, true
	case code == http.StatusForbidden && strings.Contains(strings.ToLower(string(head)), "rate limit"):
		return secondaryWait, true
	}
	return 0, false // a 503 without Retry-After is a 5xx like another; a 403 a refusal
}

// noteQuota remembers a limit the answer says is exhausted, so that the next request waits for
// its reset instead of being refused.
func (c *Client) noteQuota(h http.Header, now time.Time) {
	srv := serverNow(h, now)
	q := readQuota(h, srv)
	if !q.known || q.remaining > 0 || q.reset.IsZero() {
		return
	}
	until := now.Add(q.reset.Sub(srv))
	c.mu.Lock()
	if until.After(c.blocked) {
		c.blocked, c.blockErr = until, errors.New("the server's rate limit has no requests left")
	}
	c.mu.Unlock()
}

// statusError describes a refused request: its status and the start of its body, scrubbed; 401
// and 403 name the credential setting to check.
func (c *Client) statusError(method, endpoint string, resp *http.Response, head []byte, secrets []string) *StatusError {
	code := resp.StatusCode
	msg := fmt.Sprintf("%s %s: HTTP %d %s", method, endpoint, code, http.StatusText(code))
	switch code {
	case http.StatusUnauthorized:
		msg += " (credentials missing, expired or refused: check " + c.s.credentials + ")"
	case http.StatusForbidden:
		msg += " (the credentials lack access to this endpoint: check the scopes or permissions of " + c.s.credentials + ")"
	case http.StatusNotFound:
		msg += " (no such endpoint, or one the credentials may not see)"
	}
	sc := c.scrubber(secrets, resp.Request.URL)
	if sn := snippet(head, sc); sn != "" {
		msg += ": " + strconv.Quote(sn)
	}
	return &StatusError{Status: code, Endpoint: endpoint, msg: sc.Scrub(msg)}
}

// scrubber collects the client's secrets, a request's own, and those of the URLs given.
func (c *Client) scrubber(secrets []string, more ...*url.URL) *Scrubber {
	return NewScrubber(&c.s.Client, more...).With(secrets...)
}

// scrubErr returns err with its message scrubbed, or err itself when nothing secret shows.
func (sc *Scrubber) scrubErr(err error) error {
	msg := err.Error()
	if clean := sc.Scrub(msg); clean != msg {
		return errors.New(clean)
	}
	return err
}

// resolve turns a request into its URL and the endpoint errors name (the path, no query).
func (c *Client) resolve(r Request) (*url.URL, string, error) {
	if r.Next != "" {
		u, err := url.Parse(r.Next)
		if err != nil {
			return nil, "", errors.New("the API gave a next-page link that is not a URL")
		}
		u = c.s.Base.ResolveReference(u)
		if !sameOrigin(u, c.s.Base) {
			return nil, "", fmt.Errorf("the API gave a next-page link to another host (%s): not followed, since the credentials would go along", u.Host)
		}
		return u, u.EscapedPath(), nil
	}
	// The path is joined escaped, so that an escaped slash (GitLab's group%2Fproject) stays one.
	raw := c.s.Base.EscapedPath() + strings.TrimPrefix(r.Path, "/")
	p, err := url.PathUnescape(raw)
	if err != nil {
		return nil, "", fmt.Errorf("endpoint %q is not an escaped path", r.Path)
	}
	u := &url.URL{Scheme: c.s.Base.Scheme, Host: c.s.Base.Host, Path: p, RawPath: raw, RawQuery: r.Query.Encode()}
	return u, u.EscapedPath(), nil
}

func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Host, b.Host)
}
