package apisource

import (
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestClient_Post checks a POST search (Jira Cloud's POST /rest/api/3/search/jql): the JSON body
// and its Content-Type go with every attempt, a 5xx is retried with the same body, and errors
// name the method.
func TestClient_Post(t *testing.T) {
	var (
		mu     sync.Mutex
		bodies []string
	)
	record := func(next http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			bodies = append(bodies, r.Method+" "+r.Header.Get("Content-Type")+" "+string(b))
			mu.Unlock()
			next(w, r)
		}
	}
	h := newClientHarness(t, bearer("tok"), nil,
		record(status(502, "")), record(status(200, `{"issues": [`)), record(status(400, `{"errorMessages":["bad JQL"]}`)))
	sess := h.c.Session(t.Context())
	req := Request{Method: http.MethodPost, Path: "search/jql", Body: []byte(`{"jql":"project = SUP"}`)}

	resp, err := sess.Get(req)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	const wantDecode = "POST /api/v3/search/jql: the JSON answer is cut short after 12 bytes (a truncated page)"
	if err := resp.DecodeJSON(&out); err == nil || err.Error() != wantDecode {
		t.Errorf("decoding: %v\nwant %s", err, wantDecode)
	}
	const wantStatus = `POST /api/v3/search/jql: HTTP 400 Bad Request: "{\"errorMessages\":[\"bad JQL\"]}"`
	if _, err := sess.Get(req); err == nil || err.Error() != wantStatus {
		t.Errorf("a refusal: %v\nwant %s", err, wantStatus)
	}
	want := []string{
		`POST application/json {"jql":"project = SUP"}`,
		`POST application/json {"jql":"project = SUP"}`,
		`POST application/json {"jql":"project = SUP"}`,
	}
	if diff := cmp.Diff(want, bodies); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}
