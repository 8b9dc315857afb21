package store

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sla-exporter/sla_exporter/slo/availability"
	"github.com/sla-exporter/sla_exporter/slo/events"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// Batch is what one sync commits. It mirrors collector.Batch (which this package cannot import)
// with the rejections reduced to their count.
type Batch struct {
	// Tickets replace stored tickets with the same id.
	Tickets []ticket.Ticket
	// Uptime samples and outages replace stored ones at the same instant (sample time, outage
	// start); coverage is added to the series' union.
	Uptime []Uptime
	// Events buckets replace stored buckets with the same start: a source that re-reads an
	// overlapping window reports the bucket's full counts again, so adding would count twice.
	Events []Events
	// Rejected is added to the source's stored count of rejected records.
	Rejected int
	// Checkpoint is stored with the records, in the same transaction.
	Checkpoint []byte
	// Replace drops the source's records (not its rejected count) before writing the batch.
	Replace bool
	// Deleted are ids of tickets to drop before writing the batch's tickets (so that a ticket
	// of the batch with one of these ids is kept).
	Deleted []string
	// Config identifies the source configuration the records were collected under, so that a
	// restart with a changed configuration knows the stored records describe something else.
	Config string
	// Store, when set, holds the batch's tickets instead of Tickets (which must then be empty):
	// they are materialized a chunk at a time while they are written, so that a caller who
	// built the store from a large snapshot need not keep the []ticket.Ticket as well.
	Store *ticket.Store
}

// ChunkTickets is how many tickets one transaction writes when a batch of more is committed in
// chunks. bbolt keeps every key, value and dirty page of a transaction in memory until it
// commits, so one transaction of a million tickets peaked at gigabytes; a chunk of this size
// costs a few tens of megabytes. A variable for the tests.
var ChunkTickets = 50_000

// afterChunk, when set (by tests), runs after each chunk is committed; an error stops the commit
// there, as a crash would.
var afterChunk func(chunk int) error

// tickets returns the number of tickets of b, and a function materializing ticket i of them.
func (b *Batch) tickets() (int, func(i int) ticket.Ticket) {
	if b.Store != nil {
		return b.Store.Len(), func(i int) ticket.Ticket { return b.Store.View(i).Ticket() }
	}
	return len(b.Tickets), func(i int) ticket.Ticket { return b.Tickets[i] }
}

// Uptime is availability data for one series.
type Uptime struct {
	Series  string
	Samples []availability.Sample
	Outages []availability.Outage
	// Maintenance windows replace stored ones with the same start.
	Maintenance []availability.Window
	// Covered is the time the outages describe; zero when the batch says nothing about it.
	Covered Span
}

// Events is good/total counts for one series.
type Events struct {
	Series  string
	Buckets []events.Bucket
}

// Span is the time range [From, To).
type Span struct{ From, To time.Time }

// Commit writes a batch, its checkpoint, its rejected count and the success time at, synced to
// disk before it returns. After a crash the file holds either all of it or none of it.
//
// A batch of up to ChunkTickets tickets is one transaction. A larger one that replaces the
// source's tickets (a Replace, or any batch when the source holds no tickets yet: a first sync)
// is written in chunks of ChunkTickets into a staging bucket, each its own transaction, and a
// last transaction moves the staged tickets into place with the checkpoint and the rest: until
// it commits, the stored state, checkpoint included, is the previous one, and a staging bucket
// left by a crash is dropped by the next commit. A larger batch that adds to held tickets is
// staged the same way and copied into place by the last transaction.
func (db *DB) Commit(source string, b Batch, at time.Time) error {
	if n, _ := b.tickets(); n > ChunkTickets {
		if err := db.commitChunked(source, b, at); err != nil {
			return fmt.Errorf("commit source %q: %w", source, err)
		}
		return nil
	}
	if b.Store != nil {
		n, get := b.tickets()
		b.Tickets = make([]ticket.Ticket, n)
		for i := range n {
			b.Tickets[i] = get(i)
		}
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		sb, err := sourceBucket(tx, source)
		if err != nil {
			return err
		}
		if b.Replace {
			if err := dropBuckets(sb, dataBuckets...); err != nil {
				return err
			}
		}
		if err := deleteTickets(sb, b.Deleted); err != nil {
			return err
		}
		if err := putTickets(sb, b.Tickets); err != nil {
			return err
		}
		return putRest(sb, b, at)
	})
	if err != nil {
		return fmt.Errorf("commit source %q: %w", source, err)
	}
	return nil
}

