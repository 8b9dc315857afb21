package apisource

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// Item is one entry of an "updated since" listing.
type Item[T any] struct {
	// ID is the ticket's id as the source publishes it ("acme/app#12").
	ID string
	// Updated is the entry's last update time, the key of the watermark and of de-duplication.
	Updated time.Time
	// Value is what the kind decoded of the entry.
	Value T
}

// Page is one page of a listing.
type Page[T any] struct {
	Items []Item[T]
	// Latest is the latest update time on the page, entries the kind left out (pull requests)
	// included, so that the watermark moves past them.
	Latest time.Time
	// Next continues the listing: a URL, an offset, a cursor; "" on the last page.
	Next string
	// ETag is the answer's, for a conditional request next time; NotModified says the request's
	// ETag matched (the page is then empty).
	ETag        string
	NotModified bool
	// Resume, when the API gives one, is a position that a later listing resumes from, after
	// this page, even once the listing has ended (Zendesk's after_cursor). The driver keeps that
	// of the last page read whole in the checkpoint and starts the next sync there (as the
	// first page's next) instead of from the watermark less the overlap, and follows Next
	// rather than asking afresh by update time: the API's cursor already accounts for entries
	// updated while the listing is read.
	Resume string
}

// Kind is what a kind supplies to the Driver: its endpoints and its mapping.
type Kind[T any] interface {
	// Updated lists the entries updated at or after since (every entry when since is zero),
	// oldest update first, a page at a time: next is "" for the first page, else the Next of
	// the page before. etag, when not empty, is the ETag of an earlier answer to the same
	// first page: send it as Request.ETag, and answer NotModified on a 304.
	Updated(s *Session, since time.Time, next, etag string) (Page[T], error)
	// Ticket builds an entry's ticket, fetching what else it needs (status history, comments).
	// An entry the mapping refuses is a Rejection, not an error. An error wrapping ErrGone
	// drops the ticket: the entry went away between the listing and the fetch.
	Ticket(s *Session, it Item[T]) (ticket.Ticket, *collector.Rejection, error)
	// IDs lists the id of every ticket in scope, a page at a time (next as for Updated), for
	// the reconciliation.
	IDs(s *Session, next string) (ids []string, nextOut string, err error)
}

// ErrGone is wrapped by Kind.Ticket's error for an entry that no longer exists (HTTP 404, 410).
var ErrGone = errors.New("the ticket no longer exists")

// Driver runs the incremental syncs of one source. Its checkpoint is a watermark (the latest
// update time read, on whole pages only) with the ids seen within the overlap before it, when
// the listing was last read to its end and when the ids were last reconciled.
type Driver[T any] struct {
	Settings *Settings
	Client   *Client
	Kind     Kind[T]
	Logger   *slog.Logger
	Now      func() time.Time
}

// checkpointVersion is the checkpoint's format; another one starts over.
const checkpointVersion = 1

// maxSeen bounds the ids kept for de-duplication; beyond it the oldest go (which costs only a
// fetch again).
const maxSeen = 100_000

// state is the checkpoint, as JSON so that an operator can read it in the store.
type state struct {
	V int `json:"v"`
	// Watermark is the latest update time of the pages read whole.
	Watermark time.Time `json:"watermark,omitzero"`
	// Seen maps the ids returned with an update time at or after Watermark − overlap (and those
	// of a page cut short, past it) to that time: an entry listed again unchanged is not fetched
	// again.
	Seen map[string]time.Time `json:"seen,omitempty"`
	// ETag is the answer to the first page listed from ETagSince, when that page was the whole
	// listing: asked again with If-None-Match, an unchanged listing costs a 304.
	ETag      string    `json:"etag,omitempty"`
	ETagSince time.Time `json:"etag_since,omitzero"`
	// Complete says a listing was once read to its end: reconciliations start after that.
	Complete   bool      `json:"complete,omitempty"`
	Reconciled time.Time `json:"reconciled,omitzero"`
	// Cursor is the Resume of the last page read whole, where the next listing starts.
	Cursor string `json:"cursor,omitempty"`
}

func parseState(cp []byte) state {
	var st state
	if len(cp) > 0 && json.Unmarshal(cp, &st) == nil && st.V == checkpointVersion {
		if st.Seen == nil {
			st.Seen = map[string]time.Time{}
		}
		return st
	}
	return state{V: checkpointVersion, Seen: map[string]time.Time{}}
}

