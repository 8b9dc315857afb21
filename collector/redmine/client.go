package redmine

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/config"

	"github.com/sla-exporter/sla_exporter/collector"
)

// Redmine's endpoints and their paging: the only file that makes requests. What the answers
// mean is mapping.go's business.

// maxBody bounds one answer: a page of 100 issues is some 200 KiB, an issue with a long history
// a few MiB.
const maxBody = 64 << 20

// client calls one Redmine's REST API.
type client struct {
	plan *plan
	http *http.Client
	now  func() time.Time
	// secrets are the credentials of http_client_config, replaced in anything quoted from an
	// answer.
	secrets []string
}

// answer is a successful answer: its body and when the server says it was made.
type answer struct {
	body []byte
	date time.Time
}

// get GETs path (below the base URL) with the query, and returns the answer of a 200.
func (c *client) get(ctx context.Context, path string, q url.Values) (answer, error) {
	u := *c.plan.base
	u.Path += path
	if u.RawPath != "" {
		u.RawPath += path
	}
	u.RawQuery = q.Encode()
	shown := c.describe(path, q)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return answer{}, fmt.Errorf("GET %s: cannot build the request", shown)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return answer{}, fmt.Errorf("GET %s: %w", shown, cerr)
		}
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err // its message repeats the full URL
		}
		return answer{}, fmt.Errorf("GET %s: %w", shown, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return answer{}, fmt.Errorf("GET %s: %w", shown, cerr)
		}
		return answer{}, fmt.Errorf("GET %s: reading the answer: %w", shown, err)
	}
	if len(body) > maxBody {
		return answer{}, fmt.Errorf("GET %s: the answer is larger than %d MiB", shown, maxBody>>20)
	}
	if resp.StatusCode != http.StatusOK {
		return answer{}, c.statusError(shown, path, q, resp, body)
	}
	if isHTML(resp) {
		return answer{}, fmt.Errorf("GET %s: the server sent an HTML page, not JSON: is url Redmine's base URL?", shown)
	}
	a := answer{body: body, date: c.now()}
	if t, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		a.date = t
	}
	return a, nil
}

// describe is a request as errors show it: the URL, its query unescaped. Nothing in it is
// secret: the configuration refuses a URL with user information or a query, and the key travels
// in a header. The query says which page failed.
func (c *client) describe(path string, q url.Values) string {
	shown := c.plan.display + path
	if len(q) > 0 {
		raw := q.Encode()
		unescaped, err := url.QueryUnescape(raw)
		if err != nil {
			unescaped = raw
		}
		shown += "?" + unescaped
	}
	return shown
}

func isHTML(resp *http.Response) bool {
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return mt == "text/html" || mt == "application/xhtml+xml"
}

// statusError words an answer other than 200: the status, what it likely means here, and
// Redmine's own error messages when it sent some.
func (c *client) statusError(shown, path string, q url.Values, resp *http.Response, body []byte) error {
	code := resp.StatusCode
	msg := fmt.Sprintf("GET %s: HTTP %d %s", shown, code, http.StatusText(code))
	switch {
	case code == http.StatusUnauthorized:
		msg += " (Redmine refused the credentials, or got none: check the X-Redmine-API-Key header or basic_auth in http_client_config)"
	case code == http.StatusForbidden:
		msg += " (the credentials' user may not do this: it needs the View issues permission in each project)"
	case code == http.StatusNotFound && q.Get("project_id") != "":
		msg += fmt.Sprintf(" (no project %q, or the credentials' user cannot see it: check projects)", q.Get("project_id"))
	case code == http.StatusNotFound && path == "/issue_statuses.json":
		msg += " (is url Redmine's base URL?)"
	}
	var doc struct {
		Errors []string `json:"errors"`
	}
	if json.Unmarshal(body, &doc) == nil && len(doc.Errors) > 0 {
		msg += ": " + c.scrub(strconv.Quote(strings.Join(doc.Errors, "; ")))
	}
	err := &statusError{code: code, msg: msg}
	if code != http.StatusTooManyRequests && code != http.StatusServiceUnavailable {
		return err
	}
	// Redmine itself does not limit rates; a proxy in front of it may.
	if secs, perr := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); perr == nil && secs > 0 {
		return &collector.RetryAfterError{After: time.Duration(secs) * time.Second, Err: err}
	}
	return err
}

// statusError is an answer other than 200.
type statusError struct {
	code int
	msg  string
}

func (e *statusError) Error() string { return e.msg }

// scrub replaces the credentials in s.
func (c *client) scrub(s string) string {
	for _, secret := range c.secrets {
		s = strings.ReplaceAll(s, secret, "<secret>")
	}
	return s
}