// putRest writes what a batch holds besides its tickets, and its meta.
func putRest(sb *bolt.Bucket, b Batch, at time.Time) error {
	for _, u := range b.Uptime {
		if err := putUptime(sb, u); err != nil {
			return fmt.Errorf("series %q: %w", u.Series, err)
		}
	}
	for _, e := range b.Events {
		if err := putEvents(sb, e); err != nil {
			return fmt.Errorf("series %q: %w", e.Series, err)
		}
	}
	return putMeta(sb, b, at)
}

// sourceBucket is the bucket of source, made on its first commit, without the staging bucket a
// crash during a chunked commit may have left in it.
func sourceBucket(tx *bolt.Tx, source string) (*bolt.Bucket, error) {
	sb, err := tx.Bucket(bucketSources).CreateBucketIfNotExists([]byte(source))
	if err != nil {
		return nil, err
	}
	if err := dropBuckets(sb, bucketStaging); err != nil {
		return nil, err
	}
	return sb, nil
}

// dropBuckets deletes those of the named buckets under sb that exist.
func dropBuckets(sb *bolt.Bucket, names ...[]byte) error {
	for _, name := range names {
		if sb.Bucket(name) == nil {
			continue
		}
		if err := sb.DeleteBucket(name); err != nil {
			return err
		}
	}
	return nil
}

func deleteTickets(sb *bolt.Bucket, ids []string) error {
	tb := sb.Bucket(bucketTickets)
	if tb == nil {
		return nil
	}
	for _, id := range ids {
		if err := tb.Delete([]byte(id)); err != nil {
			return fmt.Errorf("ticket %s: %w", id, err)
		}
	}
	return nil
}

func putTickets(sb *bolt.Bucket, tickets []ticket.Ticket) error {
	if len(tickets) == 0 {
		return nil
	}
	tb, err := sb.CreateBucketIfNotExists(bucketTickets)
	if err != nil {
		return err
	}
	// ITSM ids mostly grow (INC0012345), so pages fill from the right: split them nearly full
	// instead of half full. Updates of existing tickets rewrite values in place.
	tb.FillPercent = 0.9
	// Put in key order: bbolt inserts into a node's sorted slice, so keys in random order (Jira
	// keys, a date-ordered export) cost a copy of the node per Put and made a first commit of
	// 200,000 tickets take two minutes; in order, each Put appends. The caller's order is kept.
	order := make([]int32, len(tickets))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(tickets[a].ID, tickets[b].ID) })
	// bbolt keeps references to keys and values until the commit, so every value needs its own
	// bytes: encode them all into one buffer (grown as needed, old arrays stay referenced).
	var buf []byte
	for _, i := range order {
		t := &tickets[i]
		if t.ID == "" {
			return fmt.Errorf("ticket %d has no id", i)
		}
		start := len(buf)
		buf = appendTicket(buf, t)
		if err := tb.Put([]byte(t.ID), buf[start:len(buf):len(buf)]); err != nil {
			return fmt.Errorf("ticket %s: %w", t.ID, err)
		}
	}
	return nil
}

