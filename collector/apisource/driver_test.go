package apisource

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func min_(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }

// memKind is a Kind over entries held in memory: a listing sorted by update time, pages of
// pageSize by offset, with failures injected by the test.
type memKind struct {
	entries  map[string]time.Time // id -> updated
	pageSize int
	// unordered serves the listing in id order instead of update order.
	unordered bool

	listCalls   []time.Time // since of each Updated call with next == ""
	fetched     []string
	failFetch   map[string]error
	failListing error
	etag        string
	notModified int
	idPages     int
}

func (k *memKind) sorted(since time.Time) []Item[int] {
	var out []Item[int]
	for id, up := range k.entries {
		if !up.Before(since) {
			out = append(out, Item[int]{ID: id, Updated: up})
		}
	}
	slices.SortFunc(out, func(a, b Item[int]) int {
		if k.unordered {
			return strings.Compare(a.ID, b.ID)
		}
		if c := a.Updated.Compare(b.Updated); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

func (k *memKind) Updated(s *Session, since time.Time, next, etag string) (Page[int], error) {
	if k.failListing != nil {
		return Page[int]{}, k.failListing
	}
	if next == "" {
		k.listCalls = append(k.listCalls, since)
	}
	if etag != "" && etag == k.etag {
		k.notModified++
		return Page[int]{NotModified: true}, nil
	}
	all := k.sorted(since)
	off := 0
	if next != "" {
		fmt.Sscan(next, &off)
	}
	end := min(off+k.pageSize, len(all))
	p := Page[int]{Items: all[off:end], ETag: k.etag}
	for _, it := range p.Items {
		if it.Updated.After(p.Latest) {
			p.Latest = it.Updated
		}
	}
	if end < len(all) {
		p.Next = fmt.Sprint(end)
	}
	return p, nil
}

func (k *memKind) Ticket(s *Session, it Item[int]) (ticket.Ticket, *collector.Rejection, error) {
	if err := k.failFetch[it.ID]; err != nil {
		return ticket.Ticket{}, nil, err
	}
	k.fetched = append(k.fetched, it.ID)
	if strings.HasPrefix(it.ID, "bad") {
		return ticket.Ticket{}, &collector.Rejection{Where: it.ID, Reason: "bad"}, nil
	}
	return ticket.Ticket{ID: it.ID, Created: t0}, nil, nil
}

func (k *memKind) IDs(s *Session, next string) ([]string, string, error) {
	k.idPages++
	ids := slices.Sorted(func(yield func(string) bool) {
		for id := range k.entries {
			if !yield(id) {
				return
			}
		}
	})
	return ids, "", nil
}

type driverHarness struct {
	k   *memKind
	d   *Driver[int]
	now time.Time
	cp  []byte
}

func newDriver(k *memKind, overlap, reconcile time.Duration) *driverHarness {
	h := &driverHarness{k: k, now: min_(1000)}
	s := &Settings{Kind: "mem", Name: "src", MaxRequests: 100, Overlap: overlap, Reconcile: reconcile, RequestTimeout: time.Second}
	now := func() time.Time { return h.now }
	h.d = &Driver[int]{Settings: s, Client: NewClient(s, collector.Options{Now: now}, Hooks{}), Kind: k, Logger: slog.New(slog.DiscardHandler), Now: now}
	return h
}

func (h *driverHarness) sync(t *testing.T) collector.Batch {
	t.Helper()
	h.k.fetched = nil
	b, err := h.d.Sync(t.Context(), h.cp)
	if err != nil {
		t.Fatal(err)
	}
	h.cp = b.Checkpoint
	return b
}

func ids(b collector.Batch) []string {
	var out []string
	for _, t := range b.Tickets {
		out = append(out, t.ID)
	}
	return out
}

func TestDriver_IncrementalOverlapDedupAndKeyset(t *testing.T) {
	k := &memKind{pageSize: 2, entries: map[string]time.Time{
		"a": min_(1), "b": min_(2), "c": min_(3), "d": min_(3), "e": min_(5),
	}}
	h := newDriver(k, 10*time.Minute, 0)
	b := h.sync(t)
	if diff := cmp.Diff([]string{"a", "b", "c", "d", "e"}, ids(b)); diff != "" {
		t.Errorf("first sync (-want +got):\n%s", diff)
	}
	// Keyset: after a page, the listing is asked again from the page's latest update: a, b →
	// from 2: b (seen), c → from 3: c (seen), d; the latest is still 3, so the next-page link
	// is followed: e.
	if diff := cmp.Diff([]time.Time{{}, min_(2), min_(3)}, k.listCalls); diff != "" {
		t.Errorf("listing starts (-want +got):\n%s", diff)
	}
	st := parseState(h.cp)
	if !st.Watermark.Equal(min_(5)) || !st.Complete {
		t.Errorf("watermark %v complete %v, want %v and complete", st.Watermark, st.Complete, min_(5))
	}

	// Nothing changed: the listing from watermark − overlap returns the five again, seen.
	k.listCalls = nil
	b = h.sync(t)
	if len(b.Tickets) != 0 || len(k.fetched) != 0 {
		t.Errorf("unchanged sync fetched %v, returned %v", k.fetched, ids(b))
	}
	if diff := cmp.Diff([]time.Time{min_(-5)}, k.listCalls[:1]); diff != "" {
		t.Errorf("listing from (-want +got):\n%s", diff)
	}

	// c changes, and f arrives late with an update time inside the overlap: both fetched, once.
	k.entries["c"], k.entries["f"] = min_(7), min_(4)
	b = h.sync(t)
	if diff := cmp.Diff([]string{"f", "c"}, ids(b)); diff != "" {
		t.Errorf("changed sync (-want +got):\n%s", diff)
	}
	if st := parseState(h.cp); !st.Watermark.Equal(min_(7)) {
		t.Errorf("watermark %v, want %v", st.Watermark, min_(7))
	}
	// The ids seen within the overlap before the watermark (7 − 10 = −3) are kept: all six.
	if n := len(parseState(h.cp).Seen); n != 6 {
		t.Errorf("%d ids seen, want 6", n)
	}
	// Once the watermark moves on, the old ones go: e changes at 20, the floor is 10.
	k.entries["e"] = min_(20)
	h.sync(t)
	if diff := cmp.Diff(map[string]time.Time{"e": min_(20)}, parseState(h.cp).Seen); diff != "" {
		t.Errorf("seen (-want +got):\n%s", diff)
	}
}

func TestDriver_StopKeepsWholePagesAndResumes(t *testing.T) {
	k := &memKind{pageSize: 2, entries: map[string]time.Time{
		"a": min_(1), "b": min_(2), "c": min_(3), "d": min_(4), "e": min_(5),
	}, failFetch: map[string]error{"d": &StopError{Reason: "max_requests_per_sync (3) reached", More: true}}}
	h := newDriver(k, 0, 0)
	b := h.sync(t)
	// Pages (a, b) and, from 2, (b, c) are whole; the page from 3, (c, d), is cut at d: the
	// watermark stays at 3.
	if diff := cmp.Diff([]string{"a", "b", "c"}, ids(b)); diff != "" {
		t.Errorf("cut sync (-want +got):\n%s", diff)
	}
	st := parseState(h.cp)
	if !st.Watermark.Equal(min_(3)) || st.Complete || !b.More {
		t.Errorf("watermark %v complete %v more %v, want %v, incomplete, more", st.Watermark, st.Complete, b.More, min_(3))
	}
	if _, ok := st.Seen["c"]; !ok {
		t.Error("c, returned from the cut page, is not remembered as seen")
	}
	delete(k.failFetch, "d")
	b = h.sync(t)
	if diff := cmp.Diff([]string{"d", "e"}, ids(b)); diff != "" {
		t.Errorf("resumed sync (-want +got):\n%s", diff)
	}
	if b.More {
		t.Error("a complete sync says more")
	}
}

func TestDriver_Errors(t *testing.T) {
	k := &memKind{pageSize: 10, entries: map[string]time.Time{"a": min_(1), "gone": min_(2), "bad1": min_(3)},
		failFetch: map[string]error{"gone": fmt.Errorf("GET /x: HTTP 404: %w", ErrGone)}}
	h := newDriver(k, 0, 0)
	b := h.sync(t)
	if diff := cmp.Diff([]string{"a"}, ids(b)); diff != "" {
		t.Errorf("tickets (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"gone"}, b.Deleted); diff != "" {
		t.Errorf("deleted (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]collector.Rejection{{Where: "bad1", Reason: "bad"}}, b.Rejected); diff != "" {
		t.Errorf("rejected (-want +got):\n%s", diff)
	}

	// A failure returns nothing and names the source.
	k.entries["x"] = min_(9)
	k.failFetch["x"] = &StatusError{Status: 500, msg: "GET /x: HTTP 500 Internal Server Error"}
	_, err := h.d.Sync(t.Context(), h.cp)
	if want := `mem source "src": GET /x: HTTP 500 Internal Server Error`; err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}

	// The server's limit before anything was fetched: retry after its reset.
	k.failFetch["x"] = &StopError{Reason: "rate limited", RetryAt: h.now.Add(10 * time.Minute)}
	_, err = h.d.Sync(t.Context(), h.cp)
	ra, ok := errors.AsType[*collector.RetryAfterError](err)
	if !ok || ra.After != 10*time.Minute {
		t.Errorf("error %v, want a RetryAfterError of 10m", err)
	}

	// The same on a first sync: held back before anything was fetched, it is no sync with
	// nothing to report (which would read as a source up with no tickets) but a wait.
	first := newDriver(&memKind{pageSize: 10, entries: map[string]time.Time{"a": min_(1)},
		failListing: &StopError{Reason: "rate limited", RetryAt: min_(1000).Add(5 * time.Minute)}}, 0, 0)
	b, err = first.d.Sync(t.Context(), nil)
	if ra, ok := errors.AsType[*collector.RetryAfterError](err); !ok || ra.After != 5*time.Minute || b.Checkpoint != nil {
		t.Errorf("first sync held back: batch %+v, error %v; want none and a RetryAfterError of 5m", b, err)
	}

	// A cancelled context is the context's error.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	k.failFetch["x"] = ctx.Err()
	if _, err := h.d.Sync(ctx, h.cp); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want one wrapping context.Canceled", err)
	}
}

func TestDriver_UnorderedListingMovesTheWatermarkAtTheEnd(t *testing.T) {
	k := &memKind{pageSize: 2, unordered: true, entries: map[string]time.Time{
		"a": min_(5), "b": min_(1), "c": min_(9), "d": min_(2),
	}, failFetch: map[string]error{"c": &StopError{Reason: "cap", More: true}}}
	h := newDriver(k, 0, 0)
	b := h.sync(t)
	// Page 1 (a 5, b 1) is out of order: the watermark may not move to 5 while d (2) waits on
	// page 2.
	if diff := cmp.Diff([]string{"a", "b"}, ids(b)); diff != "" {
		t.Errorf("tickets (-want +got):\n%s", diff)
	}
	if st := parseState(h.cp); !st.Watermark.IsZero() {
		t.Errorf("watermark %v after a cut unordered listing, want none", st.Watermark)
	}
	delete(k.failFetch, "c")
	b = h.sync(t)
	if diff := cmp.Diff([]string{"c", "d"}, ids(b)); diff != "" {
		t.Errorf("tickets (-want +got):\n%s", diff)
	}
	if st := parseState(h.cp); !st.Watermark.Equal(min_(9)) {
		t.Errorf("watermark %v, want %v", st.Watermark, min_(9))
	}
}

func TestDriver_ETagAndReconciliation(t *testing.T) {
	k := &memKind{pageSize: 10, etag: `"v1"`, entries: map[string]time.Time{"a": min_(1), "b": min_(2)}}
	h := newDriver(k, time.Minute, 24*time.Hour)
	h.sync(t)
	b := h.sync(t)
	if len(k.fetched) != 0 || len(b.Tickets) != 0 || k.idPages != 0 {
		t.Errorf("unchanged sync fetched %v, listed ids %d times", k.fetched, k.idPages)
	}
	if st := parseState(h.cp); st.ETag != `"v1"` || !st.ETagSince.Equal(min_(1)) {
		t.Errorf("etag %q since %v", st.ETag, st.ETagSince)
	}
	// The same first page asked again: a 304.
	h.sync(t)
	if k.notModified != 1 {
		t.Errorf("%d conditional answers, want 1", k.notModified)
	}

	// A day later, b was deleted: the reconciliation lists a only.
	delete(k.entries, "b")
	k.etag = `"v2"`
	h.now = h.now.Add(24 * time.Hour)
	b = h.sync(t)
	if !b.Reconciled || !slices.Equal(b.Present, []string{"a"}) || k.idPages != 1 {
		t.Errorf("reconciled %v present %v after %d id pages", b.Reconciled, b.Present, k.idPages)
	}
	if st := h.d.Client.Stats(); st.ReconciledIDs != 1 || !st.LastReconcile.Equal(h.now) {
		t.Errorf("stats %+v", st)
	}
	b = h.sync(t)
	if b.Reconciled {
		t.Error("reconciled again within the interval")
	}
}

// cursorKind is a listing like Zendesk's cursor export: ordered by (update, id), each page
// asked after a position that the page before gave, the position of the last entry returned
// kept as the Resume even at the end of the listing.
type cursorKind struct {
	memKind
	asked []string // next of each Updated call
}

type position struct {
	at time.Time
	id string
}

func (p position) String() string { return fmt.Sprintf("%d/%s", p.at.Unix(), p.id) }

func (k *cursorKind) Updated(s *Session, since time.Time, next, etag string) (Page[int], error) {
	k.asked = append(k.asked, next)
	after := position{at: since.Add(-time.Second), id: "~"} // from since on, every id
	if next != "" {
		var unix int64
		var id string
		if _, err := fmt.Sscanf(strings.Replace(next, "/", " ", 1), "%d %s", &unix, &id); err != nil {
			return Page[int]{}, fmt.Errorf("bad cursor %q", next)
		}
		after = position{at: time.Unix(unix, 0), id: id}
	}
	var all []Item[int]
	for _, it := range k.sorted(time.Time{}) {
		if c := it.Updated.Compare(after.at); c > 0 || (c == 0 && it.ID > after.id) {
			all = append(all, it)
		}
	}
	p := Page[int]{Items: all[:min(k.pageSize, len(all))], Resume: next}
	for _, it := range p.Items {
		p.Latest = it.Updated
		p.Resume = position{it.Updated, it.ID}.String()
	}
	if len(all) > k.pageSize {
		p.Next = p.Resume
	}
	return p, nil
}

func TestDriver_ResumesFromTheAPIsCursor(t *testing.T) {
	k := &cursorKind{memKind: memKind{pageSize: 2, entries: map[string]time.Time{
		"a": min_(1), "b": min_(2), "c": min_(3), "d": min_(3), "e": min_(5),
	}}}
	h := newDriver(&k.memKind, 10*time.Minute, 0)
	h.d.Kind = k
	b := h.sync(t)
	if diff := cmp.Diff([]string{"a", "b", "c", "d", "e"}, ids(b)); diff != "" {
		t.Errorf("first sync (-want +got):\n%s", diff)
	}
	// The pages are followed by their cursor (not asked afresh from the latest update), and the
	// last one's position is kept.
	e := position{min_(5), "e"}.String()
	if diff := cmp.Diff([]string{"", position{min_(2), "b"}.String(), position{min_(3), "d"}.String()}, k.asked); diff != "" {
		t.Errorf("pages asked after (-want +got):\n%s", diff)
	}
	if st := parseState(h.cp); st.Cursor != e || !st.Watermark.Equal(min_(5)) || !st.Complete {
		t.Errorf("cursor %q watermark %v complete %v, want %q, %v, complete", st.Cursor, st.Watermark, st.Complete, e, min_(5))
	}

	// Unchanged: one page, asked at the cursor, empty; the cursor stays.
	k.asked = nil
	b = h.sync(t)
	if len(b.Tickets) != 0 || !slices.Equal(k.asked, []string{e}) || parseState(h.cp).Cursor != e {
		t.Errorf("unchanged sync: %v, asked %v, cursor %q", ids(b), k.asked, parseState(h.cp).Cursor)
	}

	// b changes at 9: listed after the cursor.
	k.entries["b"] = min_(9)
	k.asked = nil
	b = h.sync(t)
	if diff := cmp.Diff([]string{"b"}, ids(b)); diff != "" {
		t.Errorf("changed sync (-want +got):\n%s", diff)
	}
	if st := parseState(h.cp); st.Cursor != (position{min_(9), "b"}).String() {
		t.Errorf("cursor %q after the change", st.Cursor)
	}

	// A page cut short keeps the cursor of the last whole page: the next sync asks it again,
	// and skips what the cut page returned.
	k.entries["f"], k.entries["g"], k.entries["h"] = min_(10), min_(11), min_(12)
	k.pageSize = 10
	k.failFetch = map[string]error{"g": &StopError{Reason: "cap", More: true}}
	at := parseState(h.cp).Cursor
	b = h.sync(t)
	if diff := cmp.Diff([]string{"f"}, ids(b)); diff != "" || parseState(h.cp).Cursor != at || !b.More {
		t.Errorf("cut sync: %v (-want +got):\n%s; cursor %q (want %q), more %v", ids(b), diff, parseState(h.cp).Cursor, at, b.More)
	}
	k.failFetch = nil
	b = h.sync(t)
	if diff := cmp.Diff([]string{"g", "h"}, ids(b)); diff != "" {
		t.Errorf("resumed sync (-want +got):\n%s", diff)
	}
}
