package redmine

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Recorded answers of the real Redmine: TestRealRedmine -update writes what the source asked and
// Redmine answered at each sync of the scenario into testdata/recorded/sync<N>.json, and the
// replay tests serve them back, so that the mapping and the sync are tested without Redmine.

// exchange is one request and Redmine's answer.
type exchange struct {
	// Request is "GET <path and query>", as the source sent it.
	Request     string `json:"request"`
	Status      int    `json:"status"`
	ContentType string `json:"content_type"`
	Date        string `json:"date,omitempty"`
	// Body is the answer when it is JSON; BodyText when it is not.
	Body     json.RawMessage `json:"body,omitempty"`
	BodyText string          `json:"body_text,omitempty"`
}

// recorder is a proxy in front of Redmine that keeps each exchange, API keys scrubbed.
type recorder struct {
	target  string
	secrets []string

	mu  sync.Mutex
	log []exchange
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	out, err := http.NewRequestWithContext(req.Context(), req.Method, rec.target+req.RequestURI, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	for _, h := range []string{"X-Redmine-Api-Key", "Accept", "User-Agent", "Authorization"} {
		if v := req.Header.Get(h); v != "" {
			out.Header.Set(h, v)
		}
	}
	resp, err := apiClient.Do(out)
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
	s := string(body)
	for _, k := range rec.secrets {
		s = strings.ReplaceAll(s, k, "<scrubbed>")
	}
	ex := exchange{Request: req.Method + " " + req.RequestURI, Status: resp.StatusCode,
		ContentType: resp.Header.Get("Content-Type"), Date: resp.Header.Get("Date")}
	if json.Valid([]byte(s)) && strings.TrimSpace(s) != "" {
		ex.Body = json.RawMessage(s)
	} else {
		ex.BodyText = s
	}
	rec.mu.Lock()
	rec.log = append(rec.log, ex)
	rec.mu.Unlock()
	ex.serve(w)
}

// take returns the exchanges since the last take.
func (rec *recorder) take() []exchange {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	out := rec.log
	rec.log = nil
	return out
}

func (ex *exchange) serve(w http.ResponseWriter) {
	if ex.ContentType != "" {
		w.Header().Set("Content-Type", ex.ContentType)
	}
	if ex.Date != "" {
		w.Header().Set("Date", ex.Date)
	} else {
		w.Header()["Date"] = nil // as recorded: thin sends none, and net/http would add one
	}
	w.WriteHeader(ex.Status)
	if ex.Body != nil {
		w.Write(ex.Body)
	} else {
		io.WriteString(w, ex.BodyText)
	}
}

func recordingPath(stage string) string {
	return filepath.Join("testdata", "recorded", stage+".json")
}

// writeRecording writes one stage's exchanges, failing when a secret survived the scrubbing.
func writeRecording(t *testing.T, stage string, exs []exchange, secrets []string) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep the & of queries readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(exs); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	for _, s := range secrets {
		if strings.Contains(string(b), s) {
			t.Fatalf("recording %s holds an API key", stage)
		}
	}
	if err := os.MkdirAll(filepath.Dir(recordingPath(stage)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(recordingPath(stage), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func readRecording(t testing.TB, stage string) []exchange {
	t.Helper()
	b, err := os.ReadFile(recordingPath(stage))
	if err != nil {
		t.Fatalf("%v (record it with: go test ./collector/redmine -run TestRealRedmine -update, with Redmine installed)", err)
	}
	var exs []exchange
	if err := json.Unmarshal(b, &exs); err != nil {
		t.Fatalf("%s: %v", recordingPath(stage), err)
	}
	return exs
}

// replayKey is the API key the replay server wants.
const replayKey = "replay-api-key-0123456789"

// replayer serves recorded exchanges: each request must match the next unused exchange with the
// same request line, in any order; anything else is a 404 and a test error.
type replayer struct {
	t *testing.T

	mu    sync.Mutex
	exs   []exchange
	used  []bool
	extra []string // requests no exchange matched
	// keys are the X-Redmine-API-Key values received.
	keys map[string]int
}

func newReplayer(t *testing.T) (*replayer, *httptest.Server) {
	rp := &replayer{t: t, keys: map[string]int{}}
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	return rp, srv
}

// load replaces the exchanges served.
func (rp *replayer) load(exs []exchange) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	rp.exs, rp.used, rp.extra = exs, make([]bool, len(exs)), nil
}

func (rp *replayer) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	rp.mu.Lock()
	rp.keys[req.Header.Get("X-Redmine-Api-Key")]++
	line := req.Method + " " + req.RequestURI
	var ex *exchange
	for i := range rp.exs {
		if !rp.used[i] && rp.exs[i].Request == line {
			rp.used[i], ex = true, &rp.exs[i]
			break
		}
	}
	if ex == nil {
		rp.extra = append(rp.extra, line)
	}
	rp.mu.Unlock()
	if ex == nil {
		http.Error(w, `{"errors":["not recorded"]}`, http.StatusNotFound)
		return
	}
	ex.serve(w)
}

// check fails the test unless every exchange was asked for, once, and nothing else.
func (rp *replayer) check(t *testing.T, stage string) {
	t.Helper()
	rp.mu.Lock()
	defer rp.mu.Unlock()
	for i, u := range rp.used {
		if !u {
			t.Errorf("%s: recorded request not made: %s", stage, rp.exs[i].Request)
		}
	}
	for _, l := range rp.extra {
		t.Errorf("%s: request not recorded: %s", stage, l)
	}
}
