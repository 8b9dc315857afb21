package store

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// A ticket snapshot is a source's in-memory ticket store written to a file beside the database,
// so that a restart builds the store from it in one pass (ticket.NewStoreFromColumns) instead
// of decoding and adding every stored ticket: a million tickets load in a fraction of a second
// instead of seconds. The database stays the truth. A snapshot is used only when it carries the
// stamp of the source's last commit (the database's instance id and the bbolt transaction id of
// that commit, which grows for the life of the file and is never reused, even after the source
// is dropped) and the key of the settings it was built under, and when its checksum holds;
// anything else (torn, stale, foreign, from another version) is ignored and the tickets are read
// from the database, as they are when there is no snapshot.
//
// Layout: magic, version byte, 16-byte instance id, 8-byte generation, key, then the tickets in
// id order (strings as indexes into a table written first), then a CRC-32C of all before it.
// Version 2 adds each ticket's work time in seconds after its reassignments; a version 1
// snapshot (written before tickets had one) is read as before, every work time 0, which is what
// its tickets held.

const (
	ticketSnapMagic   = "SLATSNP\n"
	ticketSnapVersion = 2
	// ticketSnapV1 is the version before work times, still read.
	ticketSnapV1 = 1
	snapshotDir  = "snapshots"
)

var (
	keyInstance   = []byte("instance")
	keyGeneration = []byte("generation")
	castagnoli    = crc32.MakeTable(crc32.Castagnoli)
)

// errNoSnapshot: the source has no ticket snapshot file.
var errNoSnapshot = errors.New("no ticket snapshot")

// stamp identifies one commit of one source in one database file.
type stamp struct {
	instance   [16]byte
	generation uint64
}

// ensureInstance gives a new database file its random instance id, so that a snapshot left
// beside a file that was deleted and created again cannot pass for current.
func ensureInstance(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if len(meta.Get(keyInstance)) == 16 {
		return nil
	}
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return err
	}
	return meta.Put(keyInstance, id)
}

// putGeneration records the commit's transaction id in the source's meta bucket; Commit calls
// it in the commit's transaction.
func putGeneration(mb *bolt.Bucket) error {
	return mb.Put(keyGeneration, binary.BigEndian.AppendUint64(nil, uint64(mb.Tx().ID())))
}

// sourceStamp reads the stamp of source's last commit; ok is false when it has none.
func sourceStamp(tx *bolt.Tx, source string) (st stamp, ok bool) {
	copy(st.instance[:], tx.Bucket(bucketMeta).Get(keyInstance))
	sb := tx.Bucket(bucketSources).Bucket([]byte(source))
	if sb == nil || sb.Bucket(bucketMeta) == nil {
		return st, false
	}
	v := sb.Bucket(bucketMeta).Get(keyGeneration)
	if len(v) != 8 {
		return st, false
	}
	st.generation = binary.BigEndian.Uint64(v)
	return st, true
}

// ticketSnapPath is the snapshot file of a source; the name is hex so any source name is safe.
func (db *DB) ticketSnapPath(source string) string {
	return filepath.Join(filepath.Dir(db.path), snapshotDir, "tickets-"+hex.EncodeToString([]byte(source))+".snap")
}

// SaveTickets writes a snapshot of s, the tickets of source as its last commit left them, built
// under the settings key. The caller must not commit source meanwhile (the source's own
// goroutine calls it between syncs), or the snapshot would carry the stamp of a commit it does
// not hold. The file is replaced atomically; a crash leaves the old one or the new one.
func (db *DB) SaveTickets(source, key string, s *ticket.Store) error {
	var st stamp
	var ok bool
	if err := db.bolt.View(func(tx *bolt.Tx) error {
		st, ok = sourceStamp(tx, source)
		return nil
	}); err != nil {
		return fmt.Errorf("ticket snapshot of %q: %w", source, err)
	}
	if !ok {
		return nil // nothing committed: nothing to snapshot
	}
	b := appendTicketSnapshot(nil, st, key, s)
	if err := writeAtomic(db.ticketSnapPath(source), b); err != nil {
		return fmt.Errorf("ticket snapshot of %q: %w", source, err)
	}
	return nil
}

