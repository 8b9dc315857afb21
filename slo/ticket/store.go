package ticket

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// maxHistory bounds a ticket's status history: the store counts it in 16 bits, and a ticket that
// changed status 65,535 times is a loop in the source, not a ticket.
const maxHistory = 1<<16 - 1

// noTime marks an absent instant (no first response) in the store's Unix-second fields.
const noTime = int64(-1 << 63)

// record is a ticket as the store keeps it: fixed size, strings interned, history in shared
// arrays. This is what keeps a million tickets within a few hundred bytes each.
type record struct {
	created  int64
	response int64 // noTime when none
	hist     uint32
	fields   uint32
	prio     uint32
	typ      uint32
	group    uint32
	nhist    uint16
	nfields  uint16
	reassign uint16
	rating   Rating
	// The native SLA records fill what was padding.
	nnative uint8
	native  uint32
	// work is the work time in seconds, capped at maxWork: it takes 4 of the 8 bytes the
	// alignment of the int64 fields adds, so the record is 56 bytes (48 before it).
	work uint32
}

// maxWork caps a stored work time: 136 years in seconds is no ticket's work.
const maxWork = math.MaxUint32

// workSeconds is d as the store keeps it, whole seconds capped at maxWork.
func workSeconds(d time.Duration) uint32 {
	return uint32(min(int64(d/time.Second), maxWork))
}

// StoreOptions constrain what the store accepts.
type StoreOptions struct {
	// Priorities, when set, are the only priorities accepted; a ticket with another is rejected.
	Priorities []string
}

// Store holds tickets compactly, keyed by id: adding a ticket with a known id replaces it, which is
// how incremental syncs update tickets. It is not safe for concurrent mutation; readers may share
// a store that is no longer written.
type Store struct {
	recs []record
	ids  []string
	byID map[string]int32

	histAt     []int64
	histStatus []uint32
	histCat    []Category
	fieldKV    []uint32 // key, value pairs of interned strings
	natives    []nativeRec
	// nativeByClock counts the live native records per clock code (0 none, else Kind+1).
	nativeByClock [3]int

	strs   []string
	strIDs map[string]uint32

	priorities map[uint32]bool
	// Slots of the shared arrays held by replaced tickets, reclaimed by the next compaction.
	histGarbage, fieldGarbage, nativeGarbage int

	changes changes // which tickets changed when (changes.go)
}

// NewStore returns an empty store.
func NewStore(opts StoreOptions) *Store {
	s := &Store{byID: map[string]int32{}, strIDs: map[string]uint32{}}
	s.intern("") // id 0 is the empty string
	s.changes.init()
	if len(opts.Priorities) > 0 {
		s.priorities = map[uint32]bool{}
		for _, p := range opts.Priorities {
			s.priorities[s.intern(p)] = true
		}
	}
	return s
}

func (s *Store) intern(v string) uint32 {
	if id, ok := s.strIDs[v]; ok {
		return id
	}
	id := uint32(len(s.strs))
	v = string([]byte(v)) // do not pin a larger buffer the source decoded from
	s.strs = append(s.strs, v)
	s.strIDs[v] = id
	return id
}

// lookup is the interned id of v, or false when no ticket holds v.
func (s *Store) lookup(v string) (uint32, bool) {
	id, ok := s.strIDs[v]
	return id, ok
}

