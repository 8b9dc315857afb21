package apisource

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/common/config"
)

// TestClient_Post: a POST sends its body and Content-Type on every attempt (a 502 is retried
// with the body whole), and its errors say POST and scrub the secrets the body carries, which
// a server may echo.
func TestClient_Post(t *testing.T) {
	const token = "body-token-0123456789"
	var bodies []string
	record := func(next http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			bodies = append(bodies, r.Method+" "+r.Header.Get("Content-Type")+" "+string(b))
			next(w, r)
		}
	}
	body := `{"method":"event.get","auth":"` + token + `"}`
	h := newClientHarness(t, config.DefaultHTTPClientConfig, nil,
		record(status(502, "bad gateway")),
		record(status(200, `{"result":[]}`)),
	)
	sess := h.c.Session(t.Context())
	resp, err := sess.Post("api_jsonrpc.php", "application/json-rpc", []byte(body), token)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Method != http.MethodPost || string(resp.Body) != `{"result":[]}` {
		t.Errorf("response %s %q", resp.Method, resp.Body)
	}
	want := []string{"POST application/json-rpc " + body, "POST application/json-rpc " + body}
	if diff := cmp.Diff(want, bodies); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}

	// Four attempts on the 500, each echoing the token: the message scrubs it.
	h = newClientHarness(t, config.DefaultHTTPClientConfig, nil, status(500, `{"error":"auth `+token+` refused"}`))
	sess = h.c.Session(t.Context())
	_, err = sess.Post("api_jsonrpc.php", "application/json-rpc", []byte(body), token)
	const wantErr = `POST /api/v3/api_jsonrpc.php: HTTP 500 Internal Server Error: "{\"error\":\"auth <secret> refused\"}"`
	if err == nil || err.Error() != wantErr {
		t.Errorf("error:\n got %v\nwant %s", err, wantErr)
	}
	if strings.Contains(err.Error(), token) {
		t.Error("the token reached the error")
	}

	if n := h.sc.requests(); n != maxAttempts {
		t.Errorf("%d attempts on a 500, want %d", n, maxAttempts)
	}

	h = newClientHarness(t, config.DefaultHTTPClientConfig, nil, status(200, `{"result":`))
	resp, err = h.c.Session(t.Context()).Post("api_jsonrpc.php", "application/json-rpc", []byte(body), token)
	if err != nil {
		t.Fatal(err)
	}
	var out struct{ Result []int }
	const wantDecode = "POST /api/v3/api_jsonrpc.php: the JSON answer is cut short after 10 bytes (a truncated page)"
	if err := resp.DecodeJSON(&out); err == nil || err.Error() != wantDecode {
		t.Errorf("decode error:\n got %v\nwant %s", err, wantDecode)
	}
}
