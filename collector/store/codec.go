package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// ticketV1 tags the first byte of an encoded ticket, so the format can change later without
// guessing what a stored value holds. ticketV2 is V1 followed by the ticket's native SLA
// records; it is written only for a ticket that has some, so that a store of sources importing
// none stays readable by a release that knows only V1. ticketV3 is V1 followed by the work time
// (a varint of nanoseconds) and the native records (a count, which may be 0); it is written only
// for a ticket with a work time, so tickets without one encode as before.
const (
	ticketV1 = 1
	ticketV2 = 2
	ticketV3 = 3
)

// errShort reports a value that ends in the middle of a field: a torn or foreign value.
var errShort = errors.New("value is truncated")

// appendTicket encodes t without its id (the id is the key). The format is varints and
// length-prefixed strings, times as offsets from the creation: the realistic ticket of
// BenchmarkTicketEncoding takes 165 bytes against 636 as JSON and 607 as a per-value gob (which
// repeats its type description in every value), and decodes about 10 and 30 times faster, with 3
// allocations instead of 27 and 256.
// A hand-written codec must follow ticket.Ticket: TestTicketCodec_CoversEveryField fails when a
// field is added. Times keep their nanoseconds; the location is not kept (tickets are instants,
// read back in UTC). Fields are written in key order so equal tickets encode to equal bytes.
func appendTicket(b []byte, t *ticket.Ticket) []byte {
	version := byte(ticketV1)
	switch {
	case t.WorkTime != 0:
		version = ticketV3
	case len(t.Native) > 0:
		version = ticketV2
	}
	b = append(b, version)
	b = appendTime(b, t.Created)
	b = appendString(b, t.Priority)
	b = appendString(b, t.Type)
	b = appendString(b, t.Group)
	b = binary.AppendUvarint(b, uint64(len(t.Fields)))
	keys := make([]string, 0, len(t.Fields))
	for k := range t.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b = appendString(b, k)
		b = appendString(b, t.Fields[k])
	}
	b = binary.AppendUvarint(b, uint64(len(t.History)))
	prev := t.Created
	for _, h := range t.History {
		// Offsets from the previous change are small; that is most of the saving.
		b = appendDelta(b, prev, h.At)
		b = appendString(b, h.Status)
		b = append(b, byte(h.Category))
		prev = h.At
	}
	if t.FirstResponse.IsZero() {
		b = append(b, 0)
	} else {
		b = append(b, 1)
		b = appendDelta(b, t.Created, t.FirstResponse)
	}
	b = append(b, byte(t.Rating))
	b = binary.AppendVarint(b, int64(t.Reassignments))
	switch version {
	case ticketV2:
		b = appendNative(b, t)
	case ticketV3:
		b = binary.AppendVarint(b, int64(t.WorkTime))
		b = appendNative(b, t)
	}
	return b
}

// Flags of a native record: which optional instants follow, and the tool's verdict.
const (
	nativeHasDeadline = 1 << iota
	nativeHasStop
	nativeBreached
	nativePaused
)

// nativeFlags are the flags of a native record.
func nativeFlags(n *ticket.NativeSLA) byte {
	var flags byte
	if !n.Deadline.IsZero() {
		flags |= nativeHasDeadline
	}
	if !n.Stop.IsZero() {
		flags |= nativeHasStop
	}
	if n.Breached {
		flags |= nativeBreached
	}
	if n.Paused {
		flags |= nativePaused
	}
	return flags
}

// appendNative writes the native SLA records, in the ticket's order: start as an offset from the
// creation, deadline and stop from the start (small, and absent when zero).
func appendNative(b []byte, t *ticket.Ticket) []byte {
	b = binary.AppendUvarint(b, uint64(len(t.Native)))
	for i := range t.Native {
		n := &t.Native[i]
		b = appendString(b, n.Name)
		b = appendString(b, n.Clock)
		b = append(b, nativeFlags(n))
		b = appendDelta(b, t.Created, n.Start)
		if !n.Deadline.IsZero() {
			b = appendDelta(b, n.Start, n.Deadline)
		}
		if !n.Stop.IsZero() {
			b = appendDelta(b, n.Start, n.Stop)
		}
	}
	return b
}

// native reads the native SLA records; a version 2 ticket has at least one (else it is written
// as version 1), a version 3 ticket any number.
func (d *decoder) native(t *ticket.Ticket, v byte) {
	// Name, clock, flags and start take at least 5 bytes.
	n := d.count(5)
	if n == 0 {
		if d.err == nil && v == ticketV2 {
			d.fail(errors.New("a version 2 ticket without native SLA records"))
		}
		return
	}
	t.Native = make([]ticket.NativeSLA, n)
	for i := range t.Native {
		r := &t.Native[i]
		r.Name = d.string()
		r.Clock = d.string()
		flags := d.byte()
		if flags>>4 != 0 {
			d.fail(fmt.Errorf("native SLA record %d: unknown flags %#x", i, flags))
			return
		}
		r.Start = d.delta(t.Created)
		if flags&nativeHasDeadline != 0 {
			r.Deadline = d.delta(r.Start)
		}
		if flags&nativeHasStop != 0 {
			r.Stop = d.delta(r.Start)
		}
		r.Breached, r.Paused = flags&nativeBreached != 0, flags&nativePaused != 0
	}
}

