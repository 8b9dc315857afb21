package apisource

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/common/config"
	"github.com/prometheus/common/model"

	"github.com/sla-exporter/sla_exporter/collector"
)

// script is a test server answering each request with the next of its handlers (the last one
// repeats), recording what it was asked.
type script struct {
	mu       sync.Mutex
	handlers []http.HandlerFunc
	got      []*http.Request
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.got = append(s.got, r)
	h := s.handlers[min(len(s.got), len(s.handlers))-1]
	s.mu.Unlock()
	h(w, r)
}

func (s *script) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.got)
}

func status(code int, body string, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.WriteHeader(code)
		_, _ = w.Write([]byte(body))
	}
}

// clientHarness is a client of a scripted server with a fake clock: sleeps advance it.
type clientHarness struct {
	srv    *httptest.Server
	sc     *script
	c      *Client
	reqs   *collector.Requests
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newClientHarness(t *testing.T, hc config.HTTPClientConfig, edit func(*Settings), handlers ...http.HandlerFunc) *clientHarness {
	t.Helper()
	h := &clientHarness{sc: &script{handlers: handlers}, now: t0, reqs: collector.NewRequests()}
	h.srv = httptest.NewServer(h.sc)
	t.Cleanup(h.srv.Close)
	base, _ := url.Parse(h.srv.URL + "/api/v3/")
	s := &Settings{Kind: "test", Name: "src", Base: base, Client: hc, Limit: 1e9, Burst: 1, PageSize: 10, MaxRequests: 50,
		RequestTimeout: 5 * time.Second, credentials: credentialSetting(&hc, "http_client_config.authorization")}
	if edit != nil {
		edit(s)
	}
	h.c = NewClient(s, collector.Options{Name: "src", Requests: h.reqs, Now: h.clock}, Hooks{
		Sleep: func(ctx context.Context, d time.Duration) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.sleeps = append(h.sleeps, d)
			h.now = h.now.Add(d)
			return ctx.Err()
		},
		Rand: func() float64 { return 0.5 },
	})
	return h
}

func (h *clientHarness) clock() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now
}

func bearer(token string) config.HTTPClientConfig {
	hc := config.DefaultHTTPClientConfig
	hc.Authorization = &config.Authorization{Type: "Bearer", Credentials: config.Secret(token)}
	return hc
}

func TestClient_RequestShapeAndCounting(t *testing.T) {
	h := newClientHarness(t, bearer("s3cr3t-token"), nil, status(200, `[]`, "ETag", `"e1"`))
	sess := h.c.Session(t.Context())
	resp, err := sess.Get(Request{Path: "projects/group%2Fapp/issues", Query: url.Values{"per_page": {"10"}}, ETag: `"e0"`,
		Header: http.Header{"Accept": {"application/json"}}})
	if err != nil {
		t.Fatal(err)
	}
	r := h.sc.got[0]
	got := map[string]string{
		"path": r.URL.EscapedPath(), "query": r.URL.RawQuery, "ua": r.Header.Get("User-Agent"),
		"auth": r.Header.Get("Authorization"), "inm": r.Header.Get("If-None-Match"), "accept": r.Header.Get("Accept"),
		"endpoint": resp.Endpoint, "etag": resp.Header.Get("ETag"),
	}
	want := map[string]string{
		"path": "/api/v3/projects/group%2Fapp/issues", "query": "per_page=10", "ua": UserAgent(),
		"auth": "Bearer s3cr3t-token", "inm": `"e0"`, "accept": "application/json",
		"endpoint": "/api/v3/projects/group%2Fapp/issues", "etag": `"e1"`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]float64{"200": 1}, h.reqs.Counts("src")); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}

