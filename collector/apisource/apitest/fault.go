package apitest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
)

// Fault is the outcome of a sync run under an injected fault, for CheckFault.
type Fault struct {
	// Err is what the sync returned.
	Err error
	// WantErr is text the error must hold; empty for a fault the sync must get through (a
	// rate limit midway, which ends the sync early with what it fetched).
	WantErr string
	// WantRetryAfter, when set, is the wait the error must ask for as a RetryAfterError; zero
	// means the error must not be one.
	WantRetryAfter time.Duration
	// Secrets must never appear in the error.
	Secrets []string
	// Status is the source's status after the sync.
	Status collector.SourceStatus
	// Changed says whether the store (records or checkpoint) differs from before the sync.
	Changed bool
}

// CheckFault checks what every kind promises of a failed sync: the error says why and shows no
// secret, the source reads down with that reason, nothing was committed, and a wait the server
// asked for reaches the runner. A sync that had to get through must have.
func CheckFault(t testing.TB, f Fault) {
	t.Helper()
	switch {
	case f.WantErr == "" && f.Err != nil:
		t.Fatalf("sync error %v, want the tickets fetched before the limit", f.Err)
	case f.WantErr != "":
		if f.Err == nil || !strings.Contains(f.Err.Error(), f.WantErr) {
			t.Fatalf("sync error %v\nwant %s", f.Err, f.WantErr)
		}
		for _, s := range f.Secrets {
			if strings.Contains(f.Err.Error(), s) {
				t.Errorf("the error shows a secret: %v", f.Err)
			}
		}
		if st := f.Status; st.Up || st.State != collector.SourceSyncFailed || !strings.Contains(st.LastError, f.WantErr) {
			t.Errorf("status up=%v state %s error %q", st.Up, st.State, st.LastError)
		}
		if f.Changed {
			t.Error("a failed sync changed the store")
		}
	}
	if ra, ok := errors.AsType[*collector.RetryAfterError](f.Err); (f.WantRetryAfter != 0) != ok || (ok && ra.After != f.WantRetryAfter) {
		t.Errorf("error %v, want a RetryAfterError of %v", f.Err, f.WantRetryAfter)
	}
}

// CheckError checks a failed sync's error against want, exactly or, when want ends in "…", by
// its prefix, with the runner's `source "<name>": ` prefix removed, and that it asks for
// wantRetryAfter (zero: no RetryAfterError). It returns the source's own message, which the
// status holds.
func CheckError(t testing.TB, err error, source, want string, wantRetryAfter time.Duration) string {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", want)
	}
	msg := strings.TrimPrefix(err.Error(), `source "`+source+`": `)
	prefix, isPrefix := strings.CutSuffix(want, "…")
	if (isPrefix && !strings.HasPrefix(msg, prefix)) || (!isPrefix && msg != want) {
		t.Fatalf("sync error %s\nwant %s", msg, want)
	}
	if ra, ok := errors.AsType[*collector.RetryAfterError](err); (wantRetryAfter != 0) != ok || (ok && ra.After != wantRetryAfter) {
		t.Errorf("error %v, want a RetryAfterError of %v", err, wantRetryAfter)
	}
	return msg
}
