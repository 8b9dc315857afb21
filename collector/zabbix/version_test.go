package zabbix

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

// TestNewerVersions: from Zabbix 6.4 the token goes in "Authorization: Bearer" and not in the
// body; from 6.2 host groups are selectHostGroups and answer as "hostgroups" (Zabbix 6.2 and
// 6.4 manuals, "What's new": API changes). A 5.4 server is refused.
func TestNewerVersions(t *testing.T) {
	for _, tc := range []struct {
		version, groupsKey string
		bearer             bool
		wantErr            string
	}{
		{version: "6.0.14", groupsKey: "selectGroups"},
		{version: "6.2.9", groupsKey: "selectHostGroups"},
		{version: "7.0.5", groupsKey: "selectHostGroups", bearer: true},
		{version: "5.4.12", wantErr: "apiinfo.version: Zabbix 5.4 is older than 6.0, the first version with API tokens"},
	} {
		t.Run(tc.version, func(t *testing.T) {
			var mu sync.Mutex
			var calls []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				var req struct {
					Method string         `json:"method"`
					Params map[string]any `json:"params"`
					Auth   string         `json:"auth"`
				}
				_ = json.Unmarshal(body, &req)
				mu.Lock()
				calls = append(calls, req.Method)
				mu.Unlock()
				authz := r.Header.Get("Authorization")
				switch {
				case req.Method == "apiinfo.version":
					if req.Auth != "" || authz != "" {
						t.Errorf("apiinfo.version with a token")
					}
				case tc.bearer && (authz != "Bearer "+replayToken || req.Auth != ""):
					t.Errorf("%s: Authorization %q, auth %q: want the Bearer header only", req.Method, authz, req.Auth)
				case !tc.bearer && (authz != "" || req.Auth != replayToken):
					t.Errorf("%s: Authorization %q, auth %q: want auth in the body only", req.Method, authz, req.Auth)
				}
				if req.Method == "host.get" || req.Method == "maintenance.get" {
					if _, ok := req.Params[tc.groupsKey]; !ok {
						t.Errorf("%s without %s: %v", req.Method, tc.groupsKey, req.Params)
					}
				}
				groups := `"groups":[{"groupid":"5"}]`
				if tc.groupsKey == "selectHostGroups" {
					groups = `"hostgroups":[{"groupid":"5"}]`
				}
				answers := map[string]string{
					"apiinfo.version": fmt.Sprintf("%q", tc.version),
					"hostgroup.get":   `[{"groupid":"5","name":"G"}]`,
					"host.get":        `[{"hostid":"10","host":"h1",` + groups + `}]`,
					"event.get":       `[]`,
					"maintenance.get": `[{"maintenanceid":"1","name":"m","active_since":"0","active_till":"2000000000","hosts":[],` + groups +
						`,"tags":[],"timeperiods":[{"timeperiod_type":"0","start_date":"1743415200","period":"3600"}]}]`,
				}
				fmt.Fprintf(w, `{"jsonrpc":"2.0","result":%s,"id":1}`, answers[req.Method])
			}))
			defer srv.Close()
			var doc = scenarioNodeFor(t, "url: "+srv.URL+"\ntoken_file: "+writeToken(t, replayToken)+"\nseries: [{name: s, host_groups: [G]}]\n")
			src, err := New(doc, collector.Options{Name: "zabbix", Now: func() time.Time { return at("12:00") }})
			if err != nil {
				t.Fatal(err)
			}
			b, err := src.Sync(t.Context(), nil)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error %v, want %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := []collector.UptimeSeries{{Series: "s", CoveredFrom: at("12:00").Add(-DefaultBackfill), CoveredTo: at("12:00"),
				Maintenance: []availability.Window{window(at("10:00"), at("11:00"))}}}
			if diff := cmp.Diff(want, b.Uptime, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
				t.Errorf("uptime (-want +got):\n%s", diff)
			}
			if got := strings.Join(calls, ","); got != "apiinfo.version,hostgroup.get,host.get,event.get,maintenance.get" {
				t.Errorf("calls %s", got)
			}
		})
	}
}
