package file

import (
	"cmp"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/prometheus/common/config"
	"github.com/prometheus/common/version"
	"golang.org/x/oauth2"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
)

// maxSnippet bounds how much of an error response's body an error quotes.
const maxSnippet = 256

// snippetWindow is how much of an error response's body is read to quote its start: more than
// maxSnippet, so that a credential echoed across the cut is scrubbed whole before the cut.
const snippetWindow = maxSnippet + 16<<10

// maxValidator bounds an ETag or Last-Modified kept in the checkpoint; a longer one is not kept.
const maxValidator = 1024

// fetchPlan is a url: block compiled.
type fetchPlan struct {
	// url is what is requested: the configured URL without its fragment. Its user information,
	// if any, is sent as basic auth by net/http.
	url *url.URL
	// display is the URL as messages show it: scheme://host/path, without user information or
	// query (which may hold an API key).
	display string
	// name is how rejections and read errors name the export: the URL's path without its leading
	// slash ("incident_list.do"), or the host when the path is empty.
	name string
	// headers are the plain extra headers, canonical.
	headers http.Header
	// client is the http_client_config, its relative file names resolved and validated.
	client config.HTTPClientConfig
}

// url compiles the url: key with http_client_config and headers.
func (c *compiler) url(p *plan) error {
	cfg := c.cfg
	// The parse error would quote the URL, credentials and all: say only where it is.
	u, err := url.Parse(strings.TrimSpace(string(cfg.URL)))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.Opaque != "" {
		return c.failf([]string{"url"}, "not an http:// or https:// URL with a host")
	}
	u.Fragment, u.RawFragment = "", ""
	f := &fetchPlan{url: u, display: apisource.Redacted(u), name: strings.TrimPrefix(u.Path, "/")}
	if f.name == "" {
		f.name = u.Host
	}
	p.fetch, p.extOf = f, u.Path

	hc := cfg.HTTPClientConfig
	hc.SetDirectory(p.dir)
	if hc.OAuth2 != nil { // OAuth2.SetDirectory forgets this one
		hc.OAuth2.ClientCertificateKeyFile = config.JoinDir(p.dir, hc.OAuth2.ClientCertificateKeyFile)
	}
	if err := hc.Validate(); err != nil {
		return c.fail(err, "http_client_config")
	}
	if ref := apisource.SecretRef(&hc); ref != nil {
		return c.failf(append([]string{"http_client_config"}, ref...), "secret references need a secret manager, which sla_exporter has not: use the _file form")
	}
	if u.User != nil && (hc.BasicAuth != nil || hc.Authorization != nil || hc.OAuth2 != nil) {
		return c.failf([]string{"url"}, "has user information, and http_client_config sets credentials too: keep one (basic_auth with password_file keeps the password out of the URL)")
	}
	f.client = hc

	f.headers = http.Header{}
	for _, name := range sortedKeys(cfg.Headers) {
		at := []string{"headers", name}
		canon := http.CanonicalHeaderKey(name)
		switch {
		case !validHeaderName(name):
			return c.failf(at, "%q is not a header name", name)
		case credentialHeaders[canon]:
			return c.failf(at, "headers are not secret: set credentials in http_client_config (basic_auth with password_file, authorization with credentials_file, or http_headers with files)")
		case managedHeaders[canon]:
			return c.failf(at, "is set by sla_exporter")
		case f.headers.Get(canon) != "":
			return c.failf(at, "the header is also set as %s", canon)
		}
		v := strings.TrimSpace(cfg.Headers[name])
		if strings.ContainsAny(v, "\r\n\x00") {
			return c.failf(at, "the value holds a line break or NUL")
		}
		f.headers.Set(canon, v)
	}
	return nil
}

// credentialHeaders may not be set under headers: they carry credentials, which belong in
// http_client_config.
var credentialHeaders = map[string]bool{"Authorization": true, "Proxy-Authorization": true, "Cookie": true}

// managedHeaders are set by the client or by the fetch itself.
var managedHeaders = func() map[string]bool {
	m := map[string]bool{"If-None-Match": true, "If-Modified-Since": true, "If-Match": true,
		"If-Unmodified-Since": true, "If-Range": true, "Range": true, "Te": true, "Transfer-Encoding": true, "Upgrade": true}
	for h := range config.ReservedHeaders {
		m[h] = true
	}
	return m
}()