// removeTicketSnapshot deletes a source's snapshot file, if any.
func (db *DB) removeTicketSnapshot(source string) error {
	err := os.Remove(db.ticketSnapPath(source))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// writeAtomic writes b to a temporary file beside path, syncs it and renames it over path.
func writeAtomic(path string, b []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // the rename itself survives a crash once the directory is synced
		_ = d.Close()
	}
	return nil
}

// appendTicketSnapshot encodes s's tickets in id order, as a load from the database would add
// them, so that a store built from the snapshot equals one loaded ticket by ticket.
func appendTicketSnapshot(b []byte, st stamp, key string, s *ticket.Store) []byte {
	order := make([]int32, s.Len())
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, c int32) int { return strings.Compare(s.View(int(a)).ID(), s.View(int(c)).ID()) })

	strs := map[string]uint32{"": 0}
	table := []string{""}
	str := func(v string) uint64 {
		id, ok := strs[v]
		if !ok {
			id = uint32(len(table))
			strs[v] = id
			table = append(table, v)
		}
		return uint64(id)
	}
	var body, idLens, ids []byte
	var nhist, nkv, nnative int
	for _, i := range order {
		v := s.View(int(i))
		t := v.Ticket() // for its fields and native records; the rest reads the view
		idLens = binary.AppendUvarint(idLens, uint64(len(t.ID)))
		ids = append(ids, t.ID...)
		nhist, nkv, nnative = nhist+len(t.History), nkv+2*len(t.Fields), nnative+len(t.Native)
		body = binary.AppendVarint(body, v.Created())
		if r, ok := v.FirstResponse(); ok {
			body = binary.AppendUvarint(body, uint64(r-v.Created())+1)
		} else {
			body = append(body, 0)
		}
		body = binary.AppendUvarint(body, str(t.Priority))
		body = binary.AppendUvarint(body, str(t.Type))
		body = binary.AppendUvarint(body, str(t.Group))
		body = append(body, byte(t.Rating))
		body = binary.AppendUvarint(body, uint64(t.Reassignments))
		body = binary.AppendUvarint(body, uint64(v.WorkTime()/time.Second))
		body = binary.AppendUvarint(body, uint64(v.HistoryLen()))
		prev := v.Created()
		for j := range v.HistoryLen() {
			at, cat := v.History(j)
			body = binary.AppendVarint(body, at-prev)
			body = binary.AppendUvarint(body, str(v.HistoryStatus(j)))
			body = append(body, byte(cat))
			prev = at
		}
		keys := make([]string, 0, len(t.Fields))
		for k := range t.Fields {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		body = binary.AppendUvarint(body, uint64(len(keys)))
		for _, k := range keys {
			body = binary.AppendUvarint(body, str(k))
			body = binary.AppendUvarint(body, str(t.Fields[k]))
		}
		body = binary.AppendUvarint(body, uint64(len(t.Native)))
		for j := range t.Native {
			n := &t.Native[j]
			flags := nativeFlags(n)
			if !n.Start.IsZero() {
				flags |= 1 << 4
			}
			body = binary.AppendUvarint(body, str(n.Name))
			body = binary.AppendUvarint(body, str(n.Clock))
			body = append(body, flags)
			for _, at := range [...]struct {
				on bool
				u  int64
			}{{!n.Start.IsZero(), n.Start.Unix()}, {!n.Deadline.IsZero(), n.Deadline.Unix()}, {!n.Stop.IsZero(), n.Stop.Unix()}} {
				if at.on {
					body = binary.AppendVarint(body, at.u)
				}
			}
		}
	}

	b = append(b, ticketSnapMagic...)
	b = append(b, ticketSnapVersion)
	b = append(b, st.instance[:]...)
	b = binary.BigEndian.AppendUint64(b, st.generation)
	b = appendString(b, key)
	b = binary.AppendUvarint(b, uint64(len(table)))
	for _, v := range table {
		b = appendString(b, v)
	}
	// Counts first, so the reader sizes every column once; ids in one block, read as one string.
	for _, n := range []int{len(order), nhist, nkv, nnative} {
		b = binary.AppendUvarint(b, uint64(n))
	}
	b = append(b, idLens...)
	b = appendString(b, string(ids))
	b = append(b, body...)
	return appendCRC(b)
}

