package rules

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/config"
)

// Defaults of Options.
const (
	DefaultPrefix       = "sla-rules"
	DefaultMaxFileBytes = 1 << 20
	// DefaultOperatorMaxFileBytes keeps a PrometheusRule small enough for a client-side
	// `kubectl apply`, which copies the whole object into an annotation limited to 256 KiB;
	// etcd refuses objects over 1.5 MiB anyway, and Sloth users hit that wall (sloth#634).
	DefaultOperatorMaxFileBytes = 200 << 10
	DefaultBreachedFor          = 5 * time.Minute
	DefaultNoDataFor            = 15 * time.Minute
	DefaultAbsentFor            = 10 * time.Minute
	DefaultKPIFor               = 15 * time.Minute
	DefaultReloadFailedFor      = 5 * time.Minute
	// DefaultCertExpiryWarning is how long before a probed target's certificate expires
	// SLACertificateExpiringSoon fires: time to renew it, or to chase whoever must.
	DefaultCertExpiryWarning = 14 * 24 * time.Hour
	// certExpiringFor rides over a probe that sees an old certificate once (a server behind a
	// load balancer not yet renewed).
	certExpiringFor = 15 * time.Minute
)

// Options tune the generated rules. The zero value is usable: every field has a default.
type Options struct {
	// Source names the configuration in each file's header; default cfg.File.
	Source string
	// Prefix starts every file name, <Prefix>-001.yml, and the PrometheusRule object names;
	// default DefaultPrefix. Two exporters writing into one folder need different prefixes.
	Prefix string
	// Operator writes prometheus-operator PrometheusRule objects instead of rule files.
	Operator bool
	// Namespace and OperatorLabels go into the PrometheusRule objects' metadata; the labels
	// must match the Prometheus object's ruleSelector.
	Namespace      string
	OperatorLabels map[string]string
	// Interval is every group's evaluation interval; zero keeps Prometheus' global one.
	Interval time.Duration
	// MaxFileBytes bounds each file: groups go into the next file past it. Default
	// DefaultMaxFileBytes, or DefaultOperatorMaxFileBytes for PrometheusRule objects.
	MaxFileBytes int
	// KPIAmber adds an alert for amber KPIs besides the one for red KPIs.
	KPIAmber bool
	// NoAbsent leaves out the per-objective absent alerts.
	NoAbsent bool
	// How long each condition must hold before its alert fires: defaults DefaultBreachedFor,
	// DefaultNoDataFor, DefaultAbsentFor, DefaultKPIFor. The burn-rate tiers and the forecast
	// take theirs from the objective's alerting block.
	BreachedFor, NoDataFor, AbsentFor, KPIFor time.Duration
	// CertExpiryWarning is how long before a probed certificate's expiry SLACertificateExpiringSoon
	// fires; default DefaultCertExpiryWarning.
	CertExpiryWarning time.Duration
	// Compat adds, per objective, recording rules with the series names and labels a peer SLO
	// tool's dashboards and alerts query (compat.go), computed from the exporter's own series.
	Compat []Compat
}

func (o *Options) defaults(cfg *config.Config) {
	if o.Source == "" {
		o.Source = cfg.File
	}
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	if o.MaxFileBytes == 0 {
		o.MaxFileBytes = DefaultMaxFileBytes
		if o.Operator {
			o.MaxFileBytes = DefaultOperatorMaxFileBytes
		}
	}
	o.BreachedFor = orDefault(o.BreachedFor, DefaultBreachedFor)
	o.NoDataFor = orDefault(o.NoDataFor, DefaultNoDataFor)
	o.AbsentFor = orDefault(o.AbsentFor, DefaultAbsentFor)
	o.KPIFor = orDefault(o.KPIFor, DefaultKPIFor)
	o.CertExpiryWarning = orDefault(o.CertExpiryWarning, DefaultCertExpiryWarning)
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// File is one generated file: a single YAML document of rule groups, or one PrometheusRule.
type File struct {
	// Name is the file's base name, <prefix>-001.yml.
	Name string
	Data []byte
}

// Generate returns the rule files for the configuration's objectives, KPIs and sources, in
// memory. Write streams the same files to a folder with memory bounded by one file.
func Generate(cfg *config.Config, opts Options) ([]File, error) {
	var files []File
	err := Each(cfg, opts, func(f File) error {
		files = append(files, File{Name: f.Name, Data: bytes.Clone(f.Data)})
		return nil
	})
	return files, err
}

// Each generates the rule files one at a time and calls fn with each, in order; fn must not
// keep f.Data, whose memory the next file reuses. Groups fill a file up to the size limit in a
// stable order (exporter, sources, KPIs, then objectives in configuration order), so adding an
// objective at the end changes only the last file and Prometheus keeps the other groups' state.
func Each(cfg *config.Config, opts Options, fn func(f File) error) error {
	return each(cfg, opts, fn, nil)
}

// each is Each calling observe, if not nil, with every group as it goes into a file.
func each(cfg *config.Config, opts Options, fn func(f File) error, observe func(*Group)) error {
	if cfg == nil {
		return errors.New("no configuration")
	}
	opts.defaults(cfg)
	if err := validateOptions(&opts); err != nil {
		return err
	}
	g := &generator{cfg: cfg, opts: opts, emit: fn, observe: observe}
	if err := g.health(); err != nil {
		return err
	}
	for i := range cfg.Objectives {
		if err := g.objective(&cfg.Objectives[i]); err != nil {
			return err
		}
		if err := g.compat(&cfg.Objectives[i]); err != nil {
			return err
		}
	}
	return g.finish()
}

func validateOptions(o *Options) error {
	if err := validateCompat(o.Compat); err != nil {
		return err
	}
	if o.MaxFileBytes < 4<<10 {
		return fmt.Errorf("a file size limit of %d bytes is too small for a rule group", o.MaxFileBytes)
	}
	if strings.ContainsAny(o.Prefix, `/\`) || strings.HasPrefix(o.Prefix, ".") {
		return fmt.Errorf("file prefix %q must be a plain file name", o.Prefix)
	}
	if o.Operator && !dnsLabel(o.Prefix) {
		return fmt.Errorf("file prefix %q cannot start a Kubernetes object name (lower-case letters, digits and -)", o.Prefix)
	}
	if o.Namespace != "" && !dnsLabel(o.Namespace) {
		return fmt.Errorf("namespace %q is not a Kubernetes namespace name", o.Namespace)
	}
	for _, d := range []time.Duration{o.Interval, o.BreachedFor, o.NoDataFor, o.AbsentFor, o.KPIFor} {
		if d < 0 {
			return fmt.Errorf("duration %s is negative", d)
		}
	}
	return nil
}

// dnsLabel reports whether s is an RFC 1123 label, what Kubernetes wants of namespaces and
// (as a prefix) of object names.
func dnsLabel(s string) bool {
	if s == "" || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
