// Package evaluation runs the engine over what the sources collected: every objective, KPI and
// contract of the configuration, on an interval and when data changes, publishing each result as
// a snapshot for the exposition, the status page and the API. It also freezes finished periods,
// so a period's final figure survives the data it came from.
package evaluation

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/store"
	"github.com/sla-exporter/sla_exporter/slo"
)

// Reader is the part of the runner the evaluator reads collected data from.
type Reader interface {
	Read(fn func(collector.Data))
	Health() []collector.SourceHealth
	StoreHealth() collector.StoreHealth
	Changed() <-chan struct{}
}

// Evaluator evaluates the configuration over the collected data.
type Evaluator struct {
	data   Reader
	db     *store.DB // nil: frozen periods are kept in memory only
	expo   *collector.Exposition
	logger *slog.Logger
	now    func() time.Time
	align  bool

	cfg atomic.Pointer[config.Config]

	publishMu sync.Mutex
	published time.Time // the instant of the last publication, under publishMu
	mu        sync.Mutex
	frozen    map[string]map[string]collector.FrozenPeriod // objective → period label → result
	errs      map[string]string                            // objective → last error logged
	// caches keep, per ticket objective, the cycles that can no longer change between evaluations
	// (slo.TicketCache), within cacheBytes; dropped on a reload.
	caches     map[string]*slo.TicketCache
	cacheSeen  map[string]int64 // the largest size each cache was counted for
	cacheBytes int64
	// unsaved holds periods frozen during an evaluation, written to db after it: an evaluation
	// reads the data under the runner's read lock, which must not be held across a disk write
	// per period (a first start freezes history periods × objectives of them).
	unsaved []unsavedPeriod
	// saved tracks the writes of the published snapshot to db (persist.go); under publishMu.
	saved persistState
	// priorities keeps the breached cycles by priority the cost figures price (cost.go).
	priorities priorityCache
	// sims keeps each deferred staffing group's simulated attainment with its inputs (staffing.go).
	simMu sync.Mutex
	sims  map[string]simulatedEntry
}

type unsavedPeriod struct {
	objective string
	fp        collector.FrozenPeriod
}

// Options are the evaluator's dependencies.
type Options struct {
	Data   Reader
	DB     *store.DB
	Expo   *collector.Exposition
	Logger *slog.Logger
	// Now defaults to time.Now.
	Now func() time.Time
	// Align evaluates at the evaluation interval's boundaries (now truncated to the interval,
	// counted from the Unix epoch) instead of at now, so that replicas of one shard evaluating a
	// few seconds apart compute the same instant and, over the same data, publish the same
	// figures, stamped with that instant (Snapshot.Stamped). New data is evaluated at the next
	// boundary: an instant is published once.
	Align bool
	// CacheBytes bounds the memory the ticket objectives' caches hold (slo.TicketCache): an
	// objective whose cache does not fit, in the order of the configuration, is evaluated in full
	// at each evaluation. 0 evaluates every objective in full, as the one-shot commands do.
	CacheBytes int64
}

// New returns an evaluator for cfg.
func New(cfg *config.Config, o Options) *Evaluator {
	e := &Evaluator{data: o.Data, db: o.DB, expo: o.Expo, logger: o.Logger, now: o.Now, align: o.Align,
		frozen: map[string]map[string]collector.FrozenPeriod{}, errs: map[string]string{},
		caches: map[string]*slo.TicketCache{}, cacheSeen: map[string]int64{}, cacheBytes: o.CacheBytes}
	if e.now == nil {
		e.now = time.Now
	}
	if e.logger == nil {
		e.logger = slog.New(slog.DiscardHandler)
	}
	e.cfg.Store(cfg)
	return e
}

// SetConfig switches to a new configuration from the next evaluation on. The ticket caches are
// dropped: the new configuration's clocks are new, and objectives may be gone.
func (e *Evaluator) SetConfig(cfg *config.Config) {
	e.cfg.Store(cfg)
	e.mu.Lock()
	e.caches, e.cacheSeen = map[string]*slo.TicketCache{}, map[string]int64{}
	e.mu.Unlock()
}

// Config returns the configuration in use.
func (e *Evaluator) Config() *config.Config { return e.cfg.Load() }