func (st *state) encode() []byte {
	out, err := json.Marshal(st)
	if err != nil { // a map of strings to times always marshals
		panic(err)
	}
	return out
}

// prune drops the seen entries older than the overlap before the watermark, and the oldest
// beyond maxSeen.
func (st *state) prune(overlap time.Duration) {
	floor := st.Watermark.Add(-overlap)
	maps.DeleteFunc(st.Seen, func(_ string, t time.Time) bool { return t.Before(floor) })
	if len(st.Seen) <= maxSeen {
		return
	}
	times := slices.SortedFunc(maps.Values(st.Seen), func(a, b time.Time) int { return b.Compare(a) })
	cut := times[maxSeen-1]
	maps.DeleteFunc(st.Seen, func(_ string, t time.Time) bool { return t.Before(cut) })
}

// Sync fetches what changed since the checkpoint. A reconciliation, when due, lists every id in
// scope first. The sync stops early, returning what is complete and a checkpoint resuming after
// it, when the cap on requests, the sync's time or the server's rate limit says so; More then
// asks the runner to go on at once unless the server is what held it back. Nothing is returned
// with an error.
func (d *Driver[T]) Sync(ctx context.Context, cp []byte) (collector.Batch, error) {
	st := parseState(cp)
	// What the checkpoint encodes before the sync: on a first sync (cp nil) the encoded empty
	// state differs from cp, which must not count as progress.
	initial := st.encode()
	start := d.Now()
	var b collector.Batch
	var stop *StopError

	if st.Complete && d.Settings.Reconcile > 0 && start.Sub(st.Reconciled) >= d.Settings.Reconcile {
		// Its own session: the listing of every id may take as many requests as a sync.
		ids, err := d.listIDs(d.Client.Session(ctx))
		switch {
		case err == nil:
			b.Reconciled, b.Present, st.Reconciled = true, ids, start
			d.Client.updateStats(func(s *Stats) { s.LastReconcile, s.ReconciledIDs = start, len(ids) })
			d.Logger.Info("reconciliation listed the ids in scope", "ids", len(ids))
		case errors.As(err, &stop):
			d.Logger.Warn("reconciliation postponed: the listing of every id did not finish", "reason", stop.Error(),
				"hint", "raise max_requests_per_sync or the source's timeout if this repeats")
			if !stop.RetryAt.IsZero() {
				return collector.Batch{}, d.retryLater(stop)
			}
			stop = nil
		default:
			return collector.Batch{}, d.fail(ctx, err)
		}
	}

	sess := d.Client.Session(ctx)
	pages, err := d.incremental(sess, &st, &b)
	if err != nil && !errors.As(err, &stop) {
		return collector.Batch{}, d.fail(ctx, err)
	}
	if st.Complete && st.Reconciled.IsZero() {
		st.Reconciled = start // a listing read to its end is a reconciliation of its own
	}
	b.Checkpoint = st.encode()
	if stop != nil {
		progressed := len(b.Tickets) > 0 || len(b.Rejected) > 0 || len(b.Deleted) > 0 || b.Reconciled || !bytes.Equal(b.Checkpoint, initial)
		if !progressed {
			if !stop.RetryAt.IsZero() {
				return collector.Batch{}, d.retryLater(stop)
			}
			return collector.Batch{}, d.fail(ctx, fmt.Errorf("stopped before anything was fetched: %w (raise the source's timeout or max_requests_per_sync)", stop))
		}
		b.More = stop.More
		d.Logger.Info("sync stopped early; the next one resumes after what it fetched", "reason", stop.Error(),
			"tickets", len(b.Tickets), "requests", sess.Requests(), "more", b.More)
	}
	d.Client.updateStats(func(s *Stats) {
		s.Syncs++
		s.Pages += int64(pages)
		s.Records += int64(len(b.Tickets))
		s.Watermark = st.Watermark
		if stop != nil {
			s.EarlyStops++
		}
	})
	d.Logger.Debug("synced", "tickets", len(b.Tickets), "rejected", len(b.Rejected), "deleted", len(b.Deleted),
		"pages", pages, "requests", sess.Requests(), "watermark", st.Watermark)
	return b, nil
}