func TestClient_RetriesAndErrors(t *testing.T) {
	tests := []struct {
		name       string
		hc         config.HTTPClientConfig
		handlers   []http.HandlerFunc
		wantErr    string
		wantSleeps []time.Duration
		wantReqs   int
	}{
		{
			name:     "5xx then success: retried with backoff",
			handlers: []http.HandlerFunc{status(500, "oops"), status(502, "bad gateway"), status(200, "{}")},
			// backoff with jitter 0.5: 3/4 of 500ms, then of 1s.
			wantSleeps: []time.Duration{375 * time.Millisecond, 750 * time.Millisecond},
			wantReqs:   3,
		},
		{
			name:       "5xx four times: the last error",
			handlers:   []http.HandlerFunc{status(500, `{"message":"Server Error"}`)},
			wantErr:    `GET /api/v3/issues: HTTP 500 Internal Server Error: "{\"message\":\"Server Error\"}"`,
			wantSleeps: []time.Duration{375 * time.Millisecond, 750 * time.Millisecond, 1500 * time.Millisecond},
			wantReqs:   4,
		},
		{
			name:     "401 names the credential setting and scrubs the token the server echoes",
			hc:       bearer("ghp_abcdefghijklmnop"),
			handlers: []http.HandlerFunc{status(401, `{"message":"Bad credentials: ghp_abcdefghijklmnop"}`)},
			wantErr: `GET /api/v3/issues: HTTP 401 Unauthorized (credentials missing, expired or refused: check http_client_config.authorization): ` +
				`"{\"message\":\"Bad credentials: <secret>\"}"`,
			wantReqs: 1,
		},
		{
			name:     "403 without a limit is a refusal",
			handlers: []http.HandlerFunc{status(403, `{"message":"Resource not accessible by integration"}`, "X-RateLimit-Remaining", "4999")},
			wantErr: `GET /api/v3/issues: HTTP 403 Forbidden (the credentials lack access to this endpoint: check the scopes or permissions of ` +
				`http_client_config: no credentials are configured; set http_client_config.authorization): "{\"message\":\"Resource not accessible by integration\"}"`,
			wantReqs: 1,
		},
		{
			name:       "429 with a short Retry-After waits in place",
			handlers:   []http.HandlerFunc{status(429, "slow down", "Retry-After", "7"), status(200, "[]")},
			wantSleeps: []time.Duration{7 * time.Second},
			wantReqs:   2,
		},
		{
			name:       "503 with Retry-After as an HTTP date, measured on the server's clock",
			handlers:   []http.HandlerFunc{status(503, "maintenance", "Date", "Mon, 02 Mar 2026 08:00:00 GMT", "Retry-After", "Mon, 02 Mar 2026 08:00:20 GMT"), status(200, "[]")},
			wantSleeps: []time.Duration{20 * time.Second},
			wantReqs:   2,
		},
		{
			name:       "GitHub's secondary limit: 403 saying so without Retry-After waits a minute, which is too long: stop",
			handlers:   []http.HandlerFunc{status(403, `{"message":"You have exceeded a secondary rate limit"}`)},
			wantErr:    `rate limited until 2026-03-02T09:01:00Z: GET /api/v3/issues: HTTP 403 Forbidden`,
			wantReqs:   1,
			wantSleeps: nil,
		},
		{
			name:     "404",
			handlers: []http.HandlerFunc{status(404, `{"message":"Not Found"}`)},
			wantErr:  `GET /api/v3/issues: HTTP 404 Not Found (no such endpoint, or one the credentials may not see): "{\"message\":\"Not Found\"}"`,
			wantReqs: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hc := tt.hc
			if hc.Authorization == nil {
				hc = config.DefaultHTTPClientConfig
			}
			h := newClientHarness(t, hc, nil, tt.handlers...)
			_, err := h.c.Session(t.Context()).Get(Request{Path: "issues"})
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("error %v", err)
			case tt.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.wantErr)):
				t.Errorf("error %v\nwant %s", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.wantSleeps, h.sleeps); diff != "" {
				t.Errorf("sleeps (-want +got):\n%s", diff)
			}
			if n := h.sc.requests(); n != tt.wantReqs {
				t.Errorf("%d requests, want %d", n, tt.wantReqs)
			}
		})
	}
}