// validHeaderName reports whether s is an HTTP token (RFC 9110 field-name).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if c >= utf8.RuneSelf || !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// fetchState is what a checkpoint remembers of the last fetch.
type fetchState struct {
	// ETag and LastModified are the response's validators, sent back as If-None-Match and
	// If-Modified-Since.
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	Size         int64  `json:"size"`
	SHA256       string `json:"sha256"`
}

// httpClient returns the source's client, building it on first use: the files http_client_config
// names (a CA, a client certificate) are read then, so that a configuration can be checked
// before they exist.
func (s *Source) httpClient() (*http.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client != nil {
		return s.client, nil
	}
	ua := "sla_exporter/" + version.Version
	if version.Version == "" {
		ua = "sla_exporter"
	}
	c, err := config.NewClientFromConfig(s.plan.fetch.client, "sla_exporter", config.WithUserAgent(ua))
	if err != nil {
		return nil, err
	}
	s.transport = c.Transport
	c.Transport = s.requests.InstrumentRoundTripper(s.name, c.Transport)
	s.client = c
	return c, nil
}

// Close drops the idle connections of a url source; a path source holds nothing.
func (s *Source) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ci, ok := s.transport.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
	return nil
}

// syncURL fetches the export, conditionally on the checkpoint's validators, and reads it when its
// contents changed.
func (s *Source) syncURL(ctx context.Context, cp []byte) (collector.Batch, error) {
	p, f := s.plan, s.plan.fetch
	client, err := s.httpClient()
	if err != nil {
		return collector.Batch{}, s.failure(ctx, fmt.Errorf("%s: http_client_config: %w", f.display, err))
	}
	prev := parseCheckpoint(cp)
	if prev != nil && (prev.Config != p.fingerprint || prev.Fetch == nil) {
		prev = nil // another mapping: read the export again, whatever its validators say
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.url.String(), nil)
	if err != nil { // cannot happen with a URL that parsed; its error would quote the URL
		return collector.Batch{}, fmt.Errorf("GET %s: cannot build the request", f.display)
	}
	for k, v := range f.headers {
		req.Header[k] = slices.Clone(v)
	}
	req.Header.Set("Accept-Encoding", "gzip")
	if prev != nil {
		if prev.Fetch.ETag != "" {
			req.Header.Set("If-None-Match", prev.Fetch.ETag)
		}
		if prev.Fetch.LastModified != "" {
			req.Header.Set("If-Modified-Since", prev.Fetch.LastModified)
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err // its URL has the query, and the user information of a redirect
		}
		if re, ok := errors.AsType[*oauth2.RetrieveError](err); ok && ctx.Err() == nil {
			err = errors.New(tokenError(re, f.scrubber()))
		} else if ie, ok := err.(*url.Error); ok && strings.EqualFold(ie.Op, http.MethodPost) && f.client.OAuth2 != nil {
			// The export is fetched with GET: a POST is the token request.
			err = fmt.Errorf("oauth2: cannot fetch a token: %w", err)
		}
		return collector.Batch{}, s.failure(ctx, fmt.Errorf("GET %s: %w", f.display, err))
	}
	defer resp.Body.Close()
	switch code := resp.StatusCode; {
	case code == http.StatusNotModified:
		if prev == nil {
			return collector.Batch{}, s.failure(ctx, fmt.Errorf("GET %s: HTTP 304 Not Modified to a request that was not conditional", f.display), resp.Request.URL)
		}
		s.logger.Debug("export not modified", "url", f.display)
		return collector.Batch{Checkpoint: cp}, nil
	case code < 200 || code > 299:
		return collector.Batch{}, s.statusError(ctx, resp)
	}
	body, err := p.decodedBody(resp)
	if err != nil {
		return collector.Batch{}, s.failure(ctx, fmt.Errorf("GET %s: %w", f.display, err), resp.Request.URL)
	}
	rd := newReading(p, []string{f.name})
	sum, err := rd.readStream(ctx, 0, body)
	if err != nil {
		if isHTML(resp) {
			err = fmt.Errorf("%w (the server sent an HTML page, not %s: a login or error page?)", err, p.format)
		}
		return collector.Batch{}, s.failure(ctx, err, resp.Request.URL)
	}
	cur := &checkpoint{Config: p.fingerprint, Fetch: &fetchState{
		ETag:         validator(resp.Header.Get("ETag")),
		LastModified: validator(resp.Header.Get("Last-Modified")),
		Size:         body.read,
		SHA256:       sum,
	}}
	data, err := json.Marshal(cur)
	if err != nil {
		return collector.Batch{}, err
	}
	if prev != nil && prev.Fetch.SHA256 == sum {
		s.logger.Debug("export unchanged", "url", f.display, "bytes", body.read)
		return collector.Batch{Checkpoint: data}, nil
	}
	b := rd.finish(s.lastWrite(resp))
	b.Checkpoint, b.Replace = data, true
	if len(b.Rejected) > 0 {
		sc := f.scrubber(resp.Request.URL)
		for i := range b.Rejected {
			b.Rejected[i].Where = sc.Scrub(b.Rejected[i].Where)
			b.Rejected[i].Reason = sc.Scrub(b.Rejected[i].Reason)
		}
	}
	s.logger.Debug("export read", "url", f.display, "bytes", body.read, "rows", rd.rows, "tickets", len(b.Tickets),
		"uptime_series", len(b.Uptime), "event_series", len(b.Events), "rejected", len(b.Rejected))
	return b, nil
}