// Add validates a ticket and stores it, replacing a ticket with the same id. A rejected ticket
// leaves the store unchanged.
func (s *Store) Add(t *Ticket) error {
	if err := t.Validate(); err != nil {
		return err
	}
	if s.priorities != nil {
		if id, ok := s.lookup(t.Priority); !ok || !s.priorities[id] {
			return fmt.Errorf("ticket %s: unknown priority %q", t.ID, t.Priority)
		}
	}
	if len(t.Fields) > maxHistory {
		return fmt.Errorf("ticket %s: %d fields, more than the %d kept", t.ID, len(t.Fields), maxHistory)
	}
	// The shared arrays are indexed in 32 bits; compaction keeps them at most twice the live data.
	if len(s.histAt)+len(t.History) > math.MaxUint32 || len(s.fieldKV)+2*len(t.Fields) > math.MaxUint32 ||
		len(s.natives)+len(t.Native) > math.MaxUint32 {
		return fmt.Errorf("ticket %s: the store is full", t.ID)
	}
	slot, replace := s.byID[t.ID]
	if !replace && len(s.recs) >= math.MaxInt32 {
		return fmt.Errorf("ticket %s: the store is full", t.ID)
	}
	r := record{
		created:  t.Created.Unix(),
		response: noTime,
		hist:     uint32(len(s.histAt)),
		nhist:    uint16(len(t.History)),
		fields:   uint32(len(s.fieldKV)),
		nfields:  uint16(len(t.Fields)),
		prio:     s.intern(t.Priority),
		typ:      s.intern(t.Type),
		group:    s.intern(t.Group),
		rating:   t.Rating,
		reassign: uint16(min(t.Reassignments, 1<<16-1)),
		native:   uint32(len(s.natives)),
		nnative:  uint8(len(t.Native)),
		work:     workSeconds(t.WorkTime),
	}
	if !t.FirstResponse.IsZero() {
		r.response = t.FirstResponse.Unix()
	}
	for _, h := range t.History {
		s.histAt = append(s.histAt, h.At.Unix())
		s.histStatus = append(s.histStatus, s.intern(h.Status))
		s.histCat = append(s.histCat, h.Category)
	}
	for k, v := range t.Fields {
		s.fieldKV = append(s.fieldKV, s.intern(k), s.intern(v))
	}
	s.addNative(t)
	if replace {
		// The new version takes the old slot, so indexes stay stable; the old history and
		// fields become garbage in the shared arrays until the next compaction.
		old := &s.recs[slot]
		s.histGarbage += int(old.nhist)
		s.fieldGarbage += 2 * int(old.nfields)
		s.dropNative(old)
		*old = r
		s.changes.touch(int(slot))
		s.maybeCompact()
		return nil
	}
	id := strings.Clone(t.ID) // do not pin a larger buffer the source decoded from
	s.byID[id] = int32(len(s.recs))
	s.changes.touch(len(s.recs))
	s.recs = append(s.recs, r)
	s.ids = append(s.ids, id)
	return nil
}

// maybeCompact rewrites the shared arrays once replaced tickets hold half of them, so a
// long-running sync of ever-changing tickets does not grow without bound.
func (s *Store) maybeCompact() {
	garbage := s.histGarbage + s.fieldGarbage + s.nativeGarbage
	if garbage < 4096 || 2*garbage < len(s.histAt)+len(s.fieldKV)+len(s.natives) {
		return
	}
	n := len(s.histAt) - s.histGarbage
	histAt := make([]int64, 0, n)
	histStatus := make([]uint32, 0, n)
	histCat := make([]Category, 0, n)
	fieldKV := make([]uint32, 0, len(s.fieldKV)-s.fieldGarbage)
	natives := make([]nativeRec, 0, len(s.natives)-s.nativeGarbage)
	for i := range s.recs {
		r := &s.recs[i]
		h, e := r.hist, r.hist+uint32(r.nhist)
		r.hist = uint32(len(histAt))
		histAt = append(histAt, s.histAt[h:e]...)
		histStatus = append(histStatus, s.histStatus[h:e]...)
		histCat = append(histCat, s.histCat[h:e]...)
		f, g := r.fields, r.fields+2*uint32(r.nfields)
		r.fields = uint32(len(fieldKV))
		fieldKV = append(fieldKV, s.fieldKV[f:g]...)
		n, m := r.native, r.native+uint32(r.nnative)
		r.native = uint32(len(natives))
		natives = append(natives, s.natives[n:m]...)
	}
	s.histAt, s.histStatus, s.histCat, s.fieldKV, s.natives = histAt, histStatus, histCat, fieldKV, natives
	s.histGarbage, s.fieldGarbage, s.nativeGarbage = 0, 0, 0
}

