package apisource

import (
	"net/http"
	"testing"
	"time"
)

func TestNextLink(t *testing.T) {
	tests := []struct{ link, want string }{
		// GitHub's, from using-pagination-in-the-rest-api.md.
		{`<https://api.github.com/repositories/1300192/issues?page=2>; rel="prev", <https://api.github.com/repositories/1300192/issues?page=4>; rel="next", <https://api.github.com/repositories/1300192/issues?page=515>; rel="last", <https://api.github.com/repositories/1300192/issues?page=1>; rel="first"`,
			"https://api.github.com/repositories/1300192/issues?page=4"},
		{`<https://api.github.com/repositories/1300192/issues?page=515>; rel="last"`, ""},
		{`</items?cursor=abc>;rel=next`, "/items?cursor=abc"},
		{`<https://x/a>; rel="prev next"`, "https://x/a"},
		{`<https://x/a>; title="a, b"; rel="next"`, "https://x/a"},
		{`<https://x/a>; rel="nextish"`, ""},
		{`garbage`, ""},
		{`<unterminated; rel="next"`, ""},
		{``, ""},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.link != "" {
			h.Set("Link", tt.link)
		}
		if got := NextLink(h); got != tt.want {
			t.Errorf("NextLink(%q) = %q, want %q", tt.link, got, tt.want)
		}
	}
}

func TestPagingStyles(t *testing.T) {
	// Redmine: offset 0, 25 got of total 60 → 25; offset 50, 10 got → 60, the end.
	if n, ok := NextOffset(0, 25, 60); n != 25 || !ok {
		t.Errorf("NextOffset(0, 25, 60) = %d, %v", n, ok)
	}
	if _, ok := NextOffset(50, 10, 60); ok {
		t.Error("NextOffset past the total goes on")
	}
	if _, ok := NextOffset(25, 0, 1000); ok {
		t.Error("NextOffset after an empty page goes on")
	}
	// GitLab's X-Next-Page, empty on the last page; RT-style full pages without it.
	if n, ok := NextPage(http.Header{"X-Next-Page": {"3"}}, 2, 100, 100); n != 3 || !ok {
		t.Errorf("NextPage with X-Next-Page 3 = %d, %v", n, ok)
	}
	if _, ok := NextPage(http.Header{"X-Next-Page": {""}}, 2, 100, 100); ok {
		t.Error("NextPage with an empty X-Next-Page goes on")
	}
	if n, ok := NextPage(http.Header{}, 2, 100, 100); n != 3 || !ok {
		t.Errorf("NextPage of a full page = %d, %v", n, ok)
	}
	if _, ok := NextPage(http.Header{}, 2, 100, 40); ok {
		t.Error("NextPage of a short page goes on")
	}
	// Cursors: Jira's isLast, a missing or repeated token.
	if c, ok := Cursor("a", "b", false); c != "b" || !ok {
		t.Errorf("Cursor = %q, %v", c, ok)
	}
	for _, tt := range []struct {
		asked, next string
		last        bool
	}{{"a", "b", true}, {"a", "", false}, {"a", "a", false}} {
		if _, ok := Cursor(tt.asked, tt.next, tt.last); ok {
			t.Errorf("Cursor(%q, %q, %v) goes on", tt.asked, tt.next, tt.last)
		}
	}
}

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		body, ctype, want string
	}{
		{`[{"id": 1}, {"id": 2`, "", "GET /issues: the JSON answer is cut short after 20 bytes (a truncated page)"},
		{`<html>Sign in</html>`, "text/html; charset=utf-8", "GET /issues: the answer is not JSON (byte 1: invalid character '<' looking for beginning of value) (the server sent an HTML page: a login or proxy error page?)"},
		{`{"id": 1}`, "", "GET /issues: the JSON answer is not the shape expected: the document is object where []struct { ID int \"json:\\\"id\\\"\" } was expected"},
		{`[{"id": "x"}]`, "", "GET /issues: the JSON answer is not the shape expected: id is string where int was expected"},
		{``, "", "GET /issues: HTTP 200 with an empty body where JSON was expected"},
		{`[] []`, "", "GET /issues: the answer holds more than one JSON document"},
	}
	for _, tt := range tests {
		r := &Response{Status: 200, Endpoint: "/issues", Body: []byte(tt.body), Header: http.Header{"Content-Type": {tt.ctype}}}
		var out []struct {
			ID int `json:"id"`
		}
		if err := r.DecodeJSON(&out); err == nil || err.Error() != tt.want {
			t.Errorf("DecodeJSON(%q) = %v\nwant %s", tt.body, err, tt.want)
		}
	}
}

func TestReadQuotaAndRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		h       http.Header
		want    quota
		wantSet bool
	}{
		{"github", http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"1772438420"}}, quota{known: true, remaining: 0, reset: now.Add(20 * time.Second)}, true},
		{"gitlab", http.Header{"Ratelimit-Remaining": {"12"}, "Ratelimit-Reset": {"1772438460"}}, quota{known: true, remaining: 12, reset: now.Add(time.Minute)}, true},
		{"gitlab reset time", http.Header{"Ratelimit-Remaining": {"0"}, "Ratelimit-Resettime": {"Mon, 02 Mar 2026 08:00:30 GMT"}}, quota{known: true, reset: now.Add(30 * time.Second)}, true},
		{"ietf delta", http.Header{"Ratelimit-Remaining": {"0"}, "Ratelimit-Reset": {"45"}}, quota{known: true, reset: now.Add(45 * time.Second)}, true},
		{"jira iso", http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"2026-03-02T08:05Z"}}, quota{known: true, reset: now.Add(5 * time.Minute)}, true},
		{"none", http.Header{}, quota{}, false},
		{"garbage", http.Header{"X-Ratelimit-Remaining": {"lots"}, "X-Ratelimit-Reset": {"soon"}}, quota{}, false},
	}
	for _, tt := range tests {
		got := readQuota(tt.h, now)
		if got.known != tt.want.known || got.remaining != tt.want.remaining || !got.reset.Equal(tt.want.reset) {
			t.Errorf("%s: readQuota = %+v, want %+v", tt.name, got, tt.want)
		}
	}
	for _, tt := range []struct {
		v    string
		want time.Duration
		ok   bool
	}{{"120", 2 * time.Minute, true}, {"Mon, 02 Mar 2026 08:01:00 GMT", time.Minute, true}, {"99999999999999999999", maxRetrySeconds * time.Second, true}, {"Mon, 01 MAY 2100 0:00:00 GMT", maxRetrySeconds * time.Second, true}, {"soon", 0, false}, {"-5", 0, false}} {
		got, ok := ParseRetryAfter(tt.v, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.v, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzNextLink feeds the Link parser what a server may send: it must not panic, and what it
// returns must be a target written between angle brackets in the input.
func FuzzNextLink(f *testing.F) {
	for _, s := range []string{`<https://a/b?page=2>; rel="next"`, `<x>; rel=next, <y>; rel="last"`, `<a>; title="x,y"; rel="prev next"`, `<`, `<>;rel=next`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got := NextLink(http.Header{"Link": {v}})
		if got != "" && !containsTarget(v, got) {
			t.Errorf("NextLink(%q) = %q, not a target of the input", v, got)
		}
	})
}

func containsTarget(v, target string) bool {
	for i := 0; i+len(target)+2 <= len(v); i++ {
		if v[i] == '<' && v[i+1:i+1+len(target)] == target && v[i+1+len(target)] == '>' {
			return true
		}
	}
	return false
}

// FuzzRateHeaders feeds the rate-limit and Retry-After parsers arbitrary header values: no
// panic, and no wait that is negative or beyond the cap.
func FuzzRateHeaders(f *testing.F) {
	for _, s := range []string{"0", "1772438420", "45", "2026-03-02T08:05Z", "Mon, 02 Mar 2026 08:00:30 GMT", "1e400", "-1", "NaN"} {
		f.Add(s, s)
	}
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, remaining, reset string) {
		q := readQuota(http.Header{"X-Ratelimit-Remaining": {remaining}, "X-Ratelimit-Reset": {reset}, "Ratelimit-Reset": {reset}}, now)
		if q.known && q.remaining < 0 {
			t.Errorf("negative remaining %d", q.remaining)
		}
		if d, ok := ParseRetryAfter(reset, now); ok && d > maxRetrySeconds*time.Second {
			t.Errorf("Retry-After %q waits %v", reset, d)
		}
	})
}
