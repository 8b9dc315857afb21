package web

import (
	"net/http"
	"strings"
	"testing"
)

// A snapshot restored at start-up is served figures: ready once every source's stored data is
// loaded, whatever generation it was evaluated at, and marked on the page and in the API until
// the first evaluation replaces it.
func TestRestoredSnapshot(t *testing.T) {
	var settledGen uint64
	settled := false
	s := newDemoServer(t, func(o *Options) {
		o.Ready = Readiness(func() (uint64, bool) { return settledGen, settled })
	})
	evaluated := s.expo.Snapshot()
	restored := *evaluated
	restored.Restored, restored.DataGen = true, 0
	s.expo.Set(&restored)

	if resp, _ := s.get(t, "/-/ready"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("restored, a source without stored data: %d, want 503", resp.StatusCode)
	}
	settled, settledGen = true, 7
	if resp, body := s.get(t, "/-/ready"); resp.StatusCode != 200 {
		t.Errorf("restored, every source loaded: %d %q, want 200", resp.StatusCode, body)
	}
	const notice = "<strong>Restored:</strong>"
	for _, tc := range []struct{ path, want string }{
		{"/", notice},
		{"/objectives/incident-response", notice},
		{"/api/v1/objectives", `"restored": true`},
		{"/api/v1/kpis", `"restored": true`},
		{"/api/v1/contracts", `"restored": true`},
	} {
		if _, body := s.get(t, tc.path); !strings.Contains(body, tc.want) {
			t.Errorf("%s while restored does not contain %q:\n%.400s", tc.path, tc.want, body)
		}
	}

	s.expo.Set(evaluated)
	for _, tc := range []struct{ path, absent string }{
		{"/", notice},
		{"/api/v1/objectives", `"restored"`},
		{"/api/v1/kpis", `"restored"`},
		{"/api/v1/contracts", `"restored"`},
	} {
		if _, body := s.get(t, tc.path); strings.Contains(body, tc.absent) {
			t.Errorf("%s after an evaluation still contains %q", tc.path, tc.absent)
		}
	}
}
