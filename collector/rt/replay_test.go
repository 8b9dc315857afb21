package rt

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Recorded responses: the integration test, run with -record against the real RT, writes every
// request the source made and RT's answer to testdata/recorded/, and the unit tests replay them
// without RT. Answers keep their bodies as RT wrote them, but for RT's own address (which holds
// a random port) and anything that looks like a token.

var record = flag.Bool("record", false, "rewrite testdata/recorded/ from the real RT (needs deploy/ci/install-rt.sh)")

// exchange is one request and its answer.
type exchange struct {
	// Request is "GET /REST/2.0/tickets?..." with the query in canonical (sorted) order.
	Request string          `json:"request"`
	Status  int             `json:"status"`
	Body    json.RawMessage `json:"body"`
}

// requestKey is how a request is recorded and matched.
func requestKey(r *http.Request) string {
	return r.Method + " " + r.URL.Path + "?" + r.URL.Query().Encode()
}

// recorder is a proxy in front of the real RT that records what passes.
type recorder struct {
	mu        sync.Mutex
	exchanges []exchange
	srv       *httptest.Server
}

func newRecorder(t *testing.T, target string) *recorder {
	t.Helper()
	rec := &recorder{}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := http.NewRequestWithContext(r.Context(), r.Method, target+r.URL.RequestURI(), r.Body)
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
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		rec.mu.Lock()
		rec.exchanges = append(rec.exchanges, exchange{Request: requestKey(r), Status: resp.StatusCode, Body: body})
		rec.mu.Unlock()
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(body)
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

// tokenLike is a REST2 auth token as RT writes it: 1-14-<32 hex>.
var tokenLike = regexp.MustCompile(`\b\d+-\d+-[0-9a-f]{32}\b`)

// scrub rewrites RT's address to http://rt.test and removes the secrets; it fails the test if a
// secret survives.
func scrub(t *testing.T, exs []exchange, rtURL string, secrets ...string) []exchange {
	t.Helper()
	out := make([]exchange, len(exs))
	for i, ex := range exs {
		body := bytes.ReplaceAll(ex.Body, []byte(rtURL), []byte("http://rt.test"))
		for _, s := range secrets {
			body = bytes.ReplaceAll(body, []byte(s), []byte("<scrubbed>"))
		}
		body = tokenLike.ReplaceAll(body, []byte("<scrubbed>"))
		// RT writes keys in Perl's random hash order: sort them, so that a new recording differs
		// from the last one only where RT's answers do.
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%s: the answer is not JSON: %v", ex.Request, err)
		}
		sortCustomFields(v)
		var canon bytes.Buffer
		enc := json.NewEncoder(&canon)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		out[i] = exchange{Request: ex.Request, Status: ex.Status, Body: bytes.TrimSpace(canon.Bytes())}
		for _, s := range secrets {
			if strings.Contains(string(out[i].Body), s) || strings.Contains(out[i].Request, s) {
				t.Fatalf("%s: a secret survived scrubbing", ex.Request)
			}
		}
	}
	return out
}

// sortCustomFields orders every CustomFields list by id: RT lists them in Perl's random hash
// order too.
func sortCustomFields(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if list, ok := x.([]any); ok && k == "CustomFields" {
				slices.SortFunc(list, func(a, b any) int {
					return strings.Compare(fmt.Sprint(idOf(a)), fmt.Sprint(idOf(b)))
				})
			}
			sortCustomFields(x)
		}
	case []any:
		for _, x := range v {
			sortCustomFields(x)
		}
	}
}

func idOf(v any) any {
	if m, ok := v.(map[string]any); ok {
		return m["id"]
	}
	return nil
}

// recording is a fixture: the exchanges of each sync, in order.
type recording struct {
	Syncs [][]exchange `json:"syncs"`
}

func recordingPath(name string) string { return filepath.Join("testdata", "recorded", name+".json") }

func writeRecording(t *testing.T, name string, r recording) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep the requests' "&" readable
	enc.SetIndent("", " ")
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(recordingPath(name)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(recordingPath(name), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readRecording(t testing.TB, name string) recording {
	t.Helper()
	data, err := os.ReadFile(recordingPath(name))
	if err != nil {
		t.Fatalf("%v (record it with: go test ./collector/rt -run TestRealRT -record, as root or with sudo)", err)
	}
	var r recording
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// replayToken is the token the replay server wants, in "Authorization: token ...".
const replayToken = "replay-token"

// replayer serves recorded exchanges in order: each request must be the next one recorded, so a
// replay also checks which requests the source makes, and how many.
type replayer struct {
	t    *testing.T
	mu   sync.Mutex
	next []exchange
	srv  *httptest.Server
	// got counts the requests served.
	got int
}

func newReplayer(t *testing.T) *replayer {
	t.Helper()
	rp := &replayer{t: t}
	rp.srv = httptest.NewServer(http.HandlerFunc(rp.serve))
	t.Cleanup(rp.srv.Close)
	return rp
}

// expect queues the exchanges of the next sync.
func (rp *replayer) expect(exs []exchange) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	rp.next = append(rp.next, exs...)
}

// left returns the exchanges not requested.
func (rp *replayer) left() []exchange {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	return rp.next
}

func (rp *replayer) serve(w http.ResponseWriter, r *http.Request) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	rp.got++
	if got := r.Header.Get("Authorization"); got != "token "+replayToken {
		rp.t.Errorf("%s: Authorization %q, want the token scheme", requestKey(r), got)
	}
	key := requestKey(r)
	if len(rp.next) == 0 {
		rp.t.Errorf("unexpected request %s", key)
		http.Error(w, "no more recorded exchanges", http.StatusTeapot)
		return
	}
	ex := rp.next[0]
	if ex.Request != key {
		rp.t.Errorf("request %d:\n got %s\nwant %s", rp.got, unescape(key), unescape(ex.Request))
		http.Error(w, "not the recorded request", http.StatusTeapot)
		return
	}
	rp.next = rp.next[1:]
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(ex.Status)
	_, _ = w.Write(ex.Body)
}

// unescape shows a request key readably in failures.
func unescape(key string) string {
	if s, err := url.QueryUnescape(key); err == nil {
		return s
	}
	return key
}
