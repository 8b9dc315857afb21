package ticket

import (
	"errors"
	"fmt"
	"math"
)

// Columns are tickets in columnar form, strings as indexes into Strings, times in Unix seconds:
// what a snapshot of a store holds. NewStoreFromColumns builds a store from them without the
// per-ticket cost of Add (a Ticket, its field map, a map lookup per string), which is what lets
// a restart load a million tickets in well under a second.
type Columns struct {
	// Strings are distinct; every index below points into it.
	Strings []string
	// IDs are in strictly increasing byte order, so unique; ticket i is IDs[i].
	IDs []string
	// Per ticket.
	Created []int64
	// Response is the first response, or NoResponse.
	Response      []int64
	Priority      []uint32
	Type          []uint32
	Group         []uint32
	Rating        []Rating
	Reassignments []uint16
	// WorkTime is the work time in seconds (Ticket.WorkTime to the second); nil when no ticket
	// has one.
	WorkTime []uint32
	// HistoryLen[i] entries of the History slices belong to ticket i, in ticket order.
	HistoryLen      []uint16
	HistoryAt       []int64
	HistoryStatus   []uint32
	HistoryCategory []Category
	// FieldsLen[i] key, value pairs of FieldKV belong to ticket i.
	FieldsLen []uint16
	FieldKV   []uint32
	// NativeLen[i] records of Native belong to ticket i.
	NativeLen []uint8
	Native    []NativeSLA
}

// NoResponse is Columns.Response of a ticket without a first response.
const NoResponse = noTime

// NewStoreFromColumns builds a store holding c's tickets at indexes 0..len(c.IDs)-1, as adding
// them one by one in that order would, checking what Add checks. The store keeps c's slices:
// the caller must not change them afterwards. An error names the first bad ticket; nothing is
// kept then.
func NewStoreFromColumns(c *Columns, opts StoreOptions) (*Store, error) {
	n := len(c.IDs)
	if len(c.Created) != n || len(c.Response) != n || len(c.Priority) != n || len(c.Type) != n ||
		len(c.Group) != n || len(c.Rating) != n || len(c.Reassignments) != n || len(c.HistoryLen) != n ||
		len(c.FieldsLen) != n || len(c.NativeLen) != n || c.WorkTime != nil && len(c.WorkTime) != n {
		return nil, errors.New("ticket columns of different lengths")
	}
	if len(c.HistoryAt) != len(c.HistoryStatus) || len(c.HistoryAt) != len(c.HistoryCategory) {
		return nil, errors.New("history columns of different lengths")
	}
	if len(c.Strings) == 0 || c.Strings[0] != "" {
		return nil, errors.New("string 0 is not the empty string")
	}
	if n >= math.MaxInt32 || len(c.HistoryAt) > math.MaxUint32 || len(c.FieldKV) > math.MaxUint32 ||
		len(c.Native) > math.MaxUint32 || len(c.Strings) > math.MaxUint32 {
		return nil, errors.New("more tickets than a store holds")
	}
	s := &Store{
		recs:       make([]record, n),
		ids:        c.IDs,
		byID:       make(map[string]int32, n),
		histAt:     c.HistoryAt,
		histStatus: c.HistoryStatus,
		histCat:    c.HistoryCategory,
		fieldKV:    c.FieldKV,
		strs:       c.Strings,
		strIDs:     make(map[string]uint32, len(c.Strings)),
	}
	// A new identity, every ticket at generation 0: a cache built over another store starts over.
	s.changes.init()
	s.changes.at = make([]uint32, n)
	for i, v := range c.Strings {
		if _, dup := s.strIDs[v]; dup {
			return nil, fmt.Errorf("string %q listed twice", v)
		}
		s.strIDs[v] = uint32(i)
	}
	if len(opts.Priorities) > 0 {
		s.priorities = map[uint32]bool{}
		for _, p := range opts.Priorities {
			s.priorities[s.intern(p)] = true
		}
	}
	nstr := uint32(len(c.Strings))
	var h, f, nat int
	for i := range n {
		id := c.IDs[i]
		if id == "" || i > 0 && c.IDs[i-1] >= id {
			return nil, fmt.Errorf("ticket %d (%q): ids not in strictly increasing order", i, id)
		}
		r := record{
			created: c.Created[i], response: c.Response[i],
			hist: uint32(h), nhist: c.HistoryLen[i],
			fields: uint32(f), nfields: c.FieldsLen[i],
			prio: c.Priority[i], typ: c.Type[i], group: c.Group[i],
			rating: c.Rating[i], reassign: c.Reassignments[i],
			native: uint32(nat), nnative: c.NativeLen[i],
		}
		if c.WorkTime != nil {
			r.work = c.WorkTime[i]
		}
		if err := s.checkColumns(&r, c, h, f, nat, nstr); err != nil {
			return nil, fmt.Errorf("ticket %s: %w", id, err)
		}
		h += int(r.nhist)
		f += 2 * int(r.nfields)
		nat += int(r.nnative)
		s.recs[i] = r
		s.byID[id] = int32(i)
	}
	if h != len(c.HistoryAt) || f != len(c.FieldKV) || nat != len(c.Native) {
		return nil, errors.New("shared columns longer than the tickets' counts")
	}
	t := Ticket{Native: c.Native}
	s.addNative(&t)
	return s, nil
}

// checkColumns checks one ticket's record and the column entries it owns, starting at h, f and
// nat, as Validate and Add check a Ticket.
func (s *Store) checkColumns(r *record, c *Columns, h, f, nat int, nstr uint32) error {
	if r.prio >= nstr || r.typ >= nstr || r.group >= nstr {
		return errors.New("string index out of range")
	}
	if s.priorities != nil && !s.priorities[r.prio] {
		return fmt.Errorf("unknown priority %q", s.strs[r.prio])
	}
	if r.response != noTime && r.response < r.created {
		return errors.New("first response before creation")
	}
	if r.rating < Unrated || r.rating > Bad {
		return fmt.Errorf("rating %d is not unrated, good or bad", r.rating)
	}
	if h+int(r.nhist) > len(c.HistoryAt) || f+2*int(r.nfields) > len(c.FieldKV) || nat+int(r.nnative) > len(c.Native) {
		return errors.New("counts beyond the shared columns")
	}
	prev := r.created
	for j := h; j < h+int(r.nhist); j++ {
		if c.HistoryCategory[j] == Unmapped || c.HistoryCategory[j] > Cancelled {
			return fmt.Errorf("status change %d has no category", j-h)
		}
		if c.HistoryAt[j] < prev || c.HistoryStatus[j] >= nstr {
			return fmt.Errorf("status change %d out of order or unknown", j-h)
		}
		prev = c.HistoryAt[j]
	}
	for _, k := range c.FieldKV[f : f+2*int(r.nfields)] {
		if k >= nstr {
			return errors.New("field string index out of range")
		}
	}
	t := Ticket{ID: "-", Native: c.Native[nat : nat+int(r.nnative)]}
	return t.validateNative()
}
