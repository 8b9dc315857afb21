package store

import (
	"bytes"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// PutHistory stores the frozen result of a finished period of an objective under the period's
// label ("2026-10"), replacing one stored under the same label. The value is opaque here.
func (db *DB) PutHistory(objective, label string, value []byte) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		ob, err := tx.Bucket(bucketHistory).CreateBucketIfNotExists([]byte(objective))
		if err != nil {
			return err
		}
		return ob.Put([]byte(label), bytes.Clone(value))
	})
	if err != nil {
		return fmt.Errorf("store history of objective %q: %w", objective, err)
	}
	return nil
}

// History returns an objective's frozen periods by label; empty when there are none.
func (db *DB) History(objective string) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		ob := tx.Bucket(bucketHistory).Bucket([]byte(objective))
		if ob == nil {
			return nil
		}
		return ob.ForEach(func(k, v []byte) error {
			out[string(k)] = bytes.Clone(v)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("load history of objective %q: %w", objective, err)
	}
	return out, nil
}

// DeleteHistory deletes an objective's frozen periods: one label, or all of them when label is
// empty. Deleting what is not there is not an error.
func (db *DB) DeleteHistory(objective, label string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		hb := tx.Bucket(bucketHistory)
		if label == "" {
			err := hb.DeleteBucket([]byte(objective))
			if errors.Is(err, bolterrors.ErrBucketNotFound) {
				return nil
			}
			return err
		}
		if ob := hb.Bucket([]byte(objective)); ob != nil {
			return ob.Delete([]byte(label))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete history of objective %q: %w", objective, err)
	}
	return nil
}
