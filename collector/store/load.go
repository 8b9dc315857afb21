package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sla-exporter/sla_exporter/slo/availability"
	"github.com/sla-exporter/sla_exporter/slo/events"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// State is everything stored for one source.
type State struct {
	// Tickets are in id byte order. Scan leaves it nil and streams them instead.
	Tickets []ticket.Ticket
	// Uptime is per series; samples are in time order, outages in start order.
	Uptime map[string]*UptimeState
	// Events are per series, in start order.
	Events map[string][]events.Bucket
	// Checkpoint is the one committed with the last batch; nil when nothing was committed.
	Checkpoint []byte
	// LastSuccess is the at of the last Commit; zero when nothing was committed.
	LastSuccess time.Time
	// Rejected is the number of rejected records over all commits.
	Rejected uint64
	// Config is the Batch.Config of the last commit.
	Config string
	// Generation identifies the last commit (the id of its transaction, which only grows);
	// zero when nothing was committed.
	Generation uint64
}

// UptimeState is the stored availability data of one series.
type UptimeState struct {
	Samples []availability.Sample
	Outages []availability.Outage
	// Maintenance is in start order.
	Maintenance []availability.Window
	// Covered is the union of the coverage committed, merged and in order.
	Covered []Span
}

// Load returns everything stored for a source; an unknown source has an empty State.
func (db *DB) Load(source string) (State, error) {
	var tickets []ticket.Ticket
	st, err := db.Scan(source, func(t *ticket.Ticket) error {
		tickets = append(tickets, *t)
		return nil
	})
	st.Tickets = tickets
	return st, err
}

// Scan is Load streaming the tickets to fn, so that a start-up with a million tickets does not
// hold them all decoded at once. fn may keep the ticket; an error from it stops the scan and is
// returned.
func (db *DB) Scan(source string, fn func(*ticket.Ticket) error) (State, error) {
	var st State
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		st, err = scanSource(tx, source, fn)
		return err
	})
	if err != nil {
		return State{}, fmt.Errorf("load source %q: %w", source, err)
	}
	return st, nil
}

// ScanSnapshot is Scan that takes the tickets from the source's ticket snapshot (SaveTickets)
// when it holds the source's last commit and was taken under the settings key: tickets is then
// the store built from it, with opts, and fn is not called. Otherwise tickets is nil, fn gets
// every stored ticket as from Scan, and why says why the snapshot was unusable ("" when there
// was none). Both read the same transaction, so no commit can fall between them.
func (db *DB) ScanSnapshot(source, key string, opts ticket.StoreOptions, fn func(*ticket.Ticket) error) (st State, tickets *ticket.Store, why string, err error) {
	err = db.bolt.View(func(tx *bolt.Tx) error {
		var serr error
		tickets, serr = db.loadTicketSnapshot(tx, source, key, opts)
		if serr != nil {
			tickets = nil
			if !isNoSnapshot(serr) {
				why = serr.Error()
			}
		}
		scan := fn
		if tickets != nil {
			scan = nil
		}
		var err error
		st, err = scanSource(tx, source, scan)
		return err
	})
	if err != nil {
		return State{}, nil, why, fmt.Errorf("load source %q: %w", source, err)
	}
	return st, tickets, why, nil
}

// Generation is the Generation of source's last commit; zero when nothing was committed.
func (db *DB) Generation(source string) (uint64, error) {
	var gen uint64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		st, _ := sourceStamp(tx, source)
		gen = st.generation
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("generation of source %q: %w", source, err)
	}
	return gen, nil
}

// scanSource reads a source's state in tx, streaming its tickets to fn unless fn is nil.
func scanSource(tx *bolt.Tx, source string, fn func(*ticket.Ticket) error) (State, error) {
	var st State
	sb := tx.Bucket(bucketSources).Bucket([]byte(source))
	if sb == nil {
		return st, nil
	}
	if err := loadMeta(sb.Bucket(bucketMeta), &st); err != nil {
		return st, fmt.Errorf("meta: %w", err)
	}
	if err := loadUptime(sb, &st); err != nil {
		return st, err
	}
	if err := loadEvents(sb, &st); err != nil {
		return st, err
	}
	if fn == nil {
		return st, nil
	}
	return st, scanTickets(sb.Bucket(bucketTickets), fn)
}

