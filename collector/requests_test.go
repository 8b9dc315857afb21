package collector_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
)

func TestRequests_InstrumentRoundTripper(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close() // connections to it are refused

	reqs := collector.NewRequests()
	client := &http.Client{Transport: reqs.InstrumentRoundTripper("desk", nil)}
	for _, url := range []string{srv.URL + "/ok", srv.URL + "/ok", srv.URL + "/missing", gone.URL} {
		resp, err := client.Get(url)
		if err == nil {
			_ = resp.Body.Close()
		}
	}
	reqs.Record("other", "429")

	want := map[string]float64{"200": 2, "404": 1, collector.CodeError: 1}
	if diff := cmp.Diff(want, reqs.Counts("desk")); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	reqs.Forget("desk")
	if got := reqs.Counts("desk"); got != nil {
		t.Errorf("counts after Forget: %v", got)
	}
	if diff := cmp.Diff(map[string]float64{"429": 1}, reqs.Counts("other")); diff != "" {
		t.Errorf("other source's counts (-want +got):\n%s", diff)
	}
}

func TestRequests_Nil(t *testing.T) {
	var reqs *collector.Requests
	rt := reqs.InstrumentRoundTripper("desk", nil)
	if rt != http.DefaultTransport {
		t.Errorf("a nil Requests wrapped the transport: %T", rt)
	}
	reqs.Record("desk", "200") // must not panic
	if reqs.Counts("desk") != nil {
		t.Error("a nil Requests counted")
	}
}
