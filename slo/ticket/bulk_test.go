package ticket

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// goodColumns holds two tickets: INC1 with two status changes, a field and a native record,
// INC2 bare, without a response.
func goodColumns() *Columns {
	return &Columns{
		Strings:         []string{"", "P1", "incident", "Desk", "New", "Done", "customer", "ACME", "TTR", "resolution"},
		IDs:             []string{"INC1", "INC2"},
		Created:         []int64{1000, 2000},
		Response:        []int64{1060, NoResponse},
		Priority:        []uint32{1, 1},
		Type:            []uint32{2, 2},
		Group:           []uint32{3, 0},
		Rating:          []Rating{Good, Unrated},
		Reassignments:   []uint16{2, 0},
		WorkTime:        []uint32{2280, 0},
		HistoryLen:      []uint16{2, 0},
		HistoryAt:       []int64{1000, 5000},
		HistoryStatus:   []uint32{4, 5},
		HistoryCategory: []Category{Open, Resolved},
		FieldsLen:       []uint16{1, 0},
		FieldKV:         []uint32{6, 7},
		NativeLen:       []uint8{1, 0},
		Native:          []NativeSLA{{Name: "TTR", Clock: "resolution", Start: time.Unix(1000, 0).UTC(), Stop: time.Unix(5000, 0).UTC()}},
	}
}

// The columns build what adding the same tickets one by one builds.
func TestNewStoreFromColumns(t *testing.T) {
	at := func(u int64) time.Time { return time.Unix(u, 0).UTC() }
	tickets := []Ticket{
		{ID: "INC1", Created: at(1000), Priority: "P1", Type: "incident", Group: "Desk", Fields: map[string]string{"customer": "ACME"},
			History:       []StatusChange{{At: at(1000), Status: "New", Category: Open}, {At: at(5000), Status: "Done", Category: Resolved}},
			FirstResponse: at(1060), Rating: Good, Reassignments: 2, WorkTime: 38 * time.Minute,
			Native: []NativeSLA{{Name: "TTR", Clock: "resolution", Start: at(1000), Stop: at(5000)}}},
		{ID: "INC2", Created: at(2000), Priority: "P1", Type: "incident"},
	}
	opts := StoreOptions{Priorities: []string{"P1", "P2"}}
	want := NewStore(opts)
	for i := range tickets {
		if err := want.Add(&tickets[i]); err != nil {
			t.Fatal(err)
		}
	}
	got, err := NewStoreFromColumns(goodColumns(), opts)
	if err != nil {
		t.Fatal(err)
	}
	materialize := func(s *Store) []Ticket {
		var out []Ticket
		for i := range s.Len() {
			out = append(out, s.View(i).Ticket())
		}
		return out
	}
	if diff := cmp.Diff(materialize(want), materialize(got)); diff != "" {
		t.Errorf("(-added +built):\n%s", diff)
	}
	if !got.HasNative(Resolution) || got.HasNative(Response) {
		t.Error("native clock counts not built")
	}
	if v, ok := got.Find("INC2"); !ok || v.Index() != 1 {
		t.Error("Find(INC2) failed")
	}
	// P2 is accepted though no ticket has it: the options' priorities are interned too.
	p2 := Ticket{ID: "INC3", Created: at(3000), Priority: "P2"}
	if err := got.Add(&p2); err != nil {
		t.Errorf("Add(P2): %v", err)
	}
}

func TestNewStoreFromColumns_Refused(t *testing.T) {
	tests := []struct {
		name  string
		opts  StoreOptions
		spoil func(c *Columns)
		want  string
	}{
		{"ids out of order", StoreOptions{}, func(c *Columns) { c.IDs[0], c.IDs[1] = "INC2", "INC1" }, "increasing"},
		{"duplicate id", StoreOptions{}, func(c *Columns) { c.IDs[1] = "INC1" }, "increasing"},
		{"short column", StoreOptions{}, func(c *Columns) { c.Created = c.Created[:1] }, "different lengths"},
		{"short work time column", StoreOptions{}, func(c *Columns) { c.WorkTime = c.WorkTime[:1] }, "different lengths"},
		{"string out of range", StoreOptions{}, func(c *Columns) { c.Group[1] = 99 }, "ticket INC2: string index"},
		{"field string out of range", StoreOptions{}, func(c *Columns) { c.FieldKV[1] = 10 }, "field string"},
		{"history backwards", StoreOptions{}, func(c *Columns) { c.HistoryAt[1] = 999 }, "out of order"},
		{"history before creation", StoreOptions{}, func(c *Columns) { c.HistoryAt[0] = 999 }, "out of order"},
		{"unmapped status", StoreOptions{}, func(c *Columns) { c.HistoryCategory[0] = Unmapped }, "no category"},
		{"response before creation", StoreOptions{}, func(c *Columns) { c.Response[0] = 999 }, "first response"},
		{"bad rating", StoreOptions{}, func(c *Columns) { c.Rating[0] = 7 }, "rating"},
		{"counts beyond columns", StoreOptions{}, func(c *Columns) { c.HistoryLen[1] = 1 }, "beyond"},
		{"columns beyond counts", StoreOptions{}, func(c *Columns) { c.FieldKV = append(c.FieldKV, 1, 1) }, "longer"},
		{"duplicate string", StoreOptions{}, func(c *Columns) { c.Strings[5] = "New" }, "twice"},
		{"no empty string first", StoreOptions{}, func(c *Columns) { c.Strings[0] = "x" }, "string 0"},
		{"unknown priority", StoreOptions{Priorities: []string{"P2"}}, func(*Columns) {}, `unknown priority "P1"`},
		{"native without name", StoreOptions{}, func(c *Columns) { c.Native[0].Name = "" }, "no name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := goodColumns()
			tt.spoil(c)
			s, err := NewStoreFromColumns(c, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
			if s != nil {
				t.Error("a store was returned with the error")
			}
		})
	}
}

// Columns without work times (a snapshot written before tickets had one) build tickets without.
func TestNewStoreFromColumns_NoWorkTime(t *testing.T) {
	c := goodColumns()
	c.WorkTime = nil
	s, err := NewStoreFromColumns(c, StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range s.Len() {
		if w := s.View(i).WorkTime(); w != 0 {
			t.Errorf("ticket %d: WorkTime = %s, want 0", i, w)
		}
	}
}