func TestClient_RateLimitHeadersHoldTheNextRequest(t *testing.T) {
	// GitHub's primary limit: the answer says none are left until the reset, 20s away on the
	// server's clock (whose Date is an hour behind ours: the wait is measured on it).
	h := newClientHarness(t, config.DefaultHTTPClientConfig, nil,
		status(200, "[]", "Date", "Mon, 02 Mar 2026 08:00:00 GMT", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "1772438420"),
		status(200, "[]", "RateLimit-Remaining", "0", "RateLimit-Reset", "3600"))
	sess := h.c.Session(t.Context())
	for range 2 {
		if _, err := sess.Get(Request{Path: "issues"}); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]time.Duration{20 * time.Second}, h.sleeps); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
	// GitLab-style: reset an hour away: the next request stops the sync without asking.
	_, err := sess.Get(Request{Path: "issues"})
	var stop *StopError
	if !errors.As(err, &stop) || !stop.RetryAt.Equal(t0.Add(20*time.Second+time.Hour)) || stop.More {
		t.Fatalf("error %v, want a stop until the reset", err)
	}
	if h.sc.requests() != 2 {
		t.Errorf("%d requests, want 2: the exhausted limit is not asked again", h.sc.requests())
	}
	if st := h.c.Stats(); st.RateLimitWaits != 1 || st.RateLimitWaitSeconds != 20 {
		t.Errorf("stats %+v, want one wait of 20s", st)
	}
}

func TestClient_CapDeadlineAndTimeout(t *testing.T) {
	h := newClientHarness(t, config.DefaultHTTPClientConfig, func(s *Settings) { s.MaxRequests = 2 }, status(200, "[]"))
	sess := h.c.Session(t.Context())
	for range 2 {
		if _, err := sess.Get(Request{Path: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := sess.Get(Request{Path: "x"})
	if stop, ok := errors.AsType[*StopError](err); !ok || !stop.More || stop.Reason != "max_requests_per_sync (2) reached" {
		t.Errorf("error %v, want the cap", err)
	}

	// A deadline too close for a request.
	ctx, cancel := context.WithTimeout(t.Context(), stopMargin/2)
	defer cancel()
	_, err = h.c.Session(ctx).Get(Request{Path: "x"})
	if stop, ok := errors.AsType[*StopError](err); !ok || !stop.More {
		t.Errorf("error %v, want a stop for time", err)
	}

	// A slow answer past request_timeout is retried, then fails naming the timeout.
	slow := func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	h = newClientHarness(t, config.DefaultHTTPClientConfig, func(s *Settings) { s.RequestTimeout = 50 * time.Millisecond }, slow)
	_, err = h.c.Session(t.Context()).Get(Request{Path: "slow"})
	want := "GET /api/v3/slow: no complete answer within 50ms (request_timeout): no complete answer in time"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
	if h.sc.requests() != maxAttempts {
		t.Errorf("%d requests, want %d", h.sc.requests(), maxAttempts)
	}
}

func TestClient_RefusesOtherHosts(t *testing.T) {
	other := httptest.NewServer(status(200, "[]"))
	defer other.Close()
	h := newClientHarness(t, bearer("tok-123456"), nil, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusFound)
	})
	sess := h.c.Session(t.Context())
	_, err := sess.Get(Request{Next: other.URL + "/page2"})
	if err == nil || !strings.Contains(err.Error(), "next-page link to another host") {
		t.Errorf("error %v, want a refused link", err)
	}
	_, err = sess.Get(Request{Path: "x"})
	if err == nil || !strings.Contains(err.Error(), "redirected to another host") {
		t.Errorf("error %v, want a refused redirect", err)
	}
}

func TestClient_OAuth2TokenErrorIsScrubbed(t *testing.T) {
	token := httptest.NewServer(status(401, `{"error":"invalid_client","secret":"client-s3cret"}`))
	defer token.Close()
	hc := config.DefaultHTTPClientConfig
	hc.OAuth2 = &config.OAuth2{ClientID: "id", ClientSecret: "client-s3cret", TokenURL: token.URL + "/token?key=qu3ry-s3cret"}
	h := newClientHarness(t, hc, nil, status(200, "[]"))
	_, err := h.c.Session(t.Context()).Get(Request{Path: "x"})
	if err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "oauth2: the token endpoint answered HTTP 401") {
		t.Errorf("error %v", err)
	}
}

