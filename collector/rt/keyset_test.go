package rt

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// bulkRT is a fake REST2 search over tickets that may share a LastUpdated second (a bulk update),
// reading the TicketSQL the source writes: "LastUpdated >= 'T'" and the keyset "(LastUpdated >=
// 'T+1s' OR id > N)", ordered by LastUpdated and id.
type bulkRT struct {
	mu       sync.Mutex
	updated  map[int]time.Time
	searches int
	// afterSearch runs after each search is answered.
	afterSearch func(n int, b *bulkRT)
}

var (
	fromRE   = regexp.MustCompile(`AND LastUpdated >= '([^']+)'`)
	keysetRE = regexp.MustCompile(`\(LastUpdated >= '([^']+)' OR id > (\d+)\)`)
)

func (b *bulkRT) search(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	q := r.URL.Query().Get("query")
	per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	var from, next time.Time
	after := 0
	if m := fromRE.FindStringSubmatch(q); m != nil {
		from, _ = time.Parse(time.DateTime, m[1])
	}
	if m := keysetRE.FindStringSubmatch(q); m != nil {
		next, _ = time.Parse(time.DateTime, m[1])
		after, _ = strconv.Atoi(m[2])
	}
	var ids []int
	for id, at := range b.updated {
		if !at.Before(from) && (next.IsZero() || !at.Before(next) || id > after) {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(x, y int) int {
		if c := b.updated[x].Compare(b.updated[y]); c != 0 {
			return c
		}
		return x - y
	})
	total := len(ids)
	ids = ids[:min(per, len(ids))]
	items := make([]map[string]any, 0, len(ids))
	for _, id := range ids {
		items = append(items, map[string]any{"id": strconv.Itoa(id), "LastUpdated": b.updated[id].Format(time.RFC3339),
			"Status": "open", "Created": "2025-03-10T09:00:00Z", "Priority": "1", "Queue": map[string]any{"id": "1", "Name": "General"}})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"count": len(items), "page": 1, "per_page": per, "total": total, "items": items})
	b.searches++
	if b.afterSearch != nil {
		b.afterSearch(b.searches, b)
	}
}

// TestKeysetAmongTiedTickets: seven tickets updated in one second (a bulk update), read two a
// page while ticket 1, read on the first page, is updated again. Paging by page number would
// skip ticket 3 (every ticket after ticket 1 moves a place up); the keyset on (LastUpdated, id)
// reads each one, and ticket 1 again with its new update.
func TestKeysetAmongTiedTickets(t *testing.T) {
	bulk := utc("2025-03-10 10:00")
	b := &bulkRT{updated: map[int]time.Time{}}
	for id := 1; id <= 7; id++ {
		b.updated[id] = bulk
	}
	b.afterSearch = func(n int, b *bulkRT) {
		if n == 1 {
			b.updated[1] = bulk.Add(5 * time.Minute)
		}
	}
	srv := fakeRT(t, map[string]http.HandlerFunc{"/REST/2.0/tickets": b.search, "/REST/2.0/ticket/": jsonAnswer(200, oneHistory)})
	batch, err := newTestSource(t, srv.URL, replayTokenFile(t), nil, newClock()).Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tk := range batch.Tickets {
		got = append(got, tk.ID)
	}
	// Pages: [1 2], then after (10:00, 2): [3 4], [5 6], [7 1@10:05].
	if diff := cmp.Diff([]string{"1", "2", "3", "4", "5", "6", "7", "1"}, got); diff != "" || b.searches != 4 {
		t.Errorf("tickets in order (-want +got):\n%s\n%d searches, want 4", diff, b.searches)
	}
	if len(batch.Rejected) > 0 {
		t.Errorf("rejected %v", batch.Rejected)
	}
}