// decodeTicket is the inverse of appendTicket; id is the key the value was stored under. in,
// when not nil, shares the strings that repeat between tickets (statuses, priorities, field
// names and values), which halves the allocations of a start-up.
func decodeTicket(id string, b []byte, t *ticket.Ticket, in interner) error {
	d := decoder{b: b, in: in}
	v := d.byte()
	if v != ticketV1 && v != ticketV2 && v != ticketV3 {
		if d.err != nil {
			return d.err
		}
		return fmt.Errorf("unknown ticket encoding version %d", v)
	}
	*t = ticket.Ticket{ID: id}
	t.Created = d.time()
	t.Priority = d.string()
	t.Type = d.string()
	t.Group = d.string()
	if n := d.count(2); n > 0 {
		t.Fields = make(map[string]string, n)
		for range n {
			k := d.string()
			t.Fields[k] = d.string()
		}
	}
	if n := d.count(3); n > 0 {
		t.History = make([]ticket.StatusChange, n)
		prev := t.Created
		for i := range t.History {
			h := &t.History[i]
			h.At = d.delta(prev)
			h.Status = d.string()
			h.Category = ticket.Category(d.byte())
			prev = h.At
		}
	}
	if d.byte() == 1 {
		t.FirstResponse = d.delta(t.Created)
	}
	t.Rating = ticket.Rating(int8(d.byte()))
	t.Reassignments = int(d.varint())
	switch v {
	case ticketV2:
		d.native(t, v)
	case ticketV3:
		if t.WorkTime = time.Duration(d.varint()); t.WorkTime == 0 && d.err == nil {
			d.fail(errors.New("a version 3 ticket without a work time"))
		}
		d.native(t, v)
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%d bytes after the last field", len(d.b))
	}
	return d.err
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendTime writes an absolute instant as Unix seconds and nanoseconds. The zero time round
// trips: its Unix seconds decode back to year 1.
func appendTime(b []byte, t time.Time) []byte {
	b = binary.AppendVarint(b, t.Unix())
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

// appendDelta writes t relative to base, which keeps a status history to a few bytes an entry.
func appendDelta(b []byte, base, t time.Time) []byte {
	b = binary.AppendVarint(b, t.Unix()-base.Unix())
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

// decoder reads what the append functions wrote, remembering the first error so callers check
// once at the end.
type decoder struct {
	b   []byte
	err error
	in  interner
}

// interner maps strings to a shared copy. It is bounded, so that a field with unique values
// (a title, a description) does not turn it into a second copy of the data.
type interner map[string]string

const (
	maxInterned    = 1 << 14
	maxInternedLen = 64
)

func (in interner) get(b []byte) string {
	if in == nil || len(b) > maxInternedLen {
		return string(b)
	}
	if s, ok := in[string(b)]; ok { // no allocation for the lookup
		return s
	}
	s := string(b)
	if len(in) < maxInterned {
		in[s] = s
	}
	return s
}

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
	d.b = nil
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.fail(errShort)
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail(errShort)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail(errShort)
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a length, refusing one that the remaining bytes cannot hold (each element takes at
// least minSize bytes) so a corrupt value cannot make us allocate gigabytes.
func (d *decoder) count(minSize int) int {
	n := d.uvarint()
	if n > uint64(len(d.b)/minSize) {
		d.fail(errShort)
		return 0
	}
	return int(n)
}

func (d *decoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail(errShort)
		return ""
	}
	s := d.in.get(d.b[:n]) // copies: bbolt's bytes are only valid inside the transaction
	d.b = d.b[n:]
	return s
}

func (d *decoder) time() time.Time {
	sec := d.varint()
	nsec := d.uvarint()
	if nsec >= 1e9 {
		d.fail(fmt.Errorf("nanoseconds %d out of range", nsec))
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}

func (d *decoder) delta(base time.Time) time.Time {
	off := d.varint()
	nsec := d.uvarint()
	if nsec >= 1e9 {
		d.fail(fmt.Errorf("nanoseconds %d out of range", nsec))
		return time.Time{}
	}
	return time.Unix(base.Unix()+off, int64(nsec)).UTC()
}

func (d *decoder) float() float64 {
	if len(d.b) < 8 {
		d.fail(errShort)
		return 0
	}
	v := math.Float64frombits(binary.BigEndian.Uint64(d.b))
	d.b = d.b[8:]
	return v
}

func appendFloat(b []byte, f float64) []byte {
	return binary.BigEndian.AppendUint64(b, math.Float64bits(f))
}
