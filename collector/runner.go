package collector

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/store"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// Defaults of SourceConfig.
const (
	DefaultInterval = 5 * time.Minute
	DefaultTimeout  = time.Minute
)

// SourceConfig is one source as the runner runs it: the built source and its schedule.
type SourceConfig struct {
	// Name is unique among sources and may not contain "/" (it qualifies series names).
	Name string
	// Type is the kind's name, for logs and to tell a changed source from an unchanged one.
	Type   string
	Source Source
	// Interval between syncs (DefaultInterval when zero) and Timeout of each (DefaultTimeout).
	Interval time.Duration
	Timeout  time.Duration
	// Hash identifies the kind's settings. A source whose Type, Hash or Tickets change is
	// restarted from scratch: its next sync starts without a checkpoint and its first batch
	// replaces the records collected under the old settings (they describe something else).
	// A change of Interval or Timeout only restarts its schedule.
	Hash string
	// Tickets are the options of the source's ticket store.
	Tickets ticket.StoreOptions
	// PriorityAliases, when set, maps the priorities the source writes (lower-cased) to the
	// priorities objectives use ("highest" → "P1"); a ticket whose priority it lacks is
	// rejected. Applied before Tickets.Priorities restricts them.
	PriorityAliases map[string]string
	// Health says when a batch is too broken to commit.
	Health HealthPolicy
	// Live is the kind's Kind.Live: a change of settings keeps the stored records.
	Live bool
}

