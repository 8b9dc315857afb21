package store

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestDeliveryState: a report's delivery state survives closing the database, and a report
// never recorded reads as not found.
func TestDeliveryState(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	if _, found, err := db.Delivery("monthly"); found || err != nil {
		t.Fatalf("before any write: found %v, %v", found, err)
	}
	want := Delivery{Since: time.Date(2026, 12, 20, 9, 0, 0, 0, time.UTC), Delivered: map[string]string{"email": "2026-12", "folder": "2026-11"},
		Abandoned: "2026-10", LastAttempt: time.Date(2027, 1, 4, 7, 0, 0, 0, time.UTC), LastSuccessful: true}
	if err := db.SetDelivery("monthly", want); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	got, found, err := open(t, dir).Delivery("monthly")
	if err != nil || !found {
		t.Fatalf("after reopening: found %v, %v", found, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("state (-want +got):\n%s", diff)
	}
}
