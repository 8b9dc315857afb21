package store

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketDeliveries holds report name -> Delivery (JSON), the state of scheduled report
// deliveries (collector/delivery). It is created by the first write, so a database that never
// delivered a report has none.
var bucketDeliveries = []byte("deliveries")

// Delivery is what is kept of a scheduled report between runs, so that a report due while the
// exporter was down is sent once when it starts, and one already sent is not sent again.
type Delivery struct {
	// Since is when the report was first scheduled: a report due before it is not owed.
	Since time.Time `json:"since"`
	// Delivered maps each destination ("email", "folder") to the label of the last period
	// delivered there.
	Delivered map[string]string `json:"delivered,omitempty"`
	// Abandoned is the label of the last period whose delivery gave up after its last attempt.
	Abandoned string `json:"abandoned,omitempty"`
	// LastAttempt is when the last attempt ended and LastSuccessful its outcome.
	LastAttempt    time.Time `json:"last_attempt,omitzero"`
	LastSuccessful bool      `json:"last_successful,omitempty"`
}

// Delivery returns the state of a report's delivery; false when none is stored. The record is
// JSON: a few hundred bytes written a few times a month need no codec of their own.
func (db *DB) Delivery(report string) (Delivery, bool, error) {
	var d Delivery
	found := false
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDeliveries)
		if b == nil {
			return nil
		}
		v := b.Get([]byte(report))
		if v == nil {
			return nil
		}
		found = true
		return json.Unmarshal(v, &d)
	})
	if err != nil {
		return Delivery{}, false, fmt.Errorf("read the delivery state of report %q: %w", report, err)
	}
	return d, found, nil
}

// SetDelivery stores the state of a report's delivery.
func (db *DB) SetDelivery(report string, d Delivery) error {
	v, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("write the delivery state of report %q: %w", report, err)
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketDeliveries)
		if err != nil {
			return err
		}
		return b.Put([]byte(report), v)
	})
	if err != nil {
		return fmt.Errorf("write the delivery state of report %q: %w", report, err)
	}
	return nil
}
