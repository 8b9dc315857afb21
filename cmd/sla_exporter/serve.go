package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
	webflag "github.com/prometheus/exporter-toolkit/web/kingpinflag"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/delivery"
	"github.com/sla-exporter/sla_exporter/collector/evaluation"
	"github.com/sla-exporter/sla_exporter/collector/pdf"
	"github.com/sla-exporter/sla_exporter/collector/store"
	slaweb "github.com/sla-exporter/sla_exporter/collector/web"
)

// DefaultListenAddress is the exporter's port; the Prometheus default-port registry is full, so
// it lies outside the 9100-9999 range exporters once took their ports from.
const DefaultListenAddress = ":19857"

// holdEvaluation, when a test sets it, holds the first evaluation back until it is closed, so
// that the test sees what a restart serves before it.
var holdEvaluation chan struct{}

type serveCmd struct {
	configFile  *configFlag
	configCheck *bool
	storagePath *string
	lifecycle   *bool
	maxRequests *int
	shard       *shardFlags
	cacheSize   func() int64 // bytes of --evaluation.cache-size
	web         *web.FlagConfig
	requests    *collector.Requests
}

func newServe(app *kingpin.Application, configFile *configFlag) command {
	c := app.Command("serve", "Collect, evaluate and serve the metrics (the default).").Default()
	return &serveCmd{
		configFile:  configFile,
		configCheck: c.Flag("config.check", "Check the configuration and exit, like the check command.").Bool(),
		storagePath: c.Flag("storage.path", "Folder of the database keeping collected records, sync checkpoints and frozen periods.").Default("data").String(),
		lifecycle:   c.Flag("web.enable-lifecycle", "Enable configuration reload over HTTP (POST /-/reload). SIGHUP reloads either way.").Bool(),
		maxRequests: c.Flag("web.max-requests", "Maximum number of HTTP requests served at once; beyond it the server answers 503 at once, so that scrapes cannot starve the evaluation. Health endpoints are exempt. 0 means no limit.").
			Default(strconv.Itoa(slaweb.DefaultMaxRequests)).Int(),
		shard: addShardFlags(c),
		cacheSize: bytesFlag(c.Flag("evaluation.cache-size", "Memory the ticket objectives may hold between evaluations so that each evaluation recomputes only the tickets that changed and the cycles still open (about 10 bytes per ticket per ticket objective); objectives beyond it are evaluated in full. 0 evaluates every objective in full.").
			Default("256MiB")),
		web: webflag.AddFlags(c, DefaultListenAddress),
	}
}

// bytesFlag reads a size with a unit ("256MiB", "1GB": powers of 1024 either way).
func bytesFlag(f *kingpin.FlagClause) func() int64 {
	v := f.Bytes()
	return func() int64 { return int64(*v) }
}

func (*serveCmd) name() string { return "serve" }

