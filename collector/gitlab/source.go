// Package gitlab is the gitlab source kind: the issues and incidents of one project on gitlab.com
// or a self-managed GitLab, pulled incrementally through the REST API (v4). Labels give the
// priority, type, group and fields by configurable patterns (scoped labels such as
// severity::1); an incident without a priority label may take it from its severity. Resource
// state events give the closings and reopenings, resource label events the pauses (paused
// labels), and the first note by someone other than the author is the first response.
//
// It is built on collector/apisource: this package is only the endpoints and the mapping.
package gitlab

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// Kind is the gitlab source kind, for the table in collector/sources.
var Kind = collector.Kind{New: New}

// Source syncs one project's issues: Sync fetches the issues updated since the checkpoint.
type Source struct {
	*apisource.Source[issue]
}

var (
	_ collector.Source      = (*Source)(nil)
	_ io.Closer             = (*Source)(nil)
	_ apisource.StatsSource = (*Source)(nil)
	_ apisource.Kind[issue] = (*api)(nil)
)

// New decodes a `gitlab:` block strictly and builds the source. It makes no request.
func New(node *yaml.Node, opts collector.Options) (collector.Source, error) {
	return newSource(node, opts, apisource.Hooks{})
}

func newSource(node *yaml.Node, opts collector.Options, hooks apisource.Hooks) (*Source, error) {
	s, err := compile(node, opts)
	if err != nil {
		return nil, apisource.ScrubConfigError(node, err)
	}
	// The project's path is one URL segment, its slashes escaped (group%2Fname).
	a := &api{s: s, path: "projects/" + url.PathEscape(s.project)}
	return &Source{apisource.NewSource[issue](s.api, a, opts, hooks)}, nil
}

// api is the gitlab kind's side of the driver: its endpoints.
type api struct {
	s    *settings
	path string // projects/{id}, escaped
}

// pageToken is a next page given by X-Next-Page only (no Link header): the listing is asked
// again with page=N.
const pageToken = "page="

// listing is GET /projects/:id/issues, every state, ordered as asked.
func (a *api) listing(orderBy string, since time.Time) apisource.Request {
	q := url.Values{"order_by": {orderBy}, "sort": {"asc"}, "per_page": {strconv.Itoa(a.s.api.PageSize)}, "scope": {"all"}}
	if !since.IsZero() {
		q.Set("updated_after", since.UTC().Format(time.RFC3339))
	}
	if len(a.s.labels) > 0 {
		q.Set("labels", strings.Join(a.s.labels, ","))
	}
	if len(a.s.types) == 1 {
		q.Set("issue_type", a.s.types[0])
	}
	return apisource.Request{Path: a.path + "/issues", Query: q}
}

// get asks req, or the next page of it.
func (a *api) get(s *apisource.Session, req apisource.Request, next string) (*apisource.Response, error) {
	switch {
	case strings.HasPrefix(next, pageToken):
		q := url.Values{}
		for k, v := range req.Query {
			q[k] = v
		}
		q.Set("page", strings.TrimPrefix(next, pageToken))
		req.Query = q
	case next != "":
		req = apisource.Request{Next: next}
	}
	return s.Get(req)
}

// nextOf is the next page of an answer: its Link rel="next", else its X-Next-Page.
func nextOf(resp *apisource.Response, got int) string {
	if l := apisource.NextLink(resp.Header); l != "" {
		return l
	}
	page, _ := strconv.Atoi(resp.Header.Get("X-Page"))
	per, _ := strconv.Atoi(resp.Header.Get("X-Per-Page"))
	if _, ok := resp.Header["X-Next-Page"]; !ok {
		return ""
	}
	if n, ok := apisource.NextPage(resp.Header, page, per, got); ok {
		return pageToken + strconv.Itoa(n)
	}
	return ""
}

// Updated lists the issues updated at or after since, oldest update first.
func (a *api) Updated(s *apisource.Session, since time.Time, next, _ string) (apisource.Page[issue], error) {
	resp, err := a.get(s, a.listing("updated_at", since), next)
	if err != nil {
		return apisource.Page[issue]{}, err
	}
	var list []issue
	if err := resp.DecodeJSON(&list); err != nil {
		return apisource.Page[issue]{}, err
	}
	page := apisource.Page[issue]{Next: nextOf(resp, len(list))}
	for _, is := range list {
		page.Latest = latest(page.Latest, is.UpdatedAt)
		if is.IID <= 0 || !slices.Contains(a.s.types, is.IssueType) {
			continue
		}
		page.Items = append(page.Items, apisource.Item[issue]{ID: a.s.ticketID(is.IID), Updated: is.UpdatedAt, Value: is})
	}
	return page, nil
}

// all reads every page of an issue's sub-resource into out.
func all[T any](a *api, s *apisource.Session, req apisource.Request) ([]T, error) {
	var out []T
	next := ""
	for {
		resp, err := a.get(s, req, next)
		if err != nil {
			return nil, err
		}
		var page []T
		if err := resp.DecodeJSON(&page); err != nil {
			return nil, err
		}
		out = append(out, page...)
		if next = nextOf(resp, len(page)); next == "" {
			return out, nil
		}
	}
}

// Ticket reads an issue's state events, label events (when paused labels are configured) and
// notes (when it has any), and maps it.
func (a *api) Ticket(s *apisource.Session, it apisource.Item[issue]) (ticket.Ticket, *collector.Rejection, error) {
	is := it.Value
	base := a.path + "/issues/" + strconv.Itoa(is.IID)
	per := url.Values{"per_page": {"100"}}
	var d details
	var err error
	gone := func(err error) error {
		if apisource.IsStatus(err, http.StatusNotFound, http.StatusGone) {
			return errors.Join(err, apisource.ErrGone)
		}
		return err
	}
	if d.states, err = all[stateEvent](a, s, apisource.Request{Path: base + "/resource_state_events", Query: per}); err != nil {
		return ticket.Ticket{}, nil, gone(err)
	}
	if a.s.needLabels {
		if d.labels, err = all[labelEvent](a, s, apisource.Request{Path: base + "/resource_label_events", Query: per}); err != nil {
			return ticket.Ticket{}, nil, gone(err)
		}
	}
	if is.UserNotesCount > 0 {
		q := url.Values{"per_page": {"100"}, "sort": {"asc"}, "order_by": {"created_at"}}
		if d.notes, err = all[note](a, s, apisource.Request{Path: base + "/notes", Query: q}); err != nil {
			return ticket.Ticket{}, nil, gone(err)
		}
	}
	t, rej := a.s.mapTicket(&is, d)
	return t, rej, nil
}

// IDs lists every issue in scope, oldest first.
func (a *api) IDs(s *apisource.Session, next string) ([]string, string, error) {
	resp, err := a.get(s, a.listing("created_at", time.Time{}), next)
	if err != nil {
		return nil, "", err
	}
	var list []struct {
		IID       int    `json:"iid"`
		IssueType string `json:"issue_type"`
	}
	if err := resp.DecodeJSON(&list); err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(list))
	for _, is := range list {
		if is.IID > 0 && slices.Contains(a.s.types, is.IssueType) {
			ids = append(ids, a.s.ticketID(is.IID))
		}
	}
	return ids, nextOf(resp, len(list)), nil
}