// validator keeps a validator header of a sane length.
func validator(v string) string {
	if len(v) > maxValidator {
		return ""
	}
	return v
}

// lastWrite is when the export was last written, for uptime outage rows' default coverage end:
// its Last-Modified, else the response's Date, else now.
func (s *Source) lastWrite(resp *http.Response) time.Time {
	for _, h := range []string{"Last-Modified", "Date"} {
		if t, err := http.ParseTime(resp.Header.Get(h)); err == nil {
			return t
		}
	}
	return s.now()
}

func isHTML(resp *http.Response) bool {
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return mt == "text/html" || mt == "application/xhtml+xml"
}

// bodyReader reads a response body, decompressed, failing past the plan's max_size: a bigger
// one fails the sync rather than being read in part (a truncated export would be a smaller
// snapshot).
type bodyReader struct {
	r    io.Reader
	read int64
	p    *plan
	// what the reader reads, for errors: "the response" when empty.
	what string
}

func (p *plan) errTooLarge(what string) error {
	return fmt.Errorf("%s is larger than the limit of %s (max_size of source %q): raise max_size, or export less", what, Size(p.maxSize), p.source)
}

func (b *bodyReader) Read(buf []byte) (int, error) {
	if b.read >= b.p.maxSize {
		var one [1]byte
		for {
			n, err := b.r.Read(one[:])
			if n > 0 {
				return 0, b.p.errTooLarge(cmp.Or(b.what, "the response"))
			}
			if err != nil {
				return 0, b.wrap(err)
			}
		}
	}
	if left := b.p.maxSize - b.read; int64(len(buf)) > left {
		buf = buf[:left]
	}
	n, err := b.r.Read(buf)
	b.read += int64(n)
	return n, b.wrap(err)
}

func (b *bodyReader) wrap(err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	return fmt.Errorf("reading %s: %w", cmp.Or(b.what, "the response"), err)
}

// decodedBody returns the response's body, gunzipped when it is gzip-encoded.
func (p *plan) decodedBody(resp *http.Response) (*bodyReader, error) {
	switch enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
		if resp.ContentLength > p.maxSize {
			return nil, p.errTooLarge("the response")
		}
		return &bodyReader{r: resp.Body, p: p}, nil
	case "gzip", "x-gzip":
		gz, err := gzip.NewReader(resp.Body)
		if err != nil {
			return nil, fmt.Errorf("reading the response: gzip: %w", err)
		}
		return &bodyReader{r: gz, p: p}, nil
	default:
		return nil, fmt.Errorf("the response is encoded as %.32q, which sla_exporter does not read", enc)
	}
}

