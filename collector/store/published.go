package store

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// keyPublished holds the last published snapshot, in the form collector.EncodeSnapshot gives
// it: opaque here.
var keyPublished = []byte("published")

// PutPublished stores the last published snapshot, replacing the one stored before.
func (db *DB) PutPublished(value []byte) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyPublished, bytes.Clone(value))
	})
	if err != nil {
		return fmt.Errorf("store the published snapshot: %w", err)
	}
	return nil
}

// Published returns the stored snapshot; nil when none was stored.
func (db *DB) Published() ([]byte, error) {
	var out []byte
	err := db.bolt.View(func(tx *bolt.Tx) error {
		out = bytes.Clone(tx.Bucket(bucketMeta).Get(keyPublished))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the published snapshot: %w", err)
	}
	return out, nil
}