func (c *serveCmd) run(ctx context.Context, e env) error {
	if *c.configCheck {
		return checkCmd{configFile: c.configFile, shard: c.shard}.run(ctx, e)
	}
	logger := e.logger
	cfg, isDemo, err := c.configFile.load()
	if err != nil {
		return err
	}
	if cfg, err = c.shard.apply(cfg); err != nil {
		return err
	}
	if c.cacheSize() < 0 {
		return fmt.Errorf("--evaluation.cache-size: %d bytes is negative; 0 evaluates in full", c.cacheSize())
	}
	if *c.maxRequests < 0 {
		return fmt.Errorf("--web.max-requests: %d is negative; 0 means no limit", *c.maxRequests)
	}
	// A broken web configuration (TLS, basic auth) is found before anything starts.
	if err := web.Validate(*c.web.WebConfigFile); err != nil {
		return fmt.Errorf("web configuration %s: %w", *c.web.WebConfigFile, err)
	}
	if isDemo {
		logger.Warn("no --config.file given: serving the built-in DEMO configuration, with simulated data")
	}
	logger.Info("starting sla_exporter", "version", version.Info(), "config", cfg.File)
	if c.shard.sharded() {
		logger.Info("serving one shard, evaluating at the evaluation interval's boundaries", "shard", *c.shard.index, "shards", *c.shard.count,
			"objectives", len(cfg.Objectives), "kpis", len(cfg.KPIs), "contracts", len(cfg.Contracts), "sources", len(cfg.Sources))
	}
	logWarnings(logger, cfg)
	warnNoBrowser(logger, cfg, e.pdf)

	db, err := store.Open(*c.storagePath)
	if err != nil {
		return err
	}
	defer db.Close()

	requests := collector.NewRequests()
	c.requests = requests
	runner := collector.NewRunner(collector.RunnerOptions{Store: db, Logger: logger, Requests: requests})
	srcs, err := sourceConfigs(cfg, logger, requests, time.Now)
	if err != nil {
		return err
	}
	if err := runner.Update(srcs); err != nil {
		return err
	}
	expo := collector.NewExposition()
	expo.SetReload(true, time.Now())
	eval := evaluation.New(cfg, evaluation.Options{Data: runner, DB: db, Expo: expo, Logger: logger, Align: c.shard.sharded(), CacheBytes: c.cacheSize()})
	// The last process's figures are served, marked restored, until the first evaluation.
	if ok, err := eval.Restore(); ok {
		logger.Info("serving the last published snapshot until the first evaluation", "evaluated_at", expo.Snapshot().At)
	} else {
		logger.Info("no published snapshot restored", "reason", err)
	}

	reg := prometheus.NewRegistry()
	// Scheduled reports are rendered and sent from goroutines of their own, never the evaluation's.
	sched := delivery.New(cfg.Reports, delivery.Options{Render: reportRenderer(eval, expo, isDemo, e.pdf), State: db, Logger: logger})
	reg.MustRegister(expo.Live(), sched, versioncollector.NewCollector("sla_exporter"),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	var reloadMu sync.Mutex
	reload := func() error {
		reloadMu.Lock()
		defer reloadMu.Unlock()
		return c.reload(logger, runner, eval, expo, sched)
	}
	httpReload, reloadOff := reload, ""
	switch {
	case isDemo:
		reload, httpReload, reloadOff = nil, nil, "reload is not available for the built-in demo configuration"
	case !*c.lifecycle:
		httpReload, reloadOff = nil, "reload over HTTP is disabled: start with --web.enable-lifecycle, or send SIGHUP"
	}
	srv := httpServer(slaweb.Handler(slaweb.Options{Registry: reg, Expo: expo, Evaluator: eval, Reload: httpReload, ReloadDisabled: reloadOff,
		Logger: logger, Version: version.Version, Demo: isDemo, Ready: slaweb.Readiness(runner.Settled), PDF: e.pdf, SyncNow: runner.SyncNow,
		MaxRequests: *c.maxRequests}), logger)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { runner.Run(ctx) })
	wg.Go(func() {
		if holdEvaluation != nil {
			select {
			case <-holdEvaluation:
			case <-ctx.Done():
				return
			}
		}
		eval.Run(ctx)
	})
	wg.Go(func() { sched.Run(ctx) })
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-e.hup:
				if reload == nil {
					logger.Warn("SIGHUP ignored: the built-in demo configuration cannot be reloaded")
					continue
				}
				reload() // logged inside
			}
		}
	})
	serveErr := make(chan error, 1)
	go func() { serveErr <- web.ListenAndServe(srv, c.web, logger) }()
	served := false
	select {
	case err = <-serveErr:
		served = true
	case <-ctx.Done():
	}
	cancel()
	shutdown, done := context.WithTimeout(context.Background(), 5*time.Second)
	defer done()
	if serr := srv.Shutdown(shutdown); serr != nil {
		logger.Warn("HTTP server shutdown", "err", serr)
	}
	if !served {
		// Shutdown makes the server return at once, even when it had not started serving yet.
		<-serveErr
	}
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// httpServer is the server of the HTTP endpoints, with timeouts so that a slow or idle client
// cannot hold a connection (and a goroutine) for ever. The write timeout leaves room for a
// drill-down over a large ticket store. The server's own errors (TLS handshakes, a plain HTTP
// request to the HTTPS port) go to the log like everything else, not to the process's stderr.
func httpServer(h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ErrorLog:          slog.NewLogLogger(logger.With("component", "http").Handler(), slog.LevelWarn),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

// reload loads the configuration file again, with the files it includes as they are now (a file
// added to a glob, changed or removed changes cfg.Hash). A configuration that does not load is
// refused and the running one kept; sla_config_last_reload_successful says which happened.
func (c *serveCmd) reload(logger *slog.Logger, runner *collector.Runner, eval *evaluation.Evaluator, expo *collector.Exposition, sched *delivery.Scheduler) error {
	cfg, err := config.LoadFile(c.configFile.file)
	if err == nil {
		cfg, err = c.shard.apply(cfg)
	}
	if err == nil && cfg.Hash == eval.Config().Hash {
		logger.Info("configuration unchanged", "file", cfg.File)
		expo.SetReload(true, time.Now())
		return nil
	}
	var srcs []collector.SourceConfig
	if err == nil {
		srcs, err = sourceConfigs(cfg, logger, c.requests, time.Now)
	}
	if err == nil {
		err = runner.Update(srcs)
	}
	if err != nil {
		expo.SetReload(false, time.Now())
		logger.Error("configuration refused; the running one is kept", "err", err)
		return fmt.Errorf("configuration refused: %w", err)
	}
	eval.SetConfig(cfg)
	sched.Update(cfg.Reports)
	expo.SetReload(true, time.Now())
	logger.Info("configuration reloaded", "file", cfg.File, "files", len(cfg.Files)) // included files count
	logWarnings(logger, cfg)
	eval.Publish()
	return nil
}

// warnNoBrowser says at start when a scheduled report asks for PDF and no browser can print it:
// the deliveries would fail, be retried and counted, and nobody would know why until the first.
func warnNoBrowser(logger *slog.Logger, cfg *config.Config, printer *pdf.Printer) {
	for _, spec := range cfg.Reports {
		if !slices.Contains(spec.Formats, delivery.FormatPDF) {
			continue
		}
		if _, err := printer.Browser(); err != nil {
			logger.Warn("scheduled report asks for PDF, which cannot be printed", "report", spec.Name, "err", err)
		}
		return
	}
}

// logWarnings logs the settings that load but may not mean what was meant.
func logWarnings(logger *slog.Logger, cfg *config.Config) {
	for _, w := range cfg.Warnings {
		logger.Warn("configuration warning", "warning", w)
	}
}
