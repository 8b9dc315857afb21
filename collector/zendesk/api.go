package zendesk

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// This file is Zendesk's endpoints, the zendesk kind's side of apisource.Driver: the
// incremental cursor export (Updated, IDs), a ticket's audits (Ticket), and once per source
// the SLA policies. The mapping is in mapping.go and native.go.

// Endpoints, under the account's address.
const (
	exportPath   = "api/v2/incremental/tickets/cursor.json"
	policiesPath = "api/v2/slas/policies.json"
)

// auditsPerPage is the most a page of audits holds; maxAuditPages bounds one ticket's audits
// (100,000) so that a server paging wrong cannot loop the sync.
const (
	auditsPerPage = 100
	maxAuditPages = 1000
)

// entry is a ticket of the export, decoded as far as paging needs; the rest is decoded when it
// maps, so that one bad ticket is one rejection, not a failed page.
type entry struct {
	raw    json.RawMessage
	id     int64
	status string
	// asOf is when Zendesk answered (the page's Date): the time its slas were computed at.
	asOf time.Time
}

// exportPage is a page of the cursor export.
type exportPage struct {
	Tickets     []json.RawMessage `json:"tickets"`
	AfterCursor *string           `json:"after_cursor"`
	EndOfStream bool              `json:"end_of_stream"`
}

// api is the zendesk kind's side of the driver.
type api struct {
	p      *plan
	logger *slog.Logger
	now    func() time.Time
	// policiesRead is set once the SLA policies were read (or found unavailable).
	policiesRead bool
}

// exportRequest is a page of the export: after the cursor, else from start_time; with the
// slas sideload when the listing is for tickets (not ids).
func (a *api) exportRequest(since time.Time, cursor string, slas bool) apisource.Request {
	q := url.Values{"per_page": {strconv.Itoa(a.p.api.PageSize)}}
	if slas {
		q.Set("include", "slas")
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	} else {
		// "start_time must be at least one minute in the past": a watermark that recent (a
		// clock ahead of Zendesk's) is asked a little earlier, which only lists again.
		st := since.Unix()
		if since.IsZero() {
			st = 0
		}
		q.Set("start_time", strconv.FormatInt(min(st, a.now().Add(-61*time.Second).Unix()), 10))
	}
	return apisource.Request{Path: exportPath, Query: q, Limiter: a.p.incremental}
}

// readExport reads a page of the export.
func readExport(resp *apisource.Response) (exportPage, error) {
	var pg exportPage
	if err := resp.DecodeJSON(&pg); err != nil {
		return exportPage{}, err
	}
	return pg, nil
}

// head is what paging needs of a ticket.
type head struct {
	ID                 int64  `json:"id"`
	Status             string `json:"status"`
	GeneratedTimestamp int64  `json:"generated_timestamp"`
}

// Updated lists the tickets changed after the export's cursor (from since on, on a first sync),
// in the export's order, generated_timestamp: the time every update moves, system updates
// included.
func (a *api) Updated(s *apisource.Session, since time.Time, next, _ string) (apisource.Page[entry], error) {
	if !a.policiesRead {
		a.readPolicies(s)
	}
	resp, err := s.Get(a.exportRequest(since, next, true))
	if err != nil {
		return apisource.Page[entry]{}, err
	}
	pg, err := readExport(resp)
	if err != nil {
		return apisource.Page[entry]{}, err
	}
	asOf := a.now()
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		asOf = d
	}
	var page apisource.Page[entry]
	for i, raw := range pg.Tickets {
		var h head
		if err := json.Unmarshal(raw, &h); err != nil || h.ID <= 0 {
			// Without an id the ticket cannot be named, nor skipped safely: the page is wrong.
			return apisource.Page[entry]{}, fmt.Errorf("GET %s: ticket %d of the page has no valid id", resp.Endpoint, i+1)
		}
		at := time.Unix(h.GeneratedTimestamp, 0).UTC()
		if at.After(page.Latest) {
			page.Latest = at
		}
		page.Items = append(page.Items, apisource.Item[entry]{ID: strconv.FormatInt(h.ID, 10), Updated: at,
			Value: entry{raw: raw, id: h.ID, status: strings.ToLower(h.Status), asOf: asOf}})
	}
	if pg.AfterCursor != nil {
		page.Resume = *pg.AfterCursor
		page.Next, _ = apisource.Cursor(next, *pg.AfterCursor, pg.EndOfStream)
	}
	return page, nil
}

// errDeleted is a ticket the export lists as deleted.
var errDeleted = fmt.Errorf("the export lists it as deleted: %w", apisource.ErrGone)

// auditsPage is a page of a ticket's audits, cursor paginated.
type auditsPage struct {
	Audits []zdAudit `json:"audits"`
	Users  []zdUser  `json:"users"`
	Meta   struct {
		HasMore     bool   `json:"has_more"`
		AfterCursor string `json:"after_cursor"`
	} `json:"meta"`
	Links struct {
		Next string `json:"next"`
	} `json:"links"`
}