func TestClient_CredentialFilesAreScrubbed(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "token")
	if err := os.WriteFile(file, []byte("glpat-fromafile\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	hc := config.DefaultHTTPClientConfig
	hc.HTTPHeaders = &config.Headers{Headers: map[string]config.Header{"PRIVATE-TOKEN": {Files: []string{file}}}}
	h := newClientHarness(t, hc, nil, status(401, `{"message":"401 Unauthorized glpat-fromafile"}`))
	_, err := h.c.Session(t.Context()).Get(Request{Path: "x"})
	want := `GET /api/v3/x: HTTP 401 Unauthorized (credentials missing, expired or refused: check http_client_config.http_headers (PRIVATE-TOKEN)): "{\"message\":\"401 Unauthorized <secret>\"}"`
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %s", err, want)
	}
	if got := h.sc.got[0].Header.Get("Private-Token"); got != "glpat-fromafile" {
		t.Errorf("PRIVATE-TOKEN sent %q", got)
	}
}

func TestClient_RequestLimiterIsTakenOnTopOfTheClients(t *testing.T) {
	// rate_limit 2 a second, burst 2; the endpoint's own 10 a minute, burst 1 (Zendesk's
	// incremental exports). Three requests to the endpoint: the first at once, the next two
	// 6s apart (60s / 10), each taking one of the client's 2 tokens too, refilled in between.
	// Two requests elsewhere right after take only the client's: the one token left at once,
	// then 1/2 s for the next.
	h := newClientHarness(t, config.DefaultHTTPClientConfig, func(s *Settings) { s.Limit, s.Burst = 2, 2 }, status(200, "[]"))
	lim, err := CompileLimiter(nil, "incremental_rate_limit", RateLimit{}, RateLimit{Requests: 10, Per: model.Duration(time.Minute), Burst: 1})
	if err != nil {
		t.Fatal(err)
	}
	sess := h.c.Session(t.Context())
	for range 3 {
		if _, err := sess.Get(Request{Path: "incremental/tickets/cursor.json", Limiter: lim}); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if _, err := sess.Get(Request{Path: "tickets/1/audits.json"}); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]time.Duration{6 * time.Second, 6 * time.Second, 500 * time.Millisecond}, h.sleeps); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
	// The wait does not fit a sync ending in 3s: it stops, asking to go on at once.
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	_, err = h.c.Session(ctx).Get(Request{Path: "incremental/tickets/cursor.json", Limiter: lim})
	var stop *StopError
	if !errors.As(err, &stop) || stop.Reason != "the sync's time ran short (incremental_rate_limit)" || !stop.More {
		t.Errorf("error %v, want a stop naming incremental_rate_limit", err)
	}
}

func TestCompileLimiter_Errors(t *testing.T) {
	def := RateLimit{Requests: 10, Per: model.Duration(time.Minute), Burst: 1}
	for _, tt := range []struct {
		rl   RateLimit
		want string
	}{
		{RateLimit{Requests: -1, Per: model.Duration(time.Minute)}, "line 0: incremental_rate_limit.requests: -1 is negative"},
		{RateLimit{Requests: 5}, "line 0: incremental_rate_limit.per: is required with requests (e.g. 1h)"},
		{RateLimit{Burst: 3}, "line 0: incremental_rate_limit.requests: is required: this limit is the server's, and cannot be turned off"},
	} {
		if _, err := CompileLimiter(nil, "incremental_rate_limit", tt.rl, def); err == nil || err.Error() != tt.want {
			t.Errorf("%+v: error %v, want %s", tt.rl, err, tt.want)
		}
	}
}
