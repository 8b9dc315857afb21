package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/common/config"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
)

// maxBody bounds the body an HTTP probe reads; body_regex sees at most this much.
const maxBody = 1 << 20

// httpProber is a compiled `http:` probe.
type httpProber struct {
	url     *url.URL
	display string
	method  string
	valid   []int // nil: any 2xx
	body    *regexp.Regexp
	client  config.HTTPClientConfig
	// source and requests count the probe's requests in sla_source_requests_total.
	source   string
	requests *collector.Requests

	mu sync.Mutex
	hc *http.Client
}

// methods are the request methods a probe may use: those without a body to send.
var methods = []string{http.MethodGet, http.MethodHead, http.MethodOptions}

func compileHTTP(node *yaml.Node, path []any, c *HTTPConfig, opts collector.Options, t *Target) error {
	at := func(k ...any) []any { return append(append([]any{}, path...), k...) }
	// The parse error would quote the URL, credentials and all: say only where it is.
	u, err := url.Parse(strings.TrimSpace(c.URL))
	switch {
	case c.URL == "":
		return Fail(node, at("url"), "is required")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.Opaque != "":
		return Fail(node, at("url"), "not an http:// or https:// URL with a host")
	case u.User != nil:
		return Fail(node, at("url"), "has user information: set credentials in http_client_config (basic_auth with password_file)")
	}
	u.Fragment, u.RawFragment = "", ""
	p := &httpProber{url: u, display: apisource.Redacted(u), method: http.MethodGet, source: opts.Name, requests: opts.Requests}
	if c.Method != "" {
		p.method = strings.ToUpper(c.Method)
		if !slices.Contains(methods, p.method) {
			return Fail(node, at("method"), "%q is not one of %s", c.Method, strings.Join(methods, ", "))
		}
	}
	for i, code := range c.ValidStatusCodes {
		if code < 100 || code > 599 {
			return Fail(node, at("valid_status_codes", i), "%d is not an HTTP status code", code)
		}
	}
	p.valid = slices.Clone(c.ValidStatusCodes)
	if c.BodyRegex != "" {
		re, err := regexp.Compile(c.BodyRegex)
		if err != nil {
			return Fail(node, at("body_regex"), "%v", err)
		}
		p.body = re
	}
	hc := config.DefaultHTTPClientConfig // follows redirects, as blackbox_exporter does
	if c.HTTPClientConfig != nil {
		hc = *c.HTTPClientConfig
	}
	if p.client, err = apisource.HTTPClientConfig(node, nil, hc, opts.Dir); err != nil {
		// Reword the error at its place: the helper counts the path from node.
		var ce *apisource.ConfigError
		if errors.As(err, &ce) {
			return Fail(node, at(append([]any{"http_client_config"}, splitField(ce.Field)...)...), "%v", ce.Err)
		}
		return err
	}
	t.Target, t.Probe = p.display, p
	return nil
}

// splitField turns a dotted field of apisource into path elements.
func splitField(f string) []any {
	if f == "" {
		return nil
	}
	var out []any
	for _, s := range strings.Split(f, ".") {
		out = append(out, s)
	}
	return out
}

// httpClient builds the client at the first probe, and again at the next one when it fails
// (a certificate file that appears later): nothing is read when the configuration is loaded.
func (p *httpProber) httpClient() (*http.Client, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.hc != nil {
		return p.hc, nil
	}
	// Keep-alives off: every probe connects, as blackbox_exporter's do, so that a probe sees a
	// listener that stopped accepting and the certificate served now.
	hc, err := config.NewClientFromConfig(p.client, "sla_exporter_probe", config.WithUserAgent(apisource.UserAgent()), config.WithKeepAlivesDisabled())
	if err != nil {
		return nil, fmt.Errorf("http_client_config: %s", apisource.NewScrubber(&p.client).Scrub(err.Error()))
	}
	hc.Transport = p.requests.InstrumentRoundTripper(p.source, hc.Transport)
	p.hc = hc
	return hc, nil
}

// Probe requests the URL and checks the answer.
func (p *httpProber) Probe(ctx context.Context) (Result, error) {
	client, err := p.httpClient()
	if err != nil {
		return Result{}, err
	}
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, p.method, p.url.String(), nil)
	if err != nil { // cannot happen with a URL that parsed; its error would quote the URL
		return Result{}, errors.New("cannot build the request")
	}
	resp, err := client.Do(req)
	if err != nil {
		r := Result{Duration: time.Since(start), Detail: describe(ctx, unwrapURL(err))}
		r.CertExpiry = unverifiedExpiry(err)
		return r, nil
	}
	defer resp.Body.Close()
	r := Result{StatusCode: resp.StatusCode, CertExpiry: earliestExpiry(resp.TLS)}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	r.Duration = time.Since(start)
	switch {
	case err != nil:
		r.Detail = "reading the body: " + describe(ctx, err)
	case !p.validStatus(resp.StatusCode):
		r.Detail = "HTTP " + strconv.Itoa(resp.StatusCode) + ", not a valid status code"
	case p.body != nil && !p.body.Match(body):
		r.Detail = "the body does not match body_regex"
	default:
		r.Success = true
	}
	return r, nil
}

func (p *httpProber) validStatus(code int) bool {
	if p.valid == nil {
		return code >= 200 && code <= 299
	}
	return slices.Contains(p.valid, code)
}

// unwrapURL drops the *url.Error around a request's error: it quotes the URL, query and all.
func unwrapURL(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return ue.Err
	}
	return err
}

// describe words a failed connection or request for the log.
func describe(ctx context.Context, err error) string {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "no answer within the timeout"
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return "no answer within the timeout"
	}
	return err.Error()
}

// earliestExpiry is the earliest NotAfter of the certificates the server presented, as
// blackbox_exporter's probe_ssl_earliest_cert_expiry; zero without TLS.
func earliestExpiry(cs *tls.ConnectionState) time.Time {
	if cs == nil {
		return time.Time{}
	}
	return earliest(cs.PeerCertificates)
}

func earliest(certs []*x509.Certificate) time.Time {
	var t time.Time
	for _, c := range certs {
		if t.IsZero() || c.NotAfter.Before(t) {
			t = c.NotAfter
		}
	}
	return t
}

// unverifiedExpiry is the earliest expiry of the certificates of a handshake that failed their
// verification (an expired certificate): the expiry alert must see it then most of all.
func unverifiedExpiry(err error) time.Time {
	if ve, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return earliest(ve.UnverifiedCertificates)
	}
	return time.Time{}
}