// statusError describes a response that is neither a success nor 304: its status and the start
// of its body, scrubbed of anything secret.
func (s *Source) statusError(ctx context.Context, resp *http.Response) error {
	f := s.plan.fetch
	code := resp.StatusCode
	msg := fmt.Sprintf("GET %s: HTTP %d %s", f.display, code, http.StatusText(code))
	switch code {
	case http.StatusUnauthorized:
		msg += " (credentials missing or refused: see http_client_config)"
	case http.StatusForbidden:
		msg += " (the credentials lack access)"
	}
	sc := f.scrubber(resp.Request.URL)
	if body, err := s.plan.decodedBody(resp); err == nil {
		buf, _ := io.ReadAll(io.LimitReader(body, snippetWindow))
		if sn := snippet(buf, sc); sn != "" {
			msg += ": " + strconv.Quote(sn)
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("GET %s: %w", f.display, err)
	}
	if code != http.StatusTooManyRequests && code != http.StatusServiceUnavailable {
		return errors.New(sc.Scrub(msg))
	}
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return errors.New(sc.Scrub(msg))
	}
	wait, ok := parseRetryAfter(v, s.serverNow(resp))
	if !ok {
		return errors.New(sc.Scrub(msg + fmt.Sprintf(" (Retry-After %.64q is neither a number of seconds nor an HTTP date)", v)))
	}
	err := errors.New(sc.Scrub(msg))
	if wait <= 0 {
		return err // a time already past: retry on the runner's own schedule
	}
	return &collector.RetryAfterError{After: wait, Err: err}
}

// maxRetrySeconds bounds a Retry-After in seconds, so that a huge one cannot overflow a
// Duration; the runner caps the wait far below it anyway.
const maxRetrySeconds = 1 << 31

// parseRetryAfter reads a Retry-After value: a number of seconds, or an HTTP date, which is
// measured from now (the server's clock, when its answer says what time it is).
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if n, err := strconv.ParseUint(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		return time.Duration(min(n, maxRetrySeconds)) * time.Second, true // n is the maximum on ErrRange
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return t.Sub(now), true
}

// serverNow is what time the server says it is (its Date header), else the source's clock: a
// Retry-After date is the server's, and the two clocks may differ.
func (s *Source) serverNow(resp *http.Response) time.Time {
	if t, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		return t
	}
	return s.now()
}

// tokenError words an OAuth2 token endpoint's refusal: its status and the start of its answer,
// scrubbed, on one line (the oauth2 package's own message quotes the whole answer, which may run
// to kilobytes and echo what was sent).
func tokenError(re *oauth2.RetrieveError, sc *apisource.Scrubber) string {
	msg := "oauth2: the token endpoint refused the request"
	if re.Response != nil {
		msg = "oauth2: the token endpoint answered HTTP " + re.Response.Status
	}
	msg += " (see http_client_config.oauth2)"
	if sn := snippet(re.Body, sc); sn != "" {
		msg += ": " + strconv.Quote(sn)
	}
	return msg
}

// snippet turns the start of a body into one line of at most maxSnippet bytes, secrets scrubbed
// before it is cut.
func snippet(b []byte, sc *apisource.Scrubber) string {
	s := sc.Scrub(strings.ToValidUTF8(string(b), "\uFFFD"))
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	if len(s) <= maxSnippet {
		return s
	}
	cut := maxSnippet
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// failure is the error Sync returns: a done context's error as it is (wrapped), anything else
// with every URL shown as scheme://host/path and every known credential (those of the URLs
// given too: where a redirect led) as <secret>.
func (s *Source) failure(ctx context.Context, err error, more ...*url.URL) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("GET %s: %w", s.plan.fetch.display, cerr)
	}
	msg := err.Error()
	clean := s.plan.fetch.scrubber(more...).Scrub(msg)
	if clean == msg {
		return err
	}
	return errors.New(clean)
}

// readStream reads one export from r into the builder and returns its SHA-256.
func (rd *reading) readStream(ctx context.Context, i int, r io.Reader) (string, error) {
	h := sha256.New()
	tr := io.TeeReader(r, h)
	emit := func(rw *row) error {
		rd.rows++
		if rd.rows%cancelEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rd.b.add(rw)
		return nil
	}
	if err := rd.plan.read(tr, i, rd.names[i], emit); err != nil {
		return "", err
	}
	if _, err := io.Copy(io.Discard, tr); err != nil { // hash whatever the parser left
		return "", fmt.Errorf("%s: %w", rd.names[i], err)
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
