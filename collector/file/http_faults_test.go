package file

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
)

// TestURL_retryAfter: a 429 or 503 with Retry-After (seconds, or an HTTP date measured on the
// server's clock, else the source's) asks the runner to wait, through collector.RetryAfterError.
func TestURL_retryAfter(t *testing.T) {
	// The source's clock, for a Retry-After date in an answer without Date.
	now := time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		code       int
		header     http.Header
		wantWait   time.Duration // 0: not a RetryAfterError
		wantSuffix string        // what the error says after GET <url>:
	}{
		{"429 in seconds", 429, http.Header{"Retry-After": {"120"}}, 2 * time.Minute,
			"HTTP 429 Too Many Requests: \"slow down\" (server asked to retry after 2m0s)"},
		// 10:05:30 on the server's clock, whose Date says 10:00:00: 5m30s.
		{"503 with a date, on the server's clock", 503,
			http.Header{"Retry-After": {"Mon, 04 Mar 2024 10:05:30 GMT"}, "Date": {"Mon, 04 Mar 2024 10:00:00 GMT"}}, 5*time.Minute + 30*time.Second,
			"HTTP 503 Service Unavailable: \"slow down\" (server asked to retry after 5m30s)"},
		// No usable Date: measured from the source's clock, 10:00:00.
		{"503 with a date, on the source's clock", 503,
			http.Header{"Retry-After": {"Mon, 04 Mar 2024 11:00:00 GMT"}, "Date": {"yesterday"}}, time.Hour,
			"HTTP 503 Service Unavailable: \"slow down\" (server asked to retry after 1h0m0s)"},
		{"a date already past", 503,
			http.Header{"Retry-After": {"Mon, 04 Mar 2024 09:00:00 GMT"}, "Date": {"Mon, 04 Mar 2024 10:00:00 GMT"}}, 0,
			"HTTP 503 Service Unavailable: \"slow down\""},
		{"a bad header", 429, http.Header{"Retry-After": {"soon"}}, 0,
			"HTTP 429 Too Many Requests: \"slow down\" (Retry-After \"soon\" is neither a number of seconds nor an HTTP date)"},
		{"a negative number", 429, http.Header{"Retry-After": {"-5"}}, 0,
			"HTTP 429 Too Many Requests: \"slow down\" (Retry-After \"-5\" is neither a number of seconds nor an HTTP date)"},
		{"a huge number, bounded", 429, http.Header{"Retry-After": {"99999999999999999999"}}, maxRetrySeconds * time.Second,
			"HTTP 429 Too Many Requests: \"slow down\" (server asked to retry after " + (maxRetrySeconds * time.Second).String() + ")"},
		{"Retry-After on a 500 is not followed", 500, http.Header{"Retry-After": {"120"}}, 0,
			"HTTP 500 Internal Server Error: \"slow down\""},
		{"429 without Retry-After", 429, nil, 0, "HTTP 429 Too Many Requests: \"slow down\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header()[k] = v
				}
				w.WriteHeader(tt.code)
				io.WriteString(w, "slow down")
			})
			src, err := New(block(t, fmt.Sprintf(smallURLConfig, ts.URL+"/x.csv")), collector.Options{Name: "probe", Dir: t.TempDir(), Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { src.(*Source).Close() })
			err = syncErr(t, src, nil)
			if want := "GET " + ts.URL + "/x.csv: " + tt.wantSuffix; err.Error() != want {
				t.Errorf("error:\n got %s\nwant %s", err, want)
			}
			ra, ok := errors.AsType[*collector.RetryAfterError](err)
			switch {
			case tt.wantWait == 0 && ok:
				t.Errorf("a RetryAfterError asking %v, want none", ra.After)
			case tt.wantWait != 0 && !ok:
				t.Errorf("not a RetryAfterError, want one asking %v", tt.wantWait)
			case ok && ra.After != tt.wantWait:
				t.Errorf("RetryAfterError asks %v, want %v", ra.After, tt.wantWait)
			}
		})
	}
}

// TestURL_oauth2TokenErrors: when the token endpoint fails, the error shows neither its URL's
// query nor a configured secret, and quotes at most maxSnippet bytes of its answer.
func TestURL_oauth2TokenErrors(t *testing.T) {
	const (
		clientSecret = "CLIENTSECRET-0123456789"
		tokenKey     = "TOKENURLSECRET"
		assertion    = "ASSERTION-PARAM-VALUE"
	)
	padding := strings.Repeat("x", 3000)
	token := serve(t, func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		// A careless server: it echoes its URL, the secret sent and an endpoint parameter,
		// in a 3 kB answer.
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error":"invalid_client","url":"http://%s%s","client_secret":%q,"params":%q,"padding":%q}`,
			r.Host, r.URL.RequestURI(), r.Form.Get("client_secret"), r.Form.Get("assertion"), padding)
	})
	export := serve(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, smallCSV) })
	config := fmt.Sprintf(smallURLConfig, export.URL+"/x.csv") + fmt.Sprintf(`  http_client_config:
    oauth2:
      client_id: sla
      client_secret: %s
      token_url: %s/token?key=%s
      endpoint_params: {assertion: %s}
`, clientSecret, token.URL, tokenKey, assertion)

	t.Run("the endpoint refuses", func(t *testing.T) {
		err := syncErr(t, newURLSource(t, t.TempDir(), config, nil), nil)
		// The answer scrubbed (its URL without the query, the secret and the parameter as
		// <secret>), then cut to 256 bytes.
		answer := fmt.Sprintf(`{"error":"invalid_client","url":"%s/token","client_secret":"<secret>","params":"<secret>","padding":"%s`, token.URL, padding)
		answer = answer[:maxSnippet] + "…"
		want := "GET " + export.URL + "/x.csv: oauth2: the token endpoint answered HTTP 401 Unauthorized (see http_client_config.oauth2): " + strconv.Quote(answer)
		if err.Error() != want {
			t.Errorf("error:\n got %s\nwant %s", err, want)
		}
		noSecret(t, "the error", err.Error(), clientSecret, tokenKey, assertion)
	})

	t.Run("the endpoint cannot be reached", func(t *testing.T) {
		closed := httptest.NewServer(http.NotFoundHandler())
		closed.Close()
		cfg := strings.Replace(config, token.URL, closed.URL, 1)
		err := syncErr(t, newURLSource(t, t.TempDir(), cfg, nil), nil)
		prefix := "GET " + export.URL + "/x.csv: oauth2: cannot fetch a token: Post \"" + closed.URL + "/token\": dial tcp "
		if !strings.HasPrefix(err.Error(), prefix) || !strings.HasSuffix(err.Error(), "connection refused") {
			t.Errorf("error:\n got %s\nwant %s...connection refused", err, prefix)
		}
		noSecret(t, "the error", err.Error(), clientSecret, tokenKey, assertion)
	})
}

// TestURL_cutShort: a body shorter than its Content-Length fails the sync (net/http reports the
// unexpected EOF); the rows read before the cut are not a smaller snapshot.
func TestURL_cutShort(t *testing.T) {
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "90")
		io.WriteString(w, "id,created,status\nA,2024-01-01T00:00:00Z,open\n")
	})
	err := syncErr(t, newURLSource(t, t.TempDir(), fmt.Sprintf(smallURLConfig, ts.URL+"/x.csv"), nil), nil)
	if want := "x.csv: reading the response: unexpected EOF"; err.Error() != want {
		t.Errorf("error:\n got %s\nwant %s", err, want)
	}
}