// secretsOf lists the credentials http_client_config holds, inline or in files (read now), longest
// first so that one containing another is replaced whole.
func secretsOf(hc *config.HTTPClientConfig) []string {
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(s); len(s) >= 4 {
			out = append(out, s)
		}
	}
	file := func(path string) {
		if path == "" {
			return
		}
		f, err := os.Open(path)
		if err != nil {
			return
		}
		defer f.Close()
		if b, err := io.ReadAll(io.LimitReader(f, 64<<10)); err == nil {
			add(string(b))
		}
	}
	if b := hc.BasicAuth; b != nil {
		add(string(b.Password))
		file(b.PasswordFile)
	}
	if a := hc.Authorization; a != nil {
		add(string(a.Credentials))
		file(a.CredentialsFile)
	}
	add(string(hc.BearerToken))
	file(hc.BearerTokenFile)
	if o := hc.OAuth2; o != nil {
		add(string(o.ClientSecret))
		file(o.ClientSecretFile)
	}
	if h := hc.HTTPHeaders; h != nil {
		for _, v := range h.Headers {
			for _, s := range v.Secrets {
				add(string(s))
			}
			for _, f := range v.Files {
				file(f)
			}
		}
	}
	slices.SortFunc(out, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	return slices.Compact(out)
}

// statuses is GET /issue_statuses.json.
func (c *client) statuses(ctx context.Context) (statusSet, error) {
	a, err := c.get(ctx, "/issue_statuses.json", nil)
	if err != nil {
		return nil, err
	}
	set, err := decodeStatuses(a.body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", c.describe("/issue_statuses.json", nil), err)
	}
	return set, nil
}

// errGone is an issue deleted (or moved out of sight) between its listing and its fetch.
var errGone = errors.New("the issue is gone")

// issue is GET /issues/{id}.json?include=journals: one issue with its whole history.
func (c *client) issue(ctx context.Context, id int) (json.RawMessage, error) {
	path := "/issues/" + strconv.Itoa(id) + ".json"
	q := url.Values{"include": {"journals"}}
	a, err := c.get(ctx, path, q)
	if se, ok := errors.AsType[*statusError](err); ok && se.code == http.StatusNotFound {
		return nil, errGone
	}
	if err != nil {
		return nil, err
	}
	var doc issueDoc
	if err := json.Unmarshal(a.body, &doc); err != nil || len(doc.Issue) == 0 {
		if err == nil {
			err = errors.New("no issue key")
		}
		return nil, fmt.Errorf("GET %s: not an issue: %w", c.describe(path, q), err)
	}
	return doc.Issue, nil
}

// listed is one item of a list page: the raw issue, with the id and update time read from it
// (zero when they do not read).
type listed struct {
	raw     json.RawMessage
	id      int
	updated string
	// date is when the server made the page.
	date time.Time
}

// listUpdated calls fn with each issue of project updated at or after since (every issue when
// since is zero), in order of update, then id. fn reports whether the issue was new to this
// listing.
//
// Paging is keyset on updated_on, with offsets only within one second: each page asks for issues
// updated since the last one the previous page held, so that an issue updated while the pages
// are read (which moves it to the end) does not shift the pages and hide another. Redmine's
// filter has second precision and ">=" keeps the second before as well, so a page repeats the
// last few issues of the one before: fn sees them again and says they are not new. When a whole
// page shares one second, the next one steps by offset instead.
func (c *client) listUpdated(ctx context.Context, project string, since time.Time, fn func(listed) (bool, error)) error {
	limit := c.plan.pageSize
	from, offset := since, 0
	for {
		q := url.Values{
			"project_id": {project},
			"status_id":  {"*"}, // every status: Redmine lists open issues only by default
			"sort":       {"updated_on:asc,id:asc"},
			"limit":      {strconv.Itoa(limit)},
			"offset":     {strconv.Itoa(offset)},
		}
		if !from.IsZero() {
			q.Set("updated_on", ">="+from.UTC().Format("2006-01-02T15:04:05Z"))
		}
		a, err := c.get(ctx, "/issues.json", q)
		if err != nil {
			return err
		}
		var page issuePage
		if err := json.Unmarshal(a.body, &page); err != nil {
			return fmt.Errorf("GET %s: not a page of issues: %w", c.describe("/issues.json", q), err)
		}
		if page.Issues == nil {
			// Not an empty page, which Redmine writes "issues": []: a proxy's or a plugin's answer.
			return fmt.Errorf("GET %s: not a page of issues: no issues key", c.describe("/issues.json", q))
		}
		fresh := 0
		var last time.Time
		for _, raw := range page.Issues {
			var head struct {
				ID        int    `json:"id"`
				UpdatedOn string `json:"updated_on"`
			}
			it := listed{raw: raw, date: a.date}
			if json.Unmarshal(raw, &head) == nil {
				it.id, it.updated = head.ID, head.UpdatedOn
			} else {
				it.id = issueID(raw)
			}
			isNew, err := fn(it)
			if err != nil {
				return err
			}
			if isNew {
				fresh++
			}
			if t, err := time.Parse(time.RFC3339, it.updated); err == nil {
				last = t
			}
		}
		if len(page.Issues) < limit || (page.TotalCount > 0 && offset+len(page.Issues) >= page.TotalCount) {
			return nil
		}
		switch {
		case last.After(from):
			from, offset = last, 0
		case offset > 0 && fresh == 0:
			// A full page of issues already seen, at an offset: the server does not page.
			return fmt.Errorf("GET %s: the page repeats issues already read: the server ignores offset", c.describe("/issues.json", q))
		default:
			offset += len(page.Issues)
		}
	}
}
