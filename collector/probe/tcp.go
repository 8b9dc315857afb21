package probe

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/common/config"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
)

// tcpProber is a compiled `tcp:` probe.
type tcpProber struct {
	address string
	tls     bool
	cfg     config.TLSConfig

	mu   sync.Mutex
	conf *tls.Config
}

func compileTCP(node *yaml.Node, path []any, c *TCPConfig, opts collector.Options, t *Target) error {
	at := func(k ...any) []any { return append(append([]any{}, path...), k...) }
	host, port, err := net.SplitHostPort(strings.TrimSpace(c.Address))
	switch {
	case c.Address == "":
		return Fail(node, at("address"), "is required (host:port)")
	case err != nil || host == "" || port == "":
		return Fail(node, at("address"), "%q is not host:port", c.Address)
	}
	p := &tcpProber{address: net.JoinHostPort(host, port), tls: c.TLS, cfg: c.TLSConfig}
	p.cfg.SetDirectory(opts.Dir)
	if p.cfg != (config.TLSConfig{}) && !c.TLS {
		return Fail(node, at("tls_config"), "applies with tls: true")
	}
	if err := p.cfg.Validate(); err != nil {
		return Fail(node, at("tls_config"), "%v", err)
	}
	if p.cfg.CARef != "" || p.cfg.CertRef != "" || p.cfg.KeyRef != "" {
		return Fail(node, at("tls_config"), "secret references need a secret manager, which sla_exporter has not: use the _file form")
	}
	if p.cfg.ServerName == "" {
		p.cfg.ServerName = host
	}
	t.Target, t.Probe = p.address, p
	return nil
}

// tlsConfig builds the TLS configuration at the first probe, and again when that fails: a
// certificate file may appear after the configuration is loaded.
func (p *tcpProber) tlsConfig() (*tls.Config, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conf != nil {
		return p.conf, nil
	}
	conf, err := config.NewTLSConfig(&p.cfg)
	if err != nil {
		return nil, fmt.Errorf("tls_config: %w", err)
	}
	p.conf = conf
	return conf, nil
}

// Probe connects, and shakes hands when tls is set.
func (p *tcpProber) Probe(ctx context.Context) (Result, error) {
	var conf *tls.Config
	if p.tls {
		var err error
		if conf, err = p.tlsConfig(); err != nil {
			return Result{}, err
		}
	}
	start := time.Now()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", p.address)
	if err != nil {
		return Result{Duration: time.Since(start), Detail: describe(ctx, err)}, nil
	}
	defer conn.Close()
	if !p.tls {
		return Result{Success: true, Duration: time.Since(start)}, nil
	}
	tc := tls.Client(conn, conf)
	err = tc.HandshakeContext(ctx)
	r := Result{Duration: time.Since(start)}
	if err != nil {
		r.Detail, r.CertExpiry = "TLS handshake: "+describe(ctx, err), unverifiedExpiry(err)
		return r, nil
	}
	cs := tc.ConnectionState()
	r.Success, r.CertExpiry = true, earliestExpiry(&cs)
	return r, nil
}