func loadMeta(mb *bolt.Bucket, st *State) error {
	if mb == nil {
		return nil
	}
	if v := mb.Get(keyCheckpoint); v != nil {
		st.Checkpoint = bytes.Clone(v)
	}
	if v := mb.Get(keyLastSuccess); v != nil {
		d := decoder{b: v}
		st.LastSuccess = d.time()
		if d.err != nil {
			return fmt.Errorf("last success: %w", d.err)
		}
	}
	if v := mb.Get(keyRejected); len(v) == 8 {
		st.Rejected = binary.BigEndian.Uint64(v)
	}
	st.Config = string(mb.Get(keyConfig))
	if v := mb.Get(keyGeneration); len(v) == 8 {
		st.Generation = binary.BigEndian.Uint64(v)
	}
	return nil
}

func scanTickets(tb *bolt.Bucket, fn func(*ticket.Ticket) error) error {
	if tb == nil {
		return nil
	}
	in := interner{}
	return tb.ForEach(func(k, v []byte) error {
		t := new(ticket.Ticket)
		if err := decodeTicket(string(k), v, t, in); err != nil {
			return fmt.Errorf("ticket %q: %w", k, err)
		}
		return fn(t)
	})
}

// eachSeries calls fn with every series bucket under kind.
func eachSeries(sb *bolt.Bucket, kind []byte, fn func(series string, b *bolt.Bucket) error) error {
	kb := sb.Bucket(kind)
	if kb == nil {
		return nil
	}
	return kb.ForEachBucket(func(k []byte) error {
		if err := fn(string(k), kb.Bucket(k)); err != nil {
			return fmt.Errorf("%s of series %q: %w", kind, k, err)
		}
		return nil
	})
}

func loadUptime(sb *bolt.Bucket, st *State) error {
	get := func(series string) *UptimeState {
		if st.Uptime == nil {
			st.Uptime = map[string]*UptimeState{}
		}
		u := st.Uptime[series]
		if u == nil {
			u = &UptimeState{}
			st.Uptime[series] = u
		}
		return u
	}
	err := eachSeries(sb, bucketSamples, func(series string, b *bolt.Bucket) error {
		u := get(series)
		return b.ForEach(func(k, v []byte) error {
			at, err := keyTime(k)
			if err != nil {
				return err
			}
			if len(v) != 1 {
				return fmt.Errorf("sample value of %d bytes", len(v))
			}
			u.Samples = append(u.Samples, availability.Sample{At: at, State: availability.State(v[0])})
			return nil
		})
	})
	if err != nil {
		return err
	}
	err = eachSeries(sb, bucketOutages, func(series string, b *bolt.Bucket) error {
		u := get(series)
		return b.ForEach(func(k, v []byte) error {
			start, err := keyTime(k)
			if err != nil {
				return err
			}
			if len(v) != 9 {
				return fmt.Errorf("outage value of %d bytes", len(v))
			}
			end, err := keyTime(v[:8])
			if err != nil {
				return err
			}
			u.Outages = append(u.Outages, availability.Outage{Start: start, End: end, State: availability.State(v[8])})
			return nil
		})
	})
	if err != nil {
		return err
	}
	err = eachSeries(sb, bucketMaint, func(series string, b *bolt.Bucket) error {
		u := get(series)
		return b.ForEach(func(k, v []byte) error {
			start, err := keyTime(k)
			if err != nil {
				return err
			}
			if len(v) != 8 {
				return fmt.Errorf("maintenance value of %d bytes", len(v))
			}
			end, err := keyTime(v)
			if err != nil {
				return err
			}
			u.Maintenance = append(u.Maintenance, availability.Window{Start: start, End: end})
			return nil
		})
	})
	if err != nil {
		return err
	}
	if cb := sb.Bucket(bucketCoverage); cb != nil {
		return cb.ForEach(func(k, v []byte) error {
			spans, err := decodeSpans(v)
			if err != nil {
				return fmt.Errorf("coverage of series %q: %w", k, err)
			}
			get(string(k)).Covered = spans
			return nil
		})
	}
	return nil
}

func loadEvents(sb *bolt.Bucket, st *State) error {
	return eachSeries(sb, bucketEvents, func(series string, b *bolt.Bucket) error {
		var buckets []events.Bucket
		err := b.ForEach(func(k, v []byte) error {
			start, err := keyTime(k)
			if err != nil {
				return err
			}
			d := decoder{b: v}
			eb := events.Bucket{Start: start, Good: d.float(), Total: d.float()}
			if d.err != nil {
				return d.err
			}
			buckets = append(buckets, eb)
			return nil
		})
		if st.Events == nil {
			st.Events = map[string][]events.Bucket{}
		}
		st.Events[series] = buckets
		return err
	})
}