// Len is the number of tickets held; views are indexed 0 <= i < Len.
func (s *Store) Len() int { return len(s.recs) }

// View returns a read-only handle on ticket i.
func (s *Store) View(i int) View { return View{s: s, r: &s.recs[i], i: i} }

// Find returns the view of the ticket with the given id.
func (s *Store) Find(id string) (View, bool) {
	i, ok := s.byID[id]
	if !ok {
		return View{}, false
	}
	return s.View(int(i)), true
}

// View reads one stored ticket without copying it. It is valid until the store is next written.
type View struct {
	s *Store
	r *record
	i int
}

// Index is the ticket's index in the store; it stays the same when the ticket is replaced.
func (v View) Index() int { return v.i }

// ID is the ticket's id.
func (v View) ID() string { return v.s.ids[v.i] }

// Created is the creation instant in Unix seconds.
func (v View) Created() int64 { return v.r.created }

// FirstResponse is the first agent response in Unix seconds, and whether there was one.
func (v View) FirstResponse() (int64, bool) { return v.r.response, v.r.response != noTime }

// Priority is the ticket's priority.
func (v View) Priority() string { return v.s.strs[v.r.prio] }

// Type is the ticket's type.
func (v View) Type() string { return v.s.strs[v.r.typ] }

// Group is the ticket's assignment group or queue.
func (v View) Group() string { return v.s.strs[v.r.group] }

// Rating is the customer's satisfaction rating.
func (v View) Rating() Rating { return v.r.rating }

// Reassignments counts hand-overs between groups.
func (v View) Reassignments() int { return int(v.r.reassign) }

// WorkTime is the work the tool recorded on the ticket, to the second; 0 when none.
func (v View) WorkTime() time.Duration { return time.Duration(v.r.work) * time.Second }

// HistoryLen is the number of status changes.
func (v View) HistoryLen() int { return int(v.r.nhist) }

// History returns status change j: its instant in Unix seconds and its category.
func (v View) History(j int) (int64, Category) {
	k := int(v.r.hist) + j
	return v.s.histAt[k], v.s.histCat[k]
}

// HistoryStatus is the source's status name of change j.
func (v View) HistoryStatus(j int) string {
	return v.s.strs[v.s.histStatus[int(v.r.hist)+j]]
}

// Field returns a free field's value, and whether the ticket has it.
func (v View) Field(name string) (string, bool) {
	k, ok := v.s.lookup(name)
	if !ok {
		return "", false
	}
	kv := v.s.fieldKV[v.r.fields : v.r.fields+2*uint32(v.r.nfields)]
	for j := 0; j < len(kv); j += 2 {
		if kv[j] == k {
			return v.s.strs[kv[j+1]], true
		}
	}
	return "", false
}

// Ticket materializes the stored ticket (for drill-down and export; it allocates).
func (v View) Ticket() Ticket {
	t := Ticket{
		ID:            v.ID(),
		Created:       time.Unix(v.r.created, 0).UTC(),
		Priority:      v.Priority(),
		Type:          v.Type(),
		Group:         v.Group(),
		Rating:        v.r.rating,
		Reassignments: int(v.r.reassign),
		WorkTime:      v.WorkTime(),
	}
	if r, ok := v.FirstResponse(); ok {
		t.FirstResponse = time.Unix(r, 0).UTC()
	}
	for j := range v.HistoryLen() {
		at, c := v.History(j)
		t.History = append(t.History, StatusChange{At: time.Unix(at, 0).UTC(), Status: v.HistoryStatus(j), Category: c})
	}
	if v.r.nfields > 0 {
		t.Fields = make(map[string]string, v.r.nfields)
		kv := v.s.fieldKV[v.r.fields : v.r.fields+2*uint32(v.r.nfields)]
		for j := 0; j < len(kv); j += 2 {
			t.Fields[v.s.strs[kv[j]]] = v.s.strs[kv[j+1]]
		}
	}
	for j := range v.NativeLen() {
		t.Native = append(t.Native, v.Native(j))
	}
	return t
}