// identity is what the stored records of a source depend on.
func (c SourceConfig) identity() string {
	h := sha256.New()
	fmt.Fprintf(h, "%q %q %q %v", c.Type, c.Hash, c.Tickets.Priorities, c.PriorityAliases) // %v sorts map keys
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// RunnerOptions are the runner's dependencies; all but Logger are optional.
type RunnerOptions struct {
	// Store persists batches; nil keeps everything in memory only (tests, one-shot commands).
	Store  *store.DB
	Logger *slog.Logger
	// Clock defaults to SystemClock.
	Clock Clock
	// Rand returns numbers in [0, 1) for backoff jitter; defaults to math/rand/v2's. Sources
	// call it from their own goroutines, so it must be safe for concurrent use.
	Rand func() float64
	// Requests holds the HTTP request counts sources record; Status reports them.
	Requests *Requests
}

// Runner runs each configured source in its own goroutine, commits what they return to the
// store, and keeps the data in memory for the evaluation (Read) and the health for the
// exposition (Status).
//
// Four locks, never nested: life serialises Update and Run's start and stop; mu guards the data
// (the evaluation reads under it, syncs write under it only to apply a batch already committed);
// statusMu guards the health, so reporting a sync never waits for an evaluation to finish;
// requestsMu guards the SyncNow requests.
type Runner struct {
	store    *store.DB
	logger   *slog.Logger
	clock    Clock
	rand     func() float64
	requests *Requests
	changed  chan struct{}

	life    sync.Mutex
	runCtx  context.Context // set by Run; nil before
	stopped bool
	sources map[string]*sourceRun

	mu   sync.RWMutex
	data Data
	per  map[string]*sourceData
	// firstGen is, per configured source, the data generation of its first sync outcome (or of
	// loading stored data), zero while it has none: readiness waits for it.
	firstGen map[string]uint64

	// requestsMu guards syncRequests, each configured source's SyncNow request, so that a
	// webhook never waits for Update.
	requestsMu   sync.Mutex
	syncRequests map[string]*syncRequest

	statusMu    sync.Mutex
	status      map[string]*SourceStatus
	built       map[string]Source // the running source of each name, for the statistics it keeps
	storeHealth StoreHealth
}

// sourceRun is one configured source. Its goroutine owns checkpoint, resync and loggedErr while
// it runs; Update touches them only after stopping it.
type sourceRun struct {
	cfg    SourceConfig
	id     string
	logger *slog.Logger

	cancel context.CancelFunc
	done   chan struct{}

	// req is the source's SyncNow request; it lives as long as the source is configured.
	req *syncRequest

	checkpoint []byte
	// resync makes the next batch replace the stored records: the settings changed.
	resync bool
	// more: the last batch said the source has more to fetch, and moved the checkpoint.
	more      bool
	loggedErr string
	// ticketsGen and ticketsSaved are the commit generation and the time of the last ticket
	// snapshot written (ticketsnap.go).
	ticketsGen   uint64
	ticketsSaved time.Time
}

// NewRunner returns a runner with no sources; add them with Update and start it with Run.
func NewRunner(o RunnerOptions) *Runner {
	r := &Runner{
		store:    o.Store,
		logger:   o.Logger,
		clock:    o.Clock,
		rand:     o.Rand,
		requests: o.Requests,
		changed:  make(chan struct{}, 1),
		sources:  map[string]*sourceRun{},
		data: Data{
			Tickets:     map[string]*ticket.Store{},
			Uptime:      map[string]*Uptime{},
			Events:      map[string]*EventCounts{},
			LastSuccess: map[string]time.Time{},
		},
		per:          map[string]*sourceData{},
		syncRequests: map[string]*syncRequest{},
		firstGen:     map[string]uint64{},
		status:       map[string]*SourceStatus{},
		built:        map[string]Source{},
		storeHealth:  StoreHealth{OK: true},
	}
	if r.logger == nil {
		r.logger = slog.New(slog.DiscardHandler)
	}
	if r.clock == nil {
		r.clock = SystemClock{}
	}
	if r.rand == nil {
		r.rand = rand.Float64
	}
	return r
}

// Changed receives a value after data changed (a batch applied, sources loaded or removed).
// Several changes before the receiver comes back collapse into one.
func (r *Runner) Changed() <-chan struct{} { return r.changed }

func (r *Runner) notify() {
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

// Read calls fn with the collected data under a read lock; syncs wait to apply their batches
// until fn returns. fn must not keep or modify anything it reads.
func (r *Runner) Read(fn func(Data)) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	fn(r.data)
}

// Run starts the sources' goroutines and blocks until ctx is cancelled, then stops them all and
// returns. It may run only once.
func (r *Runner) Run(ctx context.Context) error {
	r.life.Lock()
	if r.runCtx != nil || r.stopped {
		r.life.Unlock()
		return errors.New("runner already started")
	}
	r.runCtx = ctx
	for _, s := range r.sources {
		r.start(s)
	}
	r.life.Unlock()

	<-ctx.Done()

	r.life.Lock()
	defer r.life.Unlock()
	r.stopped = true
	for _, s := range r.sources {
		r.stop(s)
	}
	return nil
}

// Update makes the configured sources those of cfgs: new ones are loaded from the store and
// started, removed ones stopped and their stored data dropped, changed ones restarted (see
// SourceConfig.Hash); unchanged ones keep running untouched, and the Source built for them in
// cfgs is closed if it is an io.Closer. Stored sources that are not configured are dropped too,
// so that a source removed while the daemon was down does not linger.
//
// Update may be called before Run (the sources start with it) and while it runs. It returns the
// first problem with cfgs without changing anything, or else the store errors it met; the
// sources are running either way.
func (r *Runner) Update(cfgs []SourceConfig) error {
	want := make(map[string]SourceConfig, len(cfgs))
	for i, c := range cfgs {
		if err := c.check(); err != nil {
			return fmt.Errorf("source %d: %w", i, err)
		}
		if _, dup := want[c.Name]; dup {
			return fmt.Errorf("source %q: configured twice", c.Name)
		}
		c.Interval = cmp.Or(c.Interval, DefaultInterval)
		c.Timeout = cmp.Or(c.Timeout, DefaultTimeout)
		want[c.Name] = c
	}

	r.life.Lock()
	defer r.life.Unlock()
	if r.stopped {
		return errors.New("runner stopped")
	}
	var errs []error
	for name, s := range r.sources {
		c, ok := want[name]
		if !ok {
			r.stop(s)
			closeSource(s.cfg.Source)
			delete(r.sources, name)
			errs = append(errs, r.remove(name))
			s.logger.Info("source removed")
			continue
		}
		r.reconfigure(s, c)
	}
	if r.store != nil {
		stored, err := r.store.Sources()
		errs = append(errs, err)
		for _, name := range stored {
			if _, ok := want[name]; !ok {
				r.logger.Info("dropping stored data of a source no longer configured", "source_name", name)
				errs = append(errs, r.store.Drop(name))
			}
		}
	}
	for _, c := range cfgs {
		if _, ok := r.sources[c.Name]; ok {
			continue
		}
		c = want[c.Name]
		s := &sourceRun{cfg: c, id: c.identity(), logger: r.logger.With("source_name", c.Name, "source_type", c.Type), req: newSyncRequest()}
		r.sources[c.Name] = s
		r.requestsMu.Lock()
		r.syncRequests[c.Name] = s.req
		r.requestsMu.Unlock()
		r.mu.Lock()
		r.firstGen[c.Name] = 0
		r.mu.Unlock()
		r.load(s)
		r.setSource(c.Name, c.Source)
		if r.runCtx != nil {
			r.start(s)
		}
	}
	r.notify()
	return errors.Join(errs...)
}

func (c SourceConfig) check() error {
	switch {
	case c.Name == "":
		return errors.New("no name")
	case strings.Contains(c.Name, "/"):
		return fmt.Errorf("source %q: name contains \"/\"", c.Name)
	case c.Source == nil:
		return fmt.Errorf("source %q: no source built", c.Name)
	case c.Interval < 0 || c.Timeout < 0:
		return fmt.Errorf("source %q: negative interval or timeout", c.Name)
	}
	return nil
}

// reconfigure applies a source's new settings, restarting it only when they changed.
func (r *Runner) reconfigure(s *sourceRun, c SourceConfig) {
	id := c.identity()
	if id == s.id && c.Interval == s.cfg.Interval && c.Timeout == s.cfg.Timeout {
		if c.Source != s.cfg.Source {
			closeSource(c.Source)
		}
		return
	}
	r.stop(s)
	if c.Source != s.cfg.Source {
		closeSource(s.cfg.Source)
	}
	if id != s.id {
		s.restart(c.Live)
	}
	s.cfg, s.id = c, id
	s.logger = r.logger.With("source_name", c.Name, "source_type", c.Type)
	r.setStatus(c.Name, func(st *SourceStatus) { st.Type = c.Type })
	r.setSource(c.Name, c.Source)
	if r.runCtx != nil {
		r.start(s)
	}
}

// restart makes the source start over after a change of its settings: from no checkpoint, with
// its next batch replacing the stored records, unless they cannot be read again (live).
func (s *sourceRun) restart(live bool) {
	if live {
		s.logger.Info("source settings changed, restarting from no checkpoint; its records cannot be read again, so they are kept")
		s.checkpoint, s.resync = nil, false
		return
	}
	s.logger.Info("source settings changed, resyncing from scratch")
	s.checkpoint, s.resync = nil, true
}

func (r *Runner) start(s *sourceRun) {
	ctx, cancel := context.WithCancel(r.runCtx)
	s.cancel, s.done = cancel, make(chan struct{})
	go func() {
		defer close(s.done)
		r.loop(ctx, s)
	}()
}

// stop cancels a source's goroutine and waits for it: a Sync honouring its context returns
// promptly, and a commit in progress finishes, so nothing is written for a stopped source.
func (r *Runner) stop(s *sourceRun) {
	if s.cancel == nil {
		return
	}
	s.cancel()
	<-s.done
	s.cancel, s.done = nil, nil
}

// remove forgets a stopped source: its data, health, request counts and stored state.
func (r *Runner) remove(name string) error {
	r.mu.Lock()
	r.unpublish(name)
	delete(r.firstGen, name)
	r.mu.Unlock()
	r.requestsMu.Lock()
	delete(r.syncRequests, name)
	r.requestsMu.Unlock()
	r.statusMu.Lock()
	delete(r.status, name)
	delete(r.built, name)
	r.statusMu.Unlock()
	r.requests.Forget(name)
	if r.store == nil {
		return nil
	}
	return r.store.Drop(name)
}

func closeSource(src Source) {
	if c, ok := src.(io.Closer); ok {
		_ = c.Close()
	}
}