// incremental reads the listing from the watermark (less the overlap) on, into b, and moves st
// on whole pages. It returns the pages read whole, and a *StopError when it stopped early.
//
// Pages are keyset: after a page, the next is asked afresh from its latest update rather than by
// the API's next-page link, so that an entry updated while the listing is read (which moves it
// to the end of an offset listing, shifting the rest) cannot be skipped. The next-page link is
// followed only when that does not move on (a page whose entries share one update time).
// A listing that is not in update order (old GitLab versions ignore order_by) is read by its
// links to the end before the watermark moves. A listing whose pages give a Resume position
// (Zendesk's cursor export) is followed by its cursor instead, and the next sync starts at the
// last whole page's position: the API, not the overlap, then says what is new.
func (d *Driver[T]) incremental(sess *Session, st *state, b *collector.Batch) (int, error) {
	overlap := d.Settings.Overlap
	var since time.Time
	if !st.Watermark.IsZero() {
		since = st.Watermark.Add(-overlap)
	}
	floor := since // entries before it are not new, whatever the API sent
	etag := ""
	if st.ETag != "" && st.ETagSince.Equal(since) {
		etag = st.ETag
	}
	next, first, ordered := "", true, true
	if st.Cursor != "" {
		// The API's own position: what it lists after it is new, whatever its update time.
		next, floor, etag = st.Cursor, time.Time{}, ""
	}
	var latest time.Time // the latest update of an unordered listing, applied at its end
	pages := 0
	for {
		page, err := d.Kind.Updated(sess, since, next, etag)
		if err != nil {
			return pages, err
		}
		if page.NotModified {
			pages++
			return pages, nil
		}
		if ordered && !inOrder(page.Items) {
			ordered = false
			d.Logger.Warn("the listing is not in update order: reading it whole before moving the watermark")
		}
		for _, it := range page.Items {
			if it.Updated.Before(floor) {
				continue
			}
			if prev, ok := st.Seen[it.ID]; ok && prev.Equal(it.Updated) {
				continue
			}
			t, rej, err := d.Kind.Ticket(sess, it)
			switch {
			case errors.Is(err, ErrGone):
				b.Deleted = append(b.Deleted, it.ID)
			case err != nil:
				return pages, err // a cut page: its tickets so far are returned, the watermark stays
			case rej != nil:
				b.Rejected = append(b.Rejected, *rej)
			default:
				b.Tickets = append(b.Tickets, t)
			}
			st.Seen[it.ID] = it.Updated
		}
		pages++
		if page.Resume != "" && ordered {
			st.Cursor = page.Resume
		}
		if ordered {
			if page.Latest.After(st.Watermark) {
				st.Watermark = page.Latest
			}
			st.prune(overlap)
		} else if page.Latest.After(latest) {
			latest = page.Latest
		}
		if page.Next == "" {
			if latest.After(st.Watermark) {
				st.Watermark = latest
				st.prune(overlap)
			}
			st.Complete = true
			st.ETag, st.ETagSince = "", time.Time{}
			if first && page.ETag != "" {
				st.ETag, st.ETagSince = page.ETag, since
			}
			return pages, nil
		}
		if ordered && page.Resume == "" && page.Latest.After(since) {
			since, next = page.Latest, ""
		} else {
			next = page.Next
		}
		first, etag = false, ""
	}
}

// inOrder says whether items are in update order.
func inOrder[T any](items []Item[T]) bool {
	return slices.IsSortedFunc(items, func(a, b Item[T]) int { return a.Updated.Compare(b.Updated) })
}

// listIDs reads the whole id listing.
func (d *Driver[T]) listIDs(sess *Session) ([]string, error) {
	var ids []string
	next := ""
	for {
		page, nx, err := d.Kind.IDs(sess, next)
		if err != nil {
			return nil, err
		}
		ids = append(ids, page...)
		if nx == "" {
			return ids, nil
		}
		if nx == next {
			return nil, errors.New("the id listing gives the same page again")
		}
		next = nx
	}
}

// fail names the source in a sync's error; a done context's error is returned wrapped as it is.
func (d *Driver[T]) fail(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		err = fmt.Errorf("%w (%v)", cerr, err)
	}
	return fmt.Errorf("%s source %q: %w", d.Settings.Kind, d.Settings.Name, err)
}

// retryLater is the error of a sync the server's limit held back before it fetched anything:
// the runner waits until the limit resets.
func (d *Driver[T]) retryLater(stop *StopError) error {
	wait := max(stop.RetryAt.Sub(d.Now()), time.Second)
	return &collector.RetryAfterError{After: wait, Err: fmt.Errorf("%s source %q: %w", d.Settings.Kind, d.Settings.Name, stop)}
}
