package servicenow

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector/servicenow/servicenowsim"
)

// bySysID returns the incident numbers in sys_id order, the listing's order among records of
// one sys_updated_on.
func bySysID(sim *servicenowsim.Server) []string {
	nums := sim.Numbers("incident")
	slices.SortFunc(nums, func(a, b string) int { return strings.Compare(sim.Task(a)["sys_id"], sim.Task(b)["sys_id"]) })
	return nums
}

// TestKeyset_AmongTiedRecords: seven incidents updated in one second (a bulk update), read two
// a page while the first one read is updated again after the first page. Offset paging would
// skip one (every record after the updated one moves a place up); the keyset on
// (sys_updated_on, sys_id) reads each one, and the updated one again with its new update.
func TestKeyset_AmongTiedRecords(t *testing.T) {
	e := newEnv(t, servicenowsim.Options{})
	for range 7 {
		e.sim.Create("incident", nil)
	}
	order := bySysID(e.sim)
	e.sim.AfterServe(func(endpoint string, n int) {
		if endpoint == "incident" && n == 1 {
			e.clk.Set(at(5))
			e.sim.Update(order[0], servicenowsim.Fields{"state": "2"})
		}
	})
	b, err := e.source(t, "page_size: 2\n").Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	// Pages: [0 1], then after (08:00, 1): [2 3], [4 5], [6 0@08:05].
	want := append(slices.Clone(order), order[0])
	if diff := cmp.Diff(want, idsOf(b.Tickets)); diff != "" || e.sim.Requests("incident") != 4 {
		t.Errorf("tickets in order (-want +got):\n%s\n%d listing requests, want 4", diff, e.sim.Requests("incident"))
	}
	// The updated one's second version has its new state.
	if last := b.Tickets[len(b.Tickets)-1]; len(last.History) != 2 || !last.History[1].At.Equal(at(5)) {
		t.Errorf("the record updated between the pages: %+v", last.History)
	}
	// Each listing page after the first asks from the last record read, by both keys.
	var queries []string
	for _, r := range e.sim.Log() {
		if r.Endpoint == "incident" {
			queries = append(queries, r.Query.Get("sysparm_query"))
		}
	}
	wantQ := "sys_updated_on>=2026-03-02 08:00:00^sys_updated_on>2026-03-02 08:00:00^ORsys_id>" + e.sim.Task(order[1])["sys_id"] +
		"^ORDERBYsys_updated_on^ORDERBYsys_id"
	if len(queries) != 4 || queries[0] != "ORDERBYsys_updated_on^ORDERBYsys_id" || queries[1] != wantQ {
		t.Errorf("listing queries:\n%s\nwant the second to be\n%s", strings.Join(queries, "\n"), wantQ)
	}
}

// TestKeyset_PageHiddenByACLs: read ACLs remove rows after the page is cut, so a page may come
// short, or empty, with a next link. The listing goes past an empty page by its offset.
func TestKeyset_PageHiddenByACLs(t *testing.T) {
	e := newEnv(t, servicenowsim.Options{})
	for range 6 {
		e.sim.Create("incident", nil)
	}
	order := bySysID(e.sim)
	e.sim.Hide(order[2], true)
	e.sim.Hide(order[3], true)
	src := e.source(t, "page_size: 2\n")
	b, err := src.Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{order[0], order[1], order[4], order[5]}
	if diff := cmp.Diff(want, idsOf(b.Tickets)); diff != "" || e.sim.Requests("incident") != 3 {
		t.Errorf("tickets (-want +got):\n%s\n%d listing requests, want 3 ([0 1], [hidden], the same at offset 2: [4 5])", diff, e.sim.Requests("incident"))
	}
	var offsets []string
	for _, r := range e.sim.Log() {
		if r.Endpoint == "incident" {
			offsets = append(offsets, r.Query.Get("sysparm_offset"))
		}
	}
	if diff := cmp.Diff([]string{"", "", "2"}, offsets); diff != "" {
		t.Errorf("offsets (-want +got):\n%s", diff)
	}
	// The reconciliation pages past the hidden page the same way, and lists what is visible.
	e.clk.Advance(25 * time.Hour)
	b, err = src.Sync(t.Context(), b.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(want)
	slices.Sort(b.Present)
	if diff := cmp.Diff(want, b.Present); !b.Reconciled || diff != "" {
		t.Errorf("reconciled %v, present (-want +got):\n%s", b.Reconciled, diff)
	}
}

// TestRequests_AskForStoredValuesAndFields: every request names its fields and asks for stored
// values without reference links; an API user in another time zone changes nothing, since
// stored dates are UTC.
func TestRequests_AskForStoredValuesAndFields(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	run := func(zone *time.Location) (map[string][]string, []string) {
		e := newEnv(t, servicenowsim.Options{UserZone: zone})
		scenario(e)
		b, err := e.source(t, mappingConfig).Sync(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range e.sim.Log() {
			q := r.Query
			if q.Get("sysparm_fields") == "" || q.Get("sysparm_display_value") != "false" ||
				q.Get("sysparm_exclude_reference_link") != "true" || q.Get("sysparm_limit") == "" {
				t.Errorf("request to %s: %v", r.Endpoint, q)
			}
		}
		out := map[string][]string{}
		for _, tk := range b.Tickets {
			for _, h := range tk.History {
				out[tk.ID] = append(out[tk.ID], h.At.Format(time.RFC3339)+" "+h.Status)
			}
		}
		var endpoints []string
		for _, r := range e.sim.Log() {
			endpoints = append(endpoints, r.Endpoint)
		}
		return out, endpoints
	}
	utcHist, endpoints := run(time.UTC)
	berlinHist, _ := run(berlin)
	if diff := cmp.Diff(utcHist, berlinHist); diff != "" {
		t.Errorf("histories with the API user in UTC and in Berlin (-utc +berlin):\n%s", diff)
	}
	// One listing page, then the audit and task_sla rows of its records in one request each.
	if diff := cmp.Diff([]string{"incident", "sys_audit", "task_sla"}, endpoints); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}
