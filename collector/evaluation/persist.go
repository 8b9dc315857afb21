package evaluation

import (
	"errors"
	"fmt"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
)

// PersistGap is the least time between two writes of the published snapshot to the store: the
// stored one only has to be recent enough to be served for the seconds a restart takes before
// its first evaluation, and writing one per evaluation would cost a database commit each. The
// last one is written when Run ends.
const PersistGap = time.Minute

// persistState is the evaluator's record of the published snapshot's writes.
type persistState struct {
	last    time.Time           // when one was last written
	pending *collector.Snapshot // published since, not yet written
	hash    string              // pending's configuration hash
}

// persist writes a newly published snapshot to the store, or keeps it for later when the last
// write was less than PersistGap ago. Callers hold publishMu.
func (e *Evaluator) persist(s *collector.Snapshot, hash string) {
	if e.db == nil {
		return
	}
	e.saved.pending, e.saved.hash = s, hash
	if e.now().Sub(e.saved.last) >= PersistGap {
		e.flushPersist()
	}
}

// flushPersist writes the snapshot kept by persist, if any. Callers hold publishMu.
func (e *Evaluator) flushPersist() {
	s := e.saved.pending
	if s == nil || e.db == nil {
		return
	}
	e.saved.pending = nil
	b, err := collector.EncodeSnapshot(s, e.saved.hash)
	if err == nil {
		err = e.db.PutPublished(b)
	}
	if err != nil {
		// A restart then serves nothing until its first evaluation, as before.
		e.logger.Warn("could not store the published snapshot", "err", err)
		return
	}
	e.saved.last = e.now()
}

// Restore publishes the snapshot stored by the last process, marked Restored, so that figures
// are served at once on a restart, until the first evaluation replaces it. It is not served
// (and the reason returned) when there is none, when it was evaluated under another
// configuration (its objectives may mean something else), when it is older than the staleness
// limit or a source's last success in it is (its figures would be withheld as stale now), or
// when an evaluation was published already.
func (e *Evaluator) Restore() (bool, error) {
	if e.db == nil || e.expo == nil {
		return false, errors.New("no store")
	}
	e.publishMu.Lock()
	defer e.publishMu.Unlock()
	b, err := e.db.Published()
	if err != nil {
		return false, err
	}
	if b == nil {
		return false, errors.New("no snapshot stored")
	}
	s, hash, err := collector.DecodeSnapshot(b)
	if err != nil {
		return false, err
	}
	cfg := e.cfg.Load()
	if hash != cfg.Hash {
		return false, errors.New("the stored snapshot was evaluated under another configuration")
	}
	now, limit := e.now(), cfg.Global.Staleness
	if age := now.Sub(s.At); age > limit {
		return false, fmt.Errorf("the stored snapshot is %s old, more than the staleness limit %s", age.Round(time.Second), limit)
	}
	for _, h := range s.Sources {
		if !h.LastSuccess.IsZero() && now.Sub(h.LastSuccess) > limit {
			return false, fmt.Errorf("source %q of the stored snapshot last synced %s ago, more than the staleness limit %s",
				h.Name, now.Sub(h.LastSuccess).Round(time.Second), limit)
		}
	}
	if cur := e.expo.Snapshot(); cur != nil && !cur.At.IsZero() {
		return false, errors.New("an evaluation was published already")
	}
	e.expo.Set(s)
	return true, nil
}

// flushPublished writes the last published snapshot if it was not yet: Run calls it when it ends.
func (e *Evaluator) flushPublished() {
	e.publishMu.Lock()
	defer e.publishMu.Unlock()
	e.flushPersist()
}
