package blackbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/common/config"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	dto "github.com/prometheus/client_model/go"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
	"github.com/sla-exporter/sla_exporter/collector/probe"
)

// maxAnswer bounds a /probe answer; blackbox_exporter's are a few KiB.
const maxAnswer = 1 << 20

// maxSnippet bounds the part of an error answer an error quotes.
const maxSnippet = 200

// client calls one blackbox_exporter for every target of a source.
type client struct {
	base    *url.URL
	display string
	cfg     config.HTTPClientConfig
	source  string
	// requests counts the requests in sla_source_requests_total.
	requests *collector.Requests

	mu        sync.Mutex
	hc        *http.Client
	transport http.RoundTripper
}

func newClient(base *url.URL, hc config.HTTPClientConfig, opts collector.Options) *client {
	return &client{base: base, display: apisource.Redacted(base), cfg: hc, source: opts.Name, requests: opts.Requests}
}

// httpClient builds the client at the first probe, and again at the next one when it fails:
// nothing is read when the configuration is loaded.
func (c *client) httpClient() (*http.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hc != nil {
		return c.hc, nil
	}
	hc, err := config.NewClientFromConfig(c.cfg, "sla_exporter_blackbox", config.WithUserAgent(apisource.UserAgent()))
	if err != nil {
		return nil, fmt.Errorf("blackbox_exporter %s: http_client_config: %s", c.display, c.scrub(err.Error()))
	}
	c.transport = hc.Transport
	hc.Transport = c.requests.InstrumentRoundTripper(c.source, hc.Transport)
	c.hc = hc
	return hc, nil
}

func (c *client) scrub(s string) string { return apisource.NewScrubber(&c.cfg, c.base).Scrub(s) }

// close drops idle connections.
func (c *client) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ci, ok := c.transport.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// prober asks the blackbox_exporter to probe one target with one module.
type prober struct {
	c       *client
	query   url.Values
	timeout time.Duration
}

// Probe requests /probe, as Prometheus scrapes it: the timeout in
// X-Prometheus-Scrape-Timeout-Seconds, from which blackbox_exporter takes its own probe's
// (less its timeout_offset, 0.5s by default), so that its answer comes within ours.
func (p *prober) Probe(ctx context.Context) (probe.Result, error) {
	hc, err := p.c.httpClient()
	if err != nil {
		return probe.Result{}, err
	}
	u := p.c.base.JoinPath("probe")
	u.RawQuery = p.query.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil { // cannot happen with a base URL that parsed; its error would quote the target
		return probe.Result{}, fmt.Errorf("blackbox_exporter %s: cannot build the request", p.c.display)
	}
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", strconv.FormatFloat(p.timeout.Seconds(), 'f', -1, 64))
	resp, err := hc.Do(req)
	if err != nil {
		return probe.Result{}, fmt.Errorf("blackbox_exporter %s: %s", p.c.display, p.transportError(ctx, err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	switch {
	case err != nil:
		return probe.Result{}, fmt.Errorf("blackbox_exporter %s: reading the answer: %s", p.c.display, p.transportError(ctx, err))
	case resp.StatusCode != http.StatusOK:
		msg := fmt.Sprintf("blackbox_exporter %s: HTTP %d %s", p.c.display, resp.StatusCode, http.StatusText(resp.StatusCode))
		if sn := snippet(body); sn != "" {
			msg += ": " + strconv.Quote(sn)
		}
		return probe.Result{}, errors.New(p.c.scrub(msg))
	case len(body) > maxAnswer:
		return probe.Result{}, fmt.Errorf("blackbox_exporter %s: the answer is larger than %d KiB", p.c.display, maxAnswer>>10)
	}
	r, err := Parse(body)
	if err != nil {
		return probe.Result{}, fmt.Errorf("blackbox_exporter %s: %w", p.c.display, err)
	}
	return r, nil
}

// transportError words a request that got no (complete) answer, without the URL (its query
// has the target).
func (p *prober) transportError(ctx context.Context, err error) string {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		err = ue.Err
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Sprintf("no answer within the target's timeout of %s", model.Duration(p.timeout))
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return fmt.Sprintf("no answer within the target's timeout of %s", model.Duration(p.timeout))
	}
	return p.c.scrub(err.Error())
}

// snippet is the start of an error answer, on one line.
func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > maxSnippet {
		s = s[:maxSnippet] + "…"
	}
	return strings.ToValidUTF8(s, "�")
}

// Parse reads a blackbox_exporter /probe answer (the Prometheus text exposition format):
// probe_success (required, 0 or 1), probe_duration_seconds, probe_http_status_code and
// probe_ssl_earliest_cert_expiry when present. An answer it cannot read is an error: the probe
// then did not run, as far as the target's series is concerned.
func Parse(body []byte) (probe.Result, error) {
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		return probe.Result{}, fmt.Errorf("the answer is not the Prometheus text format: %w", err)
	}
	var r probe.Result
	success, ok, err := gauge(fams, "probe_success")
	switch {
	case err != nil:
		return r, err
	case !ok:
		return r, errors.New("the answer has no probe_success")
	case success != 0 && success != 1:
		return r, fmt.Errorf("probe_success is %g, neither 0 nor 1", success)
	}
	r.Success = success == 1
	if d, ok, err := gauge(fams, "probe_duration_seconds"); err != nil {
		return r, err
	} else if ok {
		if math.IsNaN(d) || d < 0 || d > 24*3600 {
			return r, fmt.Errorf("probe_duration_seconds is %g, not a duration", d)
		}
		r.Duration = time.Duration(d * float64(time.Second))
	}
	if code, ok, err := gauge(fams, "probe_http_status_code"); err != nil {
		return r, err
	} else if ok && code != 0 {
		if code != math.Trunc(code) || code < 100 || code > 999 {
			return r, fmt.Errorf("probe_http_status_code is %g, not an HTTP status", code)
		}
		r.StatusCode = int(code)
	}
	if exp, ok, err := gauge(fams, "probe_ssl_earliest_cert_expiry"); err != nil {
		return r, err
	} else if ok {
		// Years 1970 to 9999: what a certificate's NotAfter can say.
		if math.IsNaN(exp) || exp <= 0 || exp >= 253402300800 {
			return r, fmt.Errorf("probe_ssl_earliest_cert_expiry is %g, not a time", exp)
		}
		sec, frac := math.Modf(exp)
		r.CertExpiry = time.Unix(int64(sec), int64(frac*1e9)).UTC()
	}
	if !r.Success {
		r.Detail = "probe_success 0"
		if r.StatusCode != 0 {
			r.Detail += fmt.Sprintf(" (HTTP %d)", r.StatusCode)
		}
	}
	return r, nil
}

// gauge is the value of the metric name, which must be a single gauge or untyped sample
// without labels when present.
func gauge(fams map[string]*dto.MetricFamily, name string) (float64, bool, error) {
	f, ok := fams[name]
	if !ok || len(f.GetMetric()) == 0 {
		return 0, false, nil
	}
	if len(f.GetMetric()) > 1 {
		return 0, false, fmt.Errorf("%s has %d samples, want one", name, len(f.GetMetric()))
	}
	m := f.GetMetric()[0]
	switch {
	case m.GetGauge() != nil:
		return m.GetGauge().GetValue(), true, nil
	case m.GetUntyped() != nil:
		return m.GetUntyped().GetValue(), true, nil
	}
	return 0, false, fmt.Errorf("%s is a %s, not a gauge", name, strings.ToLower(f.GetType().String()))
}
