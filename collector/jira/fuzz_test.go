package jira

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
	"github.com/sla-exporter/sla_exporter/collector/jira/jirasim"
)

// TestSearchPageFixture keeps testdata/search_page.json, the fuzzers' seed, the simulator's
// answer to the scripted month's search (go test -run TestSearchPageFixture -update rewrites it).
func TestSearchPageFixture(t *testing.T) {
	e := newEnv(t, syncAt, jirasim.Options{})
	month(e.sim)
	body := `{"jql":"(project = SUP) ORDER BY updated ASC, id ASC","fields":["created","updated","status","priority","issuetype","components","customfield_10002","customfield_10010","customfield_10020","customfield_10030","customfield_10031"],"expand":"changelog","maxResults":50}`
	req, _ := http.NewRequest(http.MethodPost, e.sim.URL+"/rest/api/3/search/jql", strings.NewReader(body))
	req.SetBasicAuth(email, token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, got, "", "  "); err != nil {
		t.Fatal(err)
	}
	const path = "testdata/search_page.json"
	if *update {
		if err := os.WriteFile(path, append(pretty.Bytes(), '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, append(pretty.Bytes(), '\n')) {
		t.Errorf("%s differs from the simulator's answer (rerun with -update if the change is meant)", path)
	}
}

// FuzzIssue feeds search answers to the decoding and the mapping: whatever Jira (or a proxy)
// sends, they return a ticket, a rejection or an error, and never panic.
func FuzzIssue(f *testing.F) {
	seed, err := os.ReadFile("testdata/search_page.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"issues":[{"id":"1","key":"A-1","fields":{"updated":"2026-03-02T10:00:00.000+0100","created":null,"status":{"name":"x"},"customfield_10030":"2h"}}]}`))
	f.Add([]byte(`{"issues":[{"key":"A-1","fields":{"customfield_10031":{"name":"T","completedCycles":[{"startTime":{"epochMillis":-1},"stopTime":{"jira":"x"}}]}}}]}`))
	s, err := compile(apitest.Node(f, "url: https://acme.atlassian.net\njql: project = A\n"+deskConfig), collector.Options{Name: "jsm"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var pg searchPage
		if json.Unmarshal(b, &pg) != nil {
			return
		}
		for _, raw := range pg.Issues {
			var is issue
			if json.Unmarshal(raw, &is) != nil {
				continue
			}
			_, _ = is.updated()
			var hs []history
			if is.Changelog != nil {
				hs = is.Changelog.Histories
			}
			tk, rej, err := s.mapIssue(&is, statusChanges(hs), &categories{})
			if err == nil && rej == nil {
				if verr := tk.Validate(); verr != nil {
					t.Errorf("a mapped ticket does not validate: %v", verr)
				}
			}
		}
	})
}

// FuzzDisplay checks a field's text never panics, whatever its JSON.
func FuzzDisplay(f *testing.F) {
	for _, s := range []string{`"x"`, `[{"value":"a","child":{"value":"b"}}]`, `{"requestType":{"name":"r"}}`, `12.5`, `true`, `{}`, `[[[]]]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = display(b)
		_, _ = slaCycles("customfield_1", b, map[string]string{})
	})
}
