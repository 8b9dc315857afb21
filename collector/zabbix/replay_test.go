package zabbix

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
)

// replaySource is the scenario's source on a replayer, with a clock the test sets and no
// sleeping between retries.
func replaySource(t *testing.T, rp *replayer, requests *collector.Requests, clk *testClock) *Source {
	t.Helper()
	node := scenarioNode(t, rp.srv.URL+"/", writeToken(t, replayToken))
	src, err := newSource(node, collector.Options{Name: "zabbix", Requests: requests, Now: clk.now},
		apisource.Hooks{Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }, Rand: func() float64 { return 0 }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}

// TestReplaySync replays the recorded answers of the real Zabbix: the same calls in the same
// order, and the same series, as TestRealZabbix checked on the server itself.
func TestReplaySync(t *testing.T) {
	rec := readRecording(t)
	if len(rec.Syncs) != len(wantSyncs) {
		t.Fatalf("the recording has %d syncs, the scenario %d", len(rec.Syncs), len(wantSyncs))
	}
	rp := newReplayer(t)
	requests := collector.NewRequests()
	clk := &testClock{}
	src := replaySource(t, rp, requests, clk)
	var cp []byte
	for i, w := range wantSyncs {
		rp.expect(rec.Syncs[i])
		clk.t = w.at
		before := sum(requests.Counts("zabbix"))
		b, err := src.Sync(t.Context(), cp)
		if err != nil {
			t.Fatalf("sync %q: %v", w.name, err)
		}
		checkSync(t, w, b)
		checkSLIs(t, w, src.ToolSLIs())
		if n := sum(requests.Counts("zabbix")) - before; n != w.requests || len(rec.Syncs[i]) != w.requests {
			t.Errorf("sync %q: %d requests (%d recorded), want %d", w.name, n, len(rec.Syncs[i]), w.requests)
		}
		if left := rp.left(); len(left) > 0 {
			t.Errorf("sync %q: %d recorded calls not made, the first %s", w.name, len(left), left[0].Call)
		}
		cp = b.Checkpoint
	}
}

// TestFaults: an error object, a refused token, a 5xx, a timeout and bad JSON each fail the
// sync with a message naming the call and the cause, never the token; the next sync after the
// fault brings the data from the same checkpoint.
func TestFaults(t *testing.T) {
	rec := readRecording(t)
	rpcError := func(code int, msg, data string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprintf(w, `{"jsonrpc":"2.0","error":{"code":%d,"message":%q,"data":%q},"id":1}`, code, msg, data)
		}
	}
	status := func(code int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(code)
			_, _ = w.Write([]byte(body))
		}
	}
	tests := []struct {
		name    string
		fault   http.HandlerFunc
		want    string
		auth    bool
		timeout bool
	}{
		{
			name:  "error object",
			fault: rpcError(-32602, "Invalid params.", `Invalid parameter "/": unexpected parameter "problem_time_from".`),
			want:  `apiinfo.version: Zabbix answered error -32602 "Invalid params.": "Invalid parameter \"/\": unexpected parameter \"problem_time_from\"."`,
		},
		{
			name:  "refused token",
			fault: rpcError(-32602, "Invalid params.", "Not authorised."),
			want:  `apiinfo.version: Zabbix answered error -32602 "Invalid params.": "Not authorised." (the API token was refused: check token_file, the token's expiry and that its user may read the hosts)`,
			auth:  true,
		},
		{
			name:  "session terminated, token echoed",
			fault: rpcError(-32602, "Invalid params.", "Session terminated, re-login, please. auth="+replayToken),
			want:  `apiinfo.version: Zabbix answered error -32602 "Invalid params.": "Session terminated, re-login, please. auth=<secret>" (the API token was refused: check token_file, the token's expiry and that its user may read the hosts)`,
			auth:  true,
		},
		{
			name:  "5xx",
			fault: status(http.StatusBadGateway, "<html>bad gateway "+replayToken+"</html>"),
			want:  `apiinfo.version: POST /api_jsonrpc.php: HTTP 502 Bad Gateway: "<html>bad gateway <secret></html>"`,
		},
		{
			name:  "not JSON",
			fault: status(http.StatusOK, "<html>Zabbix setup</html>"),
			want:  `apiinfo.version: POST /api_jsonrpc.php: the answer is not JSON (byte 1: invalid character '<' looking for beginning of value) (the server sent an HTML page: a login or proxy error page?)`,
		},
		{
			name:  "neither result nor error",
			fault: status(http.StatusOK, `{"jsonrpc":"2.0","id":1}`),
			want:  `apiinfo.version: POST /api_jsonrpc.php: the answer has neither a result nor an error`,
		},
		{
			name:    "timeout",
			fault:   func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
			want:    "apiinfo.version: POST /api_jsonrpc.php: no complete answer within 200ms (request_timeout): no complete answer in time",
			timeout: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rp := newReplayer(t)
			clk := &testClock{t: wantSyncs[0].at}
			src := replaySource(t, rp, collector.NewRequests(), clk)
			if tc.timeout {
				src.p.api.RequestTimeout = 200 * time.Millisecond
			}
			rp.setFault(tc.fault)
			b, err := src.Sync(t.Context(), nil)
			if err == nil {
				t.Fatalf("no error; batch %+v", b)
			}
			if err.Error() != tc.want {
				t.Errorf("error:\n got %s\nwant %s", err, tc.want)
			}
			if strings.Contains(err.Error(), replayToken) {
				t.Error("the token reached the error")
			}
			if errors.Is(err, ErrAuth) != tc.auth {
				t.Errorf("errors.Is(err, ErrAuth) = %v, want %v", !tc.auth, tc.auth)
			}
			if b.Checkpoint != nil || len(b.Uptime) > 0 {
				t.Errorf("a failed sync returned data: %+v", b)
			}
			// Recovered: the first sync's calls, from no checkpoint, bring the first picture.
			rp.setFault(nil)
			rp.expect(rec.Syncs[0])
			b, err = src.Sync(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			checkSync(t, wantSyncs[0], b)
		})
	}
}

// TestFaultMidSync: a failure after some calls succeeded (the maintenance call) fails the whole
// sync; the series read before it are not returned.
func TestFaultMidSync(t *testing.T) {
	rec := readRecording(t)
	rp := newReplayer(t)
	clk := &testClock{t: wantSyncs[0].at}
	src := replaySource(t, rp, collector.NewRequests(), clk)
	first := rec.Syncs[0]
	rp.expect(first[:len(first)-1]) // all but maintenance.get
	// After the recorded calls, the replayer answers 500: the maintenance call fails.
	wrapped := rp.srv.Config.Handler
	rp.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(rp.left()) == 0 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		wrapped.ServeHTTP(w, r)
	})
	b, err := src.Sync(t.Context(), nil)
	const want = "maintenance.get: POST /api_jsonrpc.php: HTTP 500 Internal Server Error"
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %s", err, want)
	}
	if diff := cmp.Diff(collector.Batch{}, b); diff != "" {
		t.Errorf("a failed sync returned (-want +got):\n%s", diff)
	}
}