// appendCRC appends the CRC-32C of b, which frames a snapshot.
func appendCRC(b []byte) []byte {
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// readTicketSnapshot checks a snapshot file's frame (checksum, magic, version, stamp and key)
// and builds the store it holds.
func readTicketSnapshot(b []byte, want stamp, key string, opts ticket.StoreOptions) (*ticket.Store, error) {
	if len(b) < len(ticketSnapMagic)+1+16+8+4 {
		return nil, errors.New("snapshot is truncated")
	}
	body, sum := b[:len(b)-4], binary.BigEndian.Uint32(b[len(b)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, errors.New("snapshot checksum mismatch (torn or corrupt)")
	}
	if string(body[:len(ticketSnapMagic)]) != ticketSnapMagic {
		return nil, errors.New("not a ticket snapshot")
	}
	body = body[len(ticketSnapMagic):]
	version := body[0]
	if version != ticketSnapVersion && version != ticketSnapV1 {
		return nil, fmt.Errorf("snapshot version %d, this build reads %d and %d", version, ticketSnapV1, ticketSnapVersion)
	}
	var got stamp
	copy(got.instance[:], body[1:17])
	got.generation = binary.BigEndian.Uint64(body[17:25])
	if got != want {
		return nil, fmt.Errorf("snapshot is of commit %d, the last commit is %d (or of another database file)", got.generation, want.generation)
	}
	d := decoder{b: body[25:]}
	if k := d.string(); k != key || d.err != nil {
		return nil, errors.New("snapshot was taken under other settings")
	}
	c, err := decodeColumns(&d, version)
	if err != nil {
		return nil, err
	}
	return ticket.NewStoreFromColumns(c, opts)
}

// decodeColumns reads the string table and the tickets into columns sized from the counts
// written before them. The ids are cut from one string, so a million ids cost one allocation.
// A version 1 snapshot has no work times: the column stays nil.
func decodeColumns(d *decoder, version byte) (*ticket.Columns, error) {
	work := version >= 2
	c := &ticket.Columns{}
	c.Strings = make([]string, d.count(1))
	for i := range c.Strings {
		c.Strings[i] = d.string()
	}
	// Every ticket takes at least 10 bytes (id length, created, response, three strings, rating,
	// reassignments and three counts; 11 with the work time), a change 3, a field 1, a native
	// record 3.
	least := 10
	if work {
		least = 11
	}
	n, nhist, nkv, nnative := d.count(least), d.count(3), d.count(1), d.count(3)
	if d.err != nil {
		return nil, d.err
	}
	c.IDs = make([]string, n)
	c.Created, c.Response = make([]int64, n), make([]int64, n)
	c.Priority, c.Type, c.Group = make([]uint32, n), make([]uint32, n), make([]uint32, n)
	c.Rating, c.Reassignments = make([]ticket.Rating, n), make([]uint16, n)
	if work {
		c.WorkTime = make([]uint32, n)
	}
	c.HistoryLen, c.FieldsLen, c.NativeLen = make([]uint16, n), make([]uint16, n), make([]uint8, n)
	c.HistoryAt, c.HistoryStatus, c.HistoryCategory = make([]int64, 0, nhist), make([]uint32, 0, nhist), make([]ticket.Category, 0, nhist)
	c.FieldKV, c.Native = make([]uint32, 0, nkv), make([]ticket.NativeSLA, 0, nnative)
	ends := make([]int, n)
	end := 0
	for i := range ends {
		end += int(min(d.uvarint(), 1<<20))
		ends[i] = end
	}
	all := d.raw()
	if d.err == nil && end != len(all) {
		d.fail(errors.New("id lengths do not add up to the ids"))
	}
	if d.err != nil {
		return nil, fmt.Errorf("snapshot: %w", d.err)
	}
	start := 0
	for i, end := range ends {
		c.IDs[i] = all[start:end]
		start = end
	}
	idx := func() uint32 {
		v := d.uvarint()
		if v >= uint64(len(c.Strings)) {
			d.fail(errors.New("string index out of range"))
		}
		return uint32(v)
	}
	for i := range n {
		created := d.varint()
		c.Created[i] = created
		c.Response[i] = ticket.NoResponse
		if r := d.uvarint(); r > 0 {
			c.Response[i] = created + int64(r-1)
		}
		c.Priority[i], c.Type[i], c.Group[i] = idx(), idx(), idx()
		c.Rating[i] = ticket.Rating(int8(d.byte()))
		c.Reassignments[i] = uint16(min(d.uvarint(), 1<<16-1))
		if work {
			c.WorkTime[i] = uint32(min(d.uvarint(), math.MaxUint32))
		}
		nh := d.count(3)
		c.HistoryLen[i] = uint16(min(nh, 1<<16-1))
		prev := created
		for range nh {
			prev += d.varint()
			c.HistoryAt = append(c.HistoryAt, prev)
			c.HistoryStatus = append(c.HistoryStatus, idx())
			c.HistoryCategory = append(c.HistoryCategory, ticket.Category(d.byte()))
		}
		nf := d.count(2)
		c.FieldsLen[i] = uint16(min(nf, 1<<16-1))
		for range nf {
			c.FieldKV = append(c.FieldKV, idx(), idx())
		}
		nn := d.count(3)
		c.NativeLen[i] = uint8(min(nn, 1<<8-1))
		for range nn {
			c.Native = append(c.Native, d.snapNative(c.Strings, idx))
		}
		if d.err != nil {
			break
		}
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%d bytes after the last ticket", len(d.b))
	}
	if d.err != nil {
		return nil, fmt.Errorf("snapshot: %w", d.err)
	}
	return c, nil
}

// raw reads a length-prefixed string without interning it.
func (d *decoder) raw() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail(errShort)
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) snapNative(strs []string, idx func() uint32) ticket.NativeSLA {
	name, clock := idx(), idx()
	flags := d.byte()
	if d.err != nil || int(name) >= len(strs) || int(clock) >= len(strs) {
		d.fail(errShort)
		return ticket.NativeSLA{}
	}
	n := ticket.NativeSLA{Name: strs[name], Clock: strs[clock],
		Breached: flags&nativeBreached != 0, Paused: flags&nativePaused != 0}
	if flags&(1<<4) != 0 {
		n.Start = unixUTC(d.varint())
	}
	if flags&nativeHasDeadline != 0 {
		n.Deadline = unixUTC(d.varint())
	}
	if flags&nativeHasStop != 0 {
		n.Stop = unixUTC(d.varint())
	}
	return n
}

// loadTicketSnapshot builds source's tickets from its snapshot when it is current; the error
// says why not otherwise (errNoSnapshot when there is none).
func (db *DB) loadTicketSnapshot(tx *bolt.Tx, source, key string, opts ticket.StoreOptions) (*ticket.Store, error) {
	want, ok := sourceStamp(tx, source)
	if !ok {
		return nil, errNoSnapshot
	}
	b, err := os.ReadFile(db.ticketSnapPath(source))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNoSnapshot
	}
	if err != nil {
		return nil, err
	}
	return readTicketSnapshot(b, want, key, opts)
}

// isNoSnapshot reports whether err only says there was no snapshot to use.
func isNoSnapshot(err error) bool { return errors.Is(err, errNoSnapshot) }

func unixUTC(u int64) time.Time { return time.Unix(u, 0).UTC() }
