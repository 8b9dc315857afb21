package store

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// bucketStaging, under a source's bucket, holds the tickets of a batch committed in chunks until
// its last transaction moves them into place. Load never reads it.
var bucketStaging = []byte("staging")

// commitChunked writes a batch of more than ChunkTickets tickets as Commit describes.
func (db *DB) commitChunked(source string, b Batch, at time.Time) error {
	n, get := b.tickets()
	// Staged in id order, so that every chunk appends to the staging bucket's last page.
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	id := func(i int32) string {
		if b.Store != nil {
			return b.Store.View(int(i)).ID()
		}
		return b.Tickets[i].ID
	}
	slices.SortFunc(order, func(x, y int32) int { return strings.Compare(id(x), id(y)) })
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		sb, err := sourceBucket(tx, source)
		if err != nil {
			return err
		}
		stage, err := sb.CreateBucket(bucketStaging)
		if err != nil {
			return err
		}
		_, err = stage.CreateBucket(bucketTickets)
		return err
	})
	if err != nil {
		return err
	}
	chunk := make([]ticket.Ticket, 0, min(n, ChunkTickets))
	for c, start := 0, 0; start < n; c, start = c+1, start+ChunkTickets {
		chunk = chunk[:0]
		for _, i := range order[start:min(start+ChunkTickets, n)] {
			chunk = append(chunk, get(int(i)))
		}
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			if staged(tx, source) == nil {
				return errors.New("the staged tickets were dropped while they were written")
			}
			// putTickets writes under the bucket it is given, as under a source's.
			return putTickets(tx.Bucket(bucketSources).Bucket([]byte(source)).Bucket(bucketStaging), chunk)
		})
		if err != nil {
			return fmt.Errorf("chunk %d of %d tickets: %w", c+1, len(chunk), err)
		}
		if afterChunk != nil {
			if err := afterChunk(c + 1); err != nil {
				return err
			}
		}
	}
	clear(chunk) // let the last chunk's maps and histories go before the last transaction
	return db.bolt.Update(func(tx *bolt.Tx) error {
		sb := tx.Bucket(bucketSources).Bucket([]byte(source))
		if staged(tx, source) == nil {
			return errors.New("the staged tickets were dropped while they were written")
		}
		stage := sb.Bucket(bucketStaging)
		if b.Replace {
			if err := dropBuckets(sb, dataBuckets...); err != nil {
				return err
			}
		}
		if err := deleteTickets(sb, b.Deleted); err != nil {
			return err
		}
		live := sb.Bucket(bucketTickets)
		if k, _ := firstKey(live); k == nil {
			// Nothing to merge with: the staged bucket becomes the source's.
			if err := dropBuckets(sb, bucketTickets); err != nil {
				return err
			}
			if err := stage.MoveBucket(bucketTickets, sb); err != nil {
				return err
			}
		} else if err := copyStaged(live, stage.Bucket(bucketTickets)); err != nil {
			return err
		}
		if err := sb.DeleteBucket(bucketStaging); err != nil {
			return err
		}
		return putRest(sb, b, at)
	})
}

// firstKey is b's first key, nil when b is nil or empty.
func firstKey(b *bolt.Bucket) ([]byte, []byte) {
	if b == nil {
		return nil, nil
	}
	return b.Cursor().First()
}

// staged is the staging tickets bucket of source, nil when there is none.
func staged(tx *bolt.Tx, source string) *bolt.Bucket {
	sb := tx.Bucket(bucketSources).Bucket([]byte(source))
	if sb == nil {
		return nil
	}
	stage := sb.Bucket(bucketStaging)
	if stage == nil {
		return nil
	}
	return stage.Bucket(bucketTickets)
}

// copyStaged puts the staged tickets into the live bucket, replacing those with the same ids.
func copyStaged(live, stage *bolt.Bucket) error {
	live.FillPercent = 0.9
	return stage.ForEach(func(k, v []byte) error {
		if err := live.Put(k, v); err != nil {
			return fmt.Errorf("ticket %s: %w", k, err)
		}
		return nil
	})
}