// seriesBucket returns the bucket of one series under kind (samples, outages, events), filled
// densely since keys are times and mostly arrive in order.
func seriesBucket(sb *bolt.Bucket, kind []byte, series string) (*bolt.Bucket, error) {
	kb, err := sb.CreateBucketIfNotExists(kind)
	if err != nil {
		return nil, err
	}
	b, err := kb.CreateBucketIfNotExists([]byte(series))
	if err != nil {
		return nil, err
	}
	b.FillPercent = 0.9
	return b, nil
}

func putUptime(sb *bolt.Bucket, u Uptime) error {
	if len(u.Samples) > 0 {
		b, err := seriesBucket(sb, bucketSamples, u.Series)
		if err != nil {
			return err
		}
		for _, s := range u.Samples {
			k, err := timeKey(s.At)
			if err != nil {
				return fmt.Errorf("sample: %w", err)
			}
			if err := b.Put(k, []byte{byte(s.State)}); err != nil {
				return err
			}
		}
	}
	if len(u.Outages) > 0 {
		b, err := seriesBucket(sb, bucketOutages, u.Series)
		if err != nil {
			return err
		}
		for _, o := range u.Outages {
			k, err := timeKey(o.Start)
			if err != nil {
				return fmt.Errorf("outage: %w", err)
			}
			end, err := timeKey(o.End)
			if err != nil {
				return fmt.Errorf("outage: %w", err)
			}
			if err := b.Put(k, append(end, byte(o.State))); err != nil {
				return err
			}
		}
	}
	if len(u.Maintenance) > 0 {
		b, err := seriesBucket(sb, bucketMaint, u.Series)
		if err != nil {
			return err
		}
		for _, w := range u.Maintenance {
			k, err := timeKey(w.Start)
			if err != nil {
				return fmt.Errorf("maintenance: %w", err)
			}
			end, err := timeKey(w.End)
			if err != nil {
				return fmt.Errorf("maintenance: %w", err)
			}
			if err := b.Put(k, end); err != nil {
				return err
			}
		}
	}
	if u.Covered != (Span{}) {
		return addCoverage(sb, u.Series, u.Covered)
	}
	return nil
}

// addCoverage merges a span into the series' stored coverage.
func addCoverage(sb *bolt.Bucket, series string, s Span) error {
	cb, err := sb.CreateBucketIfNotExists(bucketCoverage)
	if err != nil {
		return err
	}
	spans, err := decodeSpans(cb.Get([]byte(series)))
	if err != nil {
		return fmt.Errorf("stored coverage: %w", err)
	}
	return cb.Put([]byte(series), appendSpans(nil, MergeSpans(append(spans, s))))
}

func putEvents(sb *bolt.Bucket, e Events) error {
	if len(e.Buckets) == 0 {
		return nil
	}
	b, err := seriesBucket(sb, bucketEvents, e.Series)
	if err != nil {
		return err
	}
	for _, eb := range e.Buckets {
		k, err := timeKey(eb.Start)
		if err != nil {
			return fmt.Errorf("bucket: %w", err)
		}
		v := appendFloat(appendFloat(make([]byte, 0, 16), eb.Good), eb.Total)
		if err := b.Put(k, v); err != nil {
			return err
		}
	}
	return nil
}

func putMeta(sb *bolt.Bucket, b Batch, at time.Time) error {
	mb, err := sb.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return err
	}
	if b.Checkpoint == nil {
		err = mb.Delete(keyCheckpoint)
	} else {
		err = mb.Put(keyCheckpoint, b.Checkpoint)
	}
	if err != nil {
		return err
	}
	if err := mb.Put(keyLastSuccess, appendTime(nil, at)); err != nil {
		return err
	}
	if err := mb.Put(keyConfig, []byte(b.Config)); err != nil {
		return err
	}
	if err := putGeneration(mb); err != nil {
		return err
	}
	if b.Rejected > 0 {
		n := uint64(b.Rejected)
		if v := mb.Get(keyRejected); len(v) == 8 {
			n += binary.BigEndian.Uint64(v)
		}
		return mb.Put(keyRejected, binary.BigEndian.AppendUint64(nil, n))
	}
	return nil
}
