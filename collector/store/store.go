// Package store keeps what sources collected on disk, in one bbolt file, so that a restart serves
// the previous figures at once and resumes every source from its checkpoint, and so that probe
// history (which no source can fetch again) survives.
//
// Each sync is committed in one transaction with its checkpoint: after a crash the file holds
// either the whole batch and its checkpoint or neither, and the source resumes from the last
// checkpoint that was committed with its records.
//
// The package does not import collector (which imports it): Batch and State mirror the parts of
// collector.Batch that are persisted, and the collector converts.
package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// FileName is the database file inside the storage directory.
const FileName = "sla_exporter.db"

// schemaVersion is written once in a new file; a file from an incompatible version is refused
// rather than misread.
const schemaVersion = 1

// Layout. Every source has its own bucket under "sources", holding:
//
//	meta      checkpoint, last_success, rejected, config
//	tickets   ticket id -> ticket (appendTicket)
//	samples   series -> { time key -> state }
//	outages   series -> { start key -> end, state }
//	coverage  series -> spans (union of the time the outages describe)
//	events    series -> { start key -> good, total }
//
// and "history" holds objective -> { period label -> frozen result }; "deliveries" holds the
// state of scheduled report deliveries (deliveries.go).
var (
	bucketMeta     = []byte("meta")
	bucketSources  = []byte("sources")
	bucketHistory  = []byte("history")
	bucketTickets  = []byte("tickets")
	bucketSamples  = []byte("samples")
	bucketOutages  = []byte("outages")
	bucketCoverage = []byte("coverage")
	bucketEvents   = []byte("events")
	bucketMaint    = []byte("maintenance")

	// dataBuckets are dropped by a Replace batch; meta survives it.
	dataBuckets = [][]byte{bucketTickets, bucketSamples, bucketOutages, bucketCoverage, bucketEvents, bucketMaint}

	keyVersion     = []byte("version")
	keyCheckpoint  = []byte("checkpoint")
	keyLastSuccess = []byte("last_success")
	keyRejected    = []byte("rejected")
	keyConfig      = []byte("config")
)

// ErrLocked is returned by Open when another process holds the database.
var ErrLocked = errors.New("database is locked by another process")

// DB is the on-disk store. Its methods are safe for concurrent use: bbolt serialises writers
// and lets readers run beside them.
type DB struct {
	bolt *bolt.DB
	path string
}

// Open opens (creating it if needed) the database in dir. A second process opening the same
// directory gets ErrLocked after a second instead of waiting forever.
func Open(dir string) (*DB, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create storage directory: %w", err)
	}
	path := filepath.Join(dir, FileName)
	b, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout: time.Second,
		// The free list is rebuilt on open instead of written on every commit: commits of big
		// files get cheaper, start-up pays a scan it does anyway to load the data.
		NoFreelistSync: true,
		FreelistType:   bolt.FreelistMapType,
	})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("open %s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db := &DB{bolt: b, path: path}
	if err := db.init(); err != nil {
		_ = b.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

func (db *DB) init() error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		v := meta.Get(keyVersion)
		switch {
		case v == nil:
			if err := meta.Put(keyVersion, []byte{schemaVersion}); err != nil {
				return err
			}
		case !bytes.Equal(v, []byte{schemaVersion}):
			return fmt.Errorf("schema version %v, this build reads %d", v, schemaVersion)
		}
		for _, name := range [][]byte{bucketSources, bucketHistory} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return ensureInstance(tx)
	})
}

// Path is the database file's path.
func (db *DB) Path() string { return db.path }

// Size is the database file's size in bytes.
func (db *DB) Size() (int64, error) {
	var n int64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		n = tx.Size()
		return nil
	})
	return n, err
}

// Close closes the file. Pending transactions finish first.
func (db *DB) Close() error { return db.bolt.Close() }

// Sources lists the sources with stored state, in byte order.
func (db *DB) Sources() ([]string, error) {
	var names []string
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSources).ForEachBucket(func(k []byte) error {
			names = append(names, string(k))
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	return names, nil
}

// Drop deletes everything stored for a source (one removed from the configuration). Dropping an
// unknown source is not an error.
func (db *DB) Drop(source string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		err := tx.Bucket(bucketSources).DeleteBucket([]byte(source))
		if errors.Is(err, bolterrors.ErrBucketNotFound) {
			return nil
		}
		return err
	})
	if err == nil {
		// Stale once the source is gone (its generation with it), but no use keeping.
		err = db.removeTicketSnapshot(source)
	}
	if err != nil {
		return fmt.Errorf("drop source %q: %w", source, err)
	}
	return nil
}