// Run evaluates at once, then every evaluation interval and shortly after data changes, until ctx
// ends. Changes arriving in a burst (several sources syncing together) cost one evaluation.
func (e *Evaluator) Run(ctx context.Context) {
	const settle = time.Second
	defer e.flushPublished()
	e.Publish()
	timer := time.NewTimer(e.untilNext())
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-e.data.Changed():
			select {
			case <-ctx.Done():
				return
			case <-time.After(settle):
			}
			if e.align && e.instant().Equal(e.lastInstant()) {
				// The instant is published with its sample timestamp: another value for it
				// would be refused by Prometheus as a duplicate. The new data counts from the
				// next boundary on.
				continue
			}
		case <-timer.C:
		}
		e.Publish()
		timer.Reset(e.untilNext())
	}
}

// untilNext is how long the timer waits for the next evaluation: an interval, or when aligned
// until a little after the next boundary: a quarter of the interval, at most 5 s, so that both
// replicas' sources have synced the data up to the boundary before they evaluate it.
func (e *Evaluator) untilNext() time.Duration {
	interval := e.cfg.Load().Global.EvaluationInterval
	if !e.align {
		return interval
	}
	now := e.now()
	return alignDown(now, interval).Add(interval).Sub(now) + min(interval/4, 5*time.Second)
}

// lastInstant is the instant of the last published evaluation.
func (e *Evaluator) lastInstant() time.Time {
	e.publishMu.Lock()
	defer e.publishMu.Unlock()
	return e.published
}

// alignDown is the last multiple of interval since the Unix epoch at or before t.
func alignDown(t time.Time, interval time.Duration) time.Time {
	ns := t.UnixNano()
	return time.Unix(0, ns-ns%int64(interval)).In(t.Location())
}

// instant is the time an evaluation starting now is made at: now, or when aligned the last
// boundary of the evaluation interval.
func (e *Evaluator) instant() time.Time {
	now := e.now()
	if e.align {
		return alignDown(now, e.cfg.Load().Global.EvaluationInterval)
	}
	return now
}

// Publish evaluates now (with Options.Align, at the last interval boundary) and hands the
// snapshot to the exposition.
func (e *Evaluator) Publish() *collector.Snapshot {
	// One publication at a time, so that an evaluation begun under the old configuration cannot
	// overwrite one made after a reload.
	e.publishMu.Lock()
	defer e.publishMu.Unlock()
	hash := e.cfg.Load().Hash
	s := e.Evaluate(e.instant())
	s.Stamped = e.align
	e.published = s.At
	if e.expo != nil {
		e.expo.Set(s)
	}
	if hash == e.cfg.Load().Hash { // a reload during the evaluation: the next one is stored
		e.persist(s, hash)
	}
	return s
}

// frozenPeriod returns the frozen result of an objective's period, if any.
func (e *Evaluator) frozenPeriod(objective, label string) (collector.FrozenPeriod, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	m, ok := e.frozen[objective]
	if !ok {
		m = map[string]collector.FrozenPeriod{}
		e.frozen[objective] = m
		if e.db != nil {
			stored, err := e.db.History(objective)
			if err != nil {
				e.logger.Error("could not read frozen periods", "objective", objective, "err", err)
			}
			for l, raw := range stored {
				var fp collector.FrozenPeriod
				if json.Unmarshal(raw, &fp) == nil {
					m[l] = fp
				}
			}
		}
	}
	fp, ok := m[label]
	return fp, ok
}

// freeze keeps a finished period's result for good: at once in memory, and in the store at the
// next save.
func (e *Evaluator) freeze(objective string, fp collector.FrozenPeriod) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.frozen[objective][fp.Label] = fp
	if e.db != nil {
		e.unsaved = append(e.unsaved, unsavedPeriod{objective, fp})
	}
}

// save writes the periods frozen since the last save to the store.
func (e *Evaluator) save() {
	e.mu.Lock()
	unsaved := e.unsaved
	e.unsaved = nil
	e.mu.Unlock()
	for _, u := range unsaved {
		raw, err := json.Marshal(u.fp)
		if err == nil {
			err = e.db.PutHistory(u.objective, u.fp.Label, raw)
		}
		if err != nil {
			e.logger.Error("could not store a frozen period", "objective", u.objective, "period", u.fp.Label, "err", err)
		}
	}
}

// logOnce logs an objective's evaluation error when it differs from the last one logged, so a
// persistent problem does not flood the log every interval.
func (e *Evaluator) logOnce(objective string, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	if e.errs[objective] == msg {
		return
	}
	e.errs[objective] = msg
	if err != nil {
		e.logger.Error("objective evaluation failed", "objective", objective, "err", err)
	} else {
		e.logger.Info("objective evaluates again", "objective", objective)
	}
}

func panicError(v any) error { return fmt.Errorf("engine panic: %v", v) }
