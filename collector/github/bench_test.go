package github

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/github/githubsim"
)

// BenchmarkMapPage measures decoding a listing page of 100 issues as the simulator serves it
// (GitHub's documented shape) and mapping each with its timeline: the source's own cost per
// issue, without the network. It reports issues/s.
func BenchmarkMapPage(b *testing.B) {
	e := newEnv(b, githubsim.Options{})
	desk(e.sim, 1, 100)
	for i := 1; i <= 100; i++ {
		e.sim.Label(i, bob, "status/waiting", false)
		e.sim.Label(i, bob, "status/waiting", true)
	}
	get := func(path string) []byte {
		req, _ := http.NewRequest(http.MethodGet, e.sim.APIURL()+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		out, err := io.ReadAll(resp.Body)
		if err != nil {
			b.Fatal(err)
		}
		return out
	}
	page := get("/repos/acme/support/issues?state=all&sort=updated&direction=asc&per_page=100")
	timelines := make([][]byte, 101)
	for i := 1; i <= 100; i++ {
		timelines[i] = get(fmt.Sprintf("/repos/acme/support/issues/%d/timeline?per_page=100", i))
	}
	s, err := compile(e.node(b, mappingConfig), optsFor(e))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(page)))
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		var list []issue
		if err := json.Unmarshal(page, &list); err != nil {
			b.Fatal(err)
		}
		for i := range list {
			var tl []event
			if err := json.Unmarshal(timelines[list[i].Number], &tl); err != nil {
				b.Fatal(err)
			}
			if _, rej := s.mapTicket(&list[i], tl); rej != nil {
				b.Fatal(rej.Reason)
			}
		}
	}
	b.ReportMetric(float64(100*b.N)/time.Since(start).Seconds(), "issues/s")
}
