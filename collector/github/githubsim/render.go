package githubsim

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// page reads page and per_page (default 30, at most 100) and cuts items.
func page[T any](q url.Values, items []T) ([]T, int, int, int) {
	per, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || per < 1 {
		per = 30
	}
	per = min(per, 100)
	p, err := strconv.Atoi(q.Get("page"))
	if err != nil || p < 1 {
		p = 1
	}
	last := max((len(items)+per-1)/per, 1)
	from := min((p-1)*per, len(items))
	to := min(from+per, len(items))
	return items[from:to], p, per, last
}

// links is the Link header of page p of last, per_page kept, as GitHub writes it.
func (s *Server) links(r *http.Request, p, last int) string {
	at := func(n int) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(n))
		return "<" + s.URL + r.URL.Path + "?" + q.Encode() + ">"
	}
	var parts []string
	if p > 1 {
		parts = append(parts, at(p-1)+`; rel="prev"`)
	}
	if p < last {
		parts = append(parts, at(p+1)+`; rel="next"`, at(last)+`; rel="last"`)
	}
	if p > 1 {
		parts = append(parts, at(1)+`; rel="first"`)
	}
	return strings.Join(parts, ", ")
}

func hasAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

func stamp(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

func (s *Server) userJSON(u User) map[string]any {
	typ := "User"
	if u.Bot {
		typ = "Bot"
	}
	return map[string]any{"login": u.Login, "id": len(u.Login), "type": typ, "site_admin": false,
		"url": s.URL + s.prefix + "/users/" + u.Login}
}

func (s *Server) labelJSON(name string) map[string]any {
	return map[string]any{"id": len(name), "name": name, "color": "ededed", "default": false, "description": nil}
}

// issueJSON is an issue as the listing shows it (list-repository-issues' response schema).
func (s *Server) issueJSON(is *Issue) map[string]any {
	base := s.URL + s.prefix + "/repos/" + s.owner + "/" + s.repo
	labels := make([]any, 0, len(is.Labels))
	for _, l := range is.Labels {
		labels = append(labels, s.labelJSON(l))
	}
	assignees := make([]any, 0, len(is.Assignees))
	for _, a := range is.Assignees {
		assignees = append(assignees, s.userJSON(User{Login: a}))
	}
	var milestone any
	if is.Milestone != "" {
		milestone = map[string]any{"title": is.Milestone, "number": 1, "state": "open"}
	}
	var stateReason any
	if is.StateReason != "" {
		stateReason = is.StateReason
	}
	m := map[string]any{
		"id": 1000000 + is.Number, "node_id": "I_kwDO" + strconv.Itoa(is.Number), "number": is.Number,
		"url": base + "/issues/" + strconv.Itoa(is.Number), "html_url": "https://github.com/" + s.owner + "/" + s.repo + "/issues/" + strconv.Itoa(is.Number),
		"title": is.Title, "body": "", "user": s.userJSON(is.Author), "labels": labels, "assignees": assignees,
		"milestone": milestone, "state": is.State, "state_reason": stateReason, "locked": false,
		"comments": len(is.Comments), "created_at": stamp(is.Created), "updated_at": stamp(is.Updated),
		"closed_at": stamp(is.Closed), "author_association": "NONE",
	}
	if len(assignees) > 0 {
		m["assignee"] = assignees[0]
	}
	if is.PullRequest {
		m["pull_request"] = map[string]any{"url": base + "/pulls/" + strconv.Itoa(is.Number), "merged_at": nil}
	}
	return m
}

// timeline serves an issue's timeline, paged like the listing. Callers hold mu.
func (s *Server) timeline(r *http.Request, is *Issue) ([]map[string]any, string) {
	type entry struct {
		at time.Time
		m  map[string]any
	}
	var all []entry
	for i, c := range is.Comments {
		all = append(all, entry{c.At, map[string]any{
			"event": "commented", "id": 5000 + i, "actor": s.userJSON(c.User), "user": s.userJSON(c.User),
			"author_association": c.Association, "body": c.Body, "created_at": stamp(c.At), "updated_at": stamp(c.At),
		}})
	}
	for i, e := range is.Events {
		m := map[string]any{"event": e.Kind, "id": 9000 + i, "actor": s.userJSON(e.Actor), "created_at": stamp(e.At), "commit_id": nil}
		switch e.Kind {
		case "labeled", "unlabeled":
			m["label"] = map[string]any{"name": e.Label, "color": "ededed"}
		case "closed":
			m["state_reason"] = e.StateReason
		}
		all = append(all, entry{e.At, m})
	}
	slices.SortStableFunc(all, func(a, b entry) int { return a.at.Compare(b.at) })
	items, p, _, last := page(r.URL.Query(), all)
	out := make([]map[string]any, 0, len(items))
	for _, e := range items {
		out = append(out, e.m)
	}
	return out, s.links(r, p, last)
}
