package zabbix

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Recorded answers: the integration test, run with -record against the real Zabbix, writes every
// call the source made and Zabbix's answer to testdata/recorded/sync.json, and the replay tests
// serve them without Zabbix. Calls are recorded as their method and params (the token and the
// id left out); answers as Zabbix wrote them, the token and Admin's session scrubbed.

var record = flag.Bool("record", false, "rewrite testdata/recorded/sync.json from the real Zabbix (needs deploy/ci/install-zabbix.sh)")

var recordingPath = filepath.Join("testdata", "recorded", "sync.json")

// exchange is one call and its answer.
type exchange struct {
	// Call is "method params", params as compact JSON.
	Call   string          `json:"call"`
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body"`
}

// recording is the fixture: the exchanges of each sync, in order.
type recording struct {
	// Token stands for the token the source sent (scrubbed).
	Token string       `json:"token"`
	Syncs [][]exchange `json:"syncs"`
}

// callKey is how a JSON-RPC request is recorded and matched; auth is the token it carried in
// its body or its Authorization header.
func callKey(body []byte, h http.Header) (key, auth string, err error) {
	var req struct {
		Method string          `json:"method"`
		Params json.RawMessage `json:"params"`
		Auth   string          `json:"auth"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return "", "", err
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, req.Params); err != nil {
		return "", "", err
	}
	auth = req.Auth
	if a := h.Get("Authorization"); strings.HasPrefix(a, "Bearer ") {
		auth = strings.TrimPrefix(a, "Bearer ")
	}
	return req.Method + " " + compact.String(), auth, nil
}

// recorder is a proxy in front of the real Zabbix that records what passes.
type recorder struct {
	mu        sync.Mutex
	exchanges []exchange
	srv       *httptest.Server
}

func newRecorder(t *testing.T, target string) *recorder {
	t.Helper()
	rec := &recorder{}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		key, _, err := callKey(body, r.Header)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		req, err := http.NewRequestWithContext(r.Context(), r.Method, strings.TrimSuffix(target, "/")+r.URL.RequestURI(), bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		req.Header = r.Header.Clone()
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		out, err := io.ReadAll(resp.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		rec.mu.Lock()
		rec.exchanges = append(rec.exchanges, exchange{Call: key, Status: resp.StatusCode, Body: out})
		rec.mu.Unlock()
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(out)
	}))
	t.Cleanup(rec.srv.Close)
	return rec
}

// take returns the exchanges recorded since the last take.
func (rec *recorder) take() []exchange {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	out := rec.exchanges
	rec.exchanges = nil
	return out
}

// scrub removes the secrets from the exchanges and fails the test if one survives.
func scrub(t *testing.T, exs []exchange, secrets ...string) []exchange {
	t.Helper()
	out := make([]exchange, len(exs))
	for i, ex := range exs {
		body, call := ex.Body, ex.Call
		for _, s := range secrets {
			body = bytes.ReplaceAll(body, []byte(s), []byte("<scrubbed>"))
			call = strings.ReplaceAll(call, s, "<scrubbed>")
		}
		var canon bytes.Buffer
		if err := json.Compact(&canon, body); err != nil {
			t.Fatalf("%s: the answer is not JSON: %v", ex.Call, err)
		}
		out[i] = exchange{Call: call, Status: ex.Status, Body: canon.Bytes()}
	}
	return out
}

func writeRecording(t *testing.T, r recording) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(recordingPath), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(recordingPath, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readRecording(t testing.TB) recording {
	t.Helper()
	data, err := os.ReadFile(recordingPath)
	if err != nil {
		t.Fatalf("%v (record it with: go test ./collector/zabbix -run TestRealZabbix -record, as root or with sudo)", err)
	}
	var r recording
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// replayToken is the token the replay tests' source sends.
const replayToken = "replay-token-0123456789abcdef"

// replayer serves recorded exchanges in order: each call must be the next one recorded, so a
// replay also checks which calls the source makes, and how many. A fault, when set, answers
// the next calls instead.
type replayer struct {
	t    *testing.T
	mu   sync.Mutex
	next []exchange
	srv  *httptest.Server
	got  int
	// fault, when not nil, answers every call.
	fault http.HandlerFunc
}

func newReplayer(t *testing.T) *replayer {
	t.Helper()
	rp := &replayer{t: t}
	rp.srv = httptest.NewServer(http.HandlerFunc(rp.serve))
	t.Cleanup(rp.srv.Close)
	return rp
}

func (rp *replayer) expect(exs []exchange) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	rp.next = append(rp.next, exs...)
}

func (rp *replayer) left() []exchange {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	return rp.next
}

func (rp *replayer) setFault(h http.HandlerFunc) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	rp.fault = h
}

func (rp *replayer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body) // read whole, so that the server sees the client leave
	rp.mu.Lock()
	rp.got++
	fault := rp.fault
	rp.mu.Unlock()
	if fault != nil {
		fault(w, r)
		return
	}
	rp.mu.Lock()
	defer rp.mu.Unlock()
	key, auth, err := callKey(body, r.Header)
	if err != nil {
		rp.t.Errorf("request %d is not JSON-RPC: %v", rp.got, err)
		http.Error(w, "not JSON-RPC", http.StatusBadRequest)
		return
	}
	if r.URL.Path != "/api_jsonrpc.php" || r.Method != http.MethodPost || r.Header.Get("Content-Type") != contentType {
		rp.t.Errorf("%s %s with Content-Type %q, want POST /api_jsonrpc.php %s", r.Method, r.URL.Path, r.Header.Get("Content-Type"), contentType)
	}
	wantAuth := replayToken
	if strings.HasPrefix(key, "apiinfo.version ") {
		wantAuth = ""
	}
	if auth != wantAuth {
		rp.t.Errorf("%s: auth %q, want %q", key, auth, wantAuth)
	}
	if len(rp.next) == 0 {
		rp.t.Errorf("unexpected call %s", key)
		http.Error(w, "no more recorded exchanges", http.StatusTeapot)
		return
	}
	ex := rp.next[0]
	if ex.Call != key {
		rp.t.Errorf("call %d:\n got %s\nwant %s", rp.got, key, ex.Call)
		http.Error(w, "not the recorded call", http.StatusTeapot)
		return
	}
	rp.next = rp.next[1:]
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(ex.Status)
	_, _ = w.Write(ex.Body)
}
