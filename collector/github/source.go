// Package github is the github source kind: the issues of one repository on github.com or a
// GitHub Enterprise Server, pulled incrementally through the REST API, pull requests left out.
// Labels give the priority, type, group and fields by configurable patterns (priority/P1); the
// issue's timeline gives the status history (closed, reopened, and paused labels) and the first
// response (the first comment by someone other than the author).
//
// It is built on collector/apisource: this package is only the endpoints and the mapping.
package github

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// Kind is the github source kind, for the table in collector/sources.
var Kind = collector.Kind{New: New}

// Source syncs one repository's issues: Sync fetches the issues updated since the checkpoint.
type Source struct {
	*apisource.Source[issue]
}

var (
	_ collector.Source      = (*Source)(nil)
	_ io.Closer             = (*Source)(nil)
	_ apisource.StatsSource = (*Source)(nil)
	_ apisource.Kind[issue] = (*api)(nil)
)

// New decodes a `github:` block strictly and builds the source. It makes no request: a
// configuration can be checked without reaching GitHub.
func New(node *yaml.Node, opts collector.Options) (collector.Source, error) {
	return newSource(node, opts, apisource.Hooks{})
}

func newSource(node *yaml.Node, opts collector.Options, hooks apisource.Hooks) (*Source, error) {
	s, err := compile(node, opts)
	if err != nil {
		return nil, apisource.ScrubConfigError(node, err)
	}
	owner, name, _ := strings.Cut(s.repo, "/")
	a := &api{s: s, path: "repos/" + url.PathEscape(owner) + "/" + url.PathEscape(name)}
	return &Source{apisource.NewSource[issue](s.api, a, opts, hooks)}, nil
}

// api is the github kind's side of the driver: its endpoints.
type api struct {
	s    *settings
	path string // repos/{owner}/{repo}, escaped
}

// headers asks for the documented media type and API version.
var headers = http.Header{"Accept": {"application/vnd.github+json"}, "X-Github-Api-Version": {"2022-11-28"}}

// listing is GET /repos/{owner}/{repo}/issues with every state, sorted as asked.
func (a *api) listing(sort string, since time.Time) apisource.Request {
	q := url.Values{"state": {"all"}, "sort": {sort}, "direction": {"asc"}, "per_page": {strconv.Itoa(a.s.api.PageSize)}}
	if !since.IsZero() {
		q.Set("since", since.UTC().Format(time.RFC3339))
	}
	if len(a.s.labels) > 0 {
		q.Set("labels", strings.Join(a.s.labels, ","))
	}
	return apisource.Request{Path: a.path + "/issues", Query: q, Header: headers}
}

func (a *api) get(s *apisource.Session, req apisource.Request, next string) (*apisource.Response, error) {
	if next != "" {
		req = apisource.Request{Next: next, Header: headers}
	}
	return s.Get(req)
}

// Updated lists the issues updated at or after since, oldest update first.
func (a *api) Updated(s *apisource.Session, since time.Time, next, etag string) (apisource.Page[issue], error) {
	req := a.listing("updated", since)
	req.ETag = etag
	resp, err := a.get(s, req, next)
	if err != nil {
		return apisource.Page[issue]{}, err
	}
	if resp.NotModified {
		return apisource.Page[issue]{NotModified: true}, nil
	}
	var list []issue
	if err := resp.DecodeJSON(&list); err != nil {
		return apisource.Page[issue]{}, err
	}
	page := apisource.Page[issue]{Next: apisource.NextLink(resp.Header), ETag: resp.Header.Get("ETag")}
	for _, is := range list {
		page.Latest = latest(page.Latest, is.UpdatedAt)
		if is.PullRequest != nil || is.Number <= 0 {
			continue
		}
		page.Items = append(page.Items, apisource.Item[issue]{ID: ticketID(a.s.repo, is.Number), Updated: is.UpdatedAt, Value: is})
	}
	return page, nil
}

// Ticket reads an issue's timeline, a page at a time, and maps the issue.
func (a *api) Ticket(s *apisource.Session, it apisource.Item[issue]) (ticket.Ticket, *collector.Rejection, error) {
	is := it.Value
	req := apisource.Request{Path: a.path + "/issues/" + strconv.Itoa(is.Number) + "/timeline",
		Query: url.Values{"per_page": {"100"}}, Header: headers}
	var timeline []event
	next := ""
	for {
		resp, err := a.get(s, req, next)
		if apisource.IsStatus(err, http.StatusNotFound, http.StatusGone) {
			return ticket.Ticket{}, nil, errors.Join(err, apisource.ErrGone)
		}
		if err != nil {
			return ticket.Ticket{}, nil, err
		}
		var page []event
		if err := resp.DecodeJSON(&page); err != nil {
			return ticket.Ticket{}, nil, err
		}
		timeline = append(timeline, page...)
		if next = apisource.NextLink(resp.Header); next == "" {
			break
		}
	}
	t, rej := a.s.mapTicket(&is, timeline)
	return t, rej, nil
}

// IDs lists every issue in scope, oldest first (so that an issue created meanwhile lands on the
// last page rather than shifting the others).
func (a *api) IDs(s *apisource.Session, next string) ([]string, string, error) {
	resp, err := a.get(s, a.listing("created", time.Time{}), next)
	if err != nil {
		return nil, "", err
	}
	var list []struct {
		Number      int             `json:"number"`
		PullRequest json.RawMessage `json:"pull_request"`
	}
	if err := resp.DecodeJSON(&list); err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(list))
	for _, is := range list {
		if is.PullRequest == nil && is.Number > 0 {
			ids = append(ids, ticketID(a.s.repo, is.Number))
		}
	}
	return ids, apisource.NextLink(resp.Header), nil
}