// Ticket reads a ticket's audits, a page at a time with the users sideload, and maps it. A
// ticket the export lists as deleted is dropped without a request.
func (a *api) Ticket(s *apisource.Session, it apisource.Item[entry]) (ticket.Ticket, *collector.Rejection, error) {
	e := it.Value
	if e.status == "deleted" {
		return ticket.Ticket{}, nil, errDeleted
	}
	var zt zdTicket
	if err := json.Unmarshal(e.raw, &zt); err != nil {
		return ticket.Ticket{}, reject("the ticket is not the shape expected", "the ticket is not the shape expected: %s", shapeError(err)).at(it.ID), nil
	}
	req := apisource.Request{Path: fmt.Sprintf("api/v2/tickets/%d/audits.json", e.id),
		Query: url.Values{"page[size]": {strconv.Itoa(auditsPerPage)}, "include": {"users"}}}
	var (
		audits []zdAudit
		users  []zdUser
		asked  string
	)
	for range maxAuditPages {
		resp, err := s.Get(req)
		if apisource.IsStatus(err, http.StatusNotFound, http.StatusGone) {
			return ticket.Ticket{}, nil, errors.Join(err, apisource.ErrGone)
		}
		if err != nil {
			return ticket.Ticket{}, nil, err
		}
		var pg auditsPage
		if err := resp.DecodeJSON(&pg); err != nil {
			return ticket.Ticket{}, nil, err
		}
		audits, users = append(audits, pg.Audits...), append(users, pg.Users...)
		next, more := apisource.Cursor(asked, pg.Meta.AfterCursor, !pg.Meta.HasMore)
		if !more {
			t, rj := a.p.mapTicket(&zt, audits, users, e.asOf)
			if rj != nil {
				return ticket.Ticket{}, rj.at(it.ID), nil
			}
			return t, nil, nil
		}
		asked = next
		if pg.Links.Next != "" {
			req = apisource.Request{Next: pg.Links.Next}
		} else {
			req.Query.Set("page[after]", next)
		}
	}
	return ticket.Ticket{}, nil, fmt.Errorf("ticket %s: more than %d pages of audits", it.ID, maxAuditPages)
}

// shapeError says what was wrong with a ticket's JSON without quoting it.
func shapeError(err error) string {
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		return fmt.Sprintf("%s is %s where %s was expected", te.Field, te.Value, te.Type)
	}
	return "not JSON"
}

// IDs lists the ids of the tickets not deleted, by the export from the start (which, unlike the
// ticket list, holds archived tickets too), without sideloads.
func (a *api) IDs(s *apisource.Session, next string) ([]string, string, error) {
	resp, err := s.Get(a.exportRequest(time.Time{}, next, false))
	if err != nil {
		return nil, "", err
	}
	pg, err := readExport(resp)
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(pg.Tickets))
	for _, raw := range pg.Tickets {
		var h head
		if json.Unmarshal(raw, &h) == nil && h.ID > 0 && !strings.EqualFold(h.Status, "deleted") {
			ids = append(ids, strconv.FormatInt(h.ID, 10))
		}
	}
	nx := ""
	if pg.AfterCursor != nil {
		nx, _ = apisource.Cursor(next, *pg.AfterCursor, pg.EndOfStream)
	}
	return ids, nx, nil
}

// readPolicies reads the account's SLA policies once, to say which metrics they measure and
// warn of a native_slas metric none does (whose import would stay empty). A plan without SLA
// policies answers 403 or 404: no native state then. Any other failure only postpones this.
func (a *api) readPolicies(s *apisource.Session) {
	resp, err := s.Get(apisource.Request{Path: policiesPath})
	switch {
	case apisource.IsStatus(err, http.StatusForbidden, http.StatusNotFound):
		a.policiesRead = true
		a.logger.Warn("the account has no SLA policies to read (a plan without them?): no native SLA state is imported", "err", err)
		return
	case err != nil:
		a.logger.Warn("the SLA policies could not be read; trying again next sync", "err", err)
		return
	}
	var body struct {
		Policies []struct {
			Title   string `json:"title"`
			Metrics []struct {
				Metric string `json:"metric"`
			} `json:"policy_metrics"`
		} `json:"sla_policies"`
	}
	if err := resp.DecodeJSON(&body); err != nil {
		a.logger.Warn("the SLA policies could not be read; trying again next sync", "err", err)
		return
	}
	a.policiesRead = true
	measured := map[string]bool{}
	for _, p := range body.Policies {
		for _, m := range p.Metrics {
			measured[m.Metric] = true
		}
	}
	a.logger.Info("SLA policies read", "policies", len(body.Policies), "metrics", slices.Sorted(maps.Keys(measured)))
	for _, m := range slices.Sorted(maps.Keys(a.p.clockOf)) {
		if !measured[m] {
			a.logger.Warn("native_slas maps a metric no SLA policy measures: it is never imported", "metric", m, "clock", a.p.clockOf[m])
		}
	}
}
