package statuspage

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/sla-exporter/sla_exporter/collector/apisource"
)

// FuzzDecode feeds arbitrary bodies to the decoders of the three documents and maps whatever
// decodes: nothing may panic, and a body either decodes into entries that pass the checks or is
// an error naming the endpoint.
func FuzzDecode(f *testing.F) {
	paths, err := filepath.Glob("testdata/*.json")
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"incidents":[{"id":"x","created_at":"2026-03-02T09:00:00Z","incident_updates":[{"created_at":"2026-03-02T09:00:00Z","affected_components":[{"code":"a","new_status":"major_outage"}]}]}]}`))
	f.Add([]byte(`{"scheduled_maintenances":[{"id":"m","created_at":"2026-03-02T09:00:00Z","scheduled_for":null}]}`))
	f.Add([]byte(`{"components":[{"id":"g","name":"G","group":true,"components":["a"]},{"id":"a","name":"A","status":"operational","group_id":"g"}]}`))
	s := &settings{statuses: defaultStatuses}
	f.Fuzz(func(t *testing.T, body []byte) {
		resp := &apisource.Response{Status: 200, Header: http.Header{}, Body: body, Endpoint: "/api/v2/x.json"}
		comps, cerr := decodeComponents(resp)
		incs, ierr := decodeIncidents(resp, false)
		maints, merr := decodeIncidents(resp, true)
		if cerr != nil || ierr != nil || merr != nil {
			return
		}
		b, err := s.batch(documents{components: comps, incidents: incs, maintenances: maints}, parseCheckpoint(nil), t0, discard)
		if err != nil {
			return
		}
		for _, u := range b.Uptime {
			for _, o := range u.Outages {
				if !o.Start.Before(o.End) {
					t.Fatalf("series %s: an outage [%v, %v) that does not end after it starts", u.Series, o.Start, o.End)
				}
			}
			for _, w := range u.Maintenance {
				if !w.Start.Before(w.End) {
					t.Fatalf("series %s: a window [%v, %v) that does not end after it starts", u.Series, w.Start, w.End)
				}
			}
		}
	})
}
