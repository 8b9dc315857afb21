package apisource

import (
	"cmp"
	"encoding/base64"
	"errors"
	"io"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/prometheus/common/config"
	"gopkg.in/yaml.v3"
)

// Scrubber replaces known secrets and the secret parts of URLs in messages. It is the file
// source's scrubber (collector/file/scrub.go) made to stand on its own, for any source holding an
// http_client_config.
type Scrubber struct{ secrets []string }

// minSecret is the length under which a value is not scrubbed: it would match all over a message
// (a query's page=1), and protects nothing anyway.
const minSecret = 4

// maxSecretFile bounds what is read of a secret file to scrub its contents.
const maxSecretFile = 64 << 10

// NewScrubber collects the secrets of hc, inline or in files (read now, since they may have
// changed), and those of the URLs given (their user information and query).
func NewScrubber(hc *config.HTTPClientConfig, urls ...*url.URL) *Scrubber {
	sc := &Scrubber{}
	for _, u := range urls {
		sc.addURL(u)
	}
	if b := hc.BasicAuth; b != nil {
		user := cmp.Or(b.Username, readSecret(b.UsernameFile))
		pass := cmp.Or(string(b.Password), readSecret(b.PasswordFile))
		sc.add(pass)
		sc.addBasic(user, pass)
	}
	if a := hc.Authorization; a != nil {
		sc.add(string(a.Credentials))
		sc.add(readSecret(a.CredentialsFile))
	}
	sc.add(string(hc.BearerToken))
	sc.add(readSecret(hc.BearerTokenFile))
	if o := hc.OAuth2; o != nil {
		sc.add(string(o.ClientSecret))
		sc.add(readSecret(o.ClientSecretFile))
		sc.add(string(o.ClientCertificateKey))
		sc.add(string(o.TLSConfig.Key))
		sc.addBasic(o.ClientID, cmp.Or(string(o.ClientSecret), readSecret(o.ClientSecretFile)))
		sc.addURL(o.ProxyURL.URL)
		if u, err := url.Parse(strings.TrimSpace(o.TokenURL)); err == nil {
			sc.addURL(u)
		}
		for _, v := range o.EndpointParams {
			sc.add(v)
		}
	}
	sc.add(string(hc.TLSConfig.Key))
	if h := hc.HTTPHeaders; h != nil {
		for _, v := range h.Headers {
			for _, x := range v.Secrets {
				sc.add(string(x))
			}
			for _, file := range v.Files {
				sc.add(readSecret(file))
			}
		}
	}
	for _, vs := range hc.ProxyConnectHeader {
		for _, v := range vs {
			sc.add(string(v))
		}
	}
	sc.addURL(hc.ProxyURL.URL)
	sc.sort()
	return sc
}

// With returns sc with more secrets to scrub (a token the source sends outside
// http_client_config), for the kind's own messages.
func (sc *Scrubber) With(secrets ...string) *Scrubber {
	if len(secrets) == 0 {
		return sc
	}
	out := &Scrubber{secrets: slices.Clone(sc.secrets)}
	for _, s := range secrets {
		out.add(s)
	}
	out.sort()
	return out
}

// sort puts the longest secrets first, so that a secret containing another is replaced whole.
func (sc *Scrubber) sort() {
	slices.SortFunc(sc.secrets, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	sc.secrets = slices.Compact(sc.secrets)
}

// readSecret reads a secret file as prometheus/common does (spaces trimmed); "" when it cannot.
func readSecret(path string) string {
	if path == "" {
		return ""
	}
	fh, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, maxSecretFile))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func (sc *Scrubber) add(v string) {
	if len(v) >= minSecret {
		sc.secrets = append(sc.secrets, v)
	}
}

// addBasic adds the Authorization value basic auth makes of user and password, which a server
// may echo.
func (sc *Scrubber) addBasic(user, pass string) {
	if pass != "" {
		sc.add(base64.StdEncoding.EncodeToString([]byte(user + ":" + pass)))
	}
}

// addURL adds a URL's password (or its user name when it has no password: a token), and its
// query: the whole, and each value, raw and decoded.
func (sc *Scrubber) addURL(u *url.URL) {
	if u == nil {
		return
	}
	if u.User != nil {
		name := u.User.Username()
		if pw, ok := u.User.Password(); ok {
			sc.add(pw)
			sc.add(url.QueryEscape(pw))
			sc.add(url.PathEscape(pw))
			sc.addBasic(name, pw)
		} else {
			sc.add(name)
			sc.add(url.QueryEscape(name))
		}
	}
	sc.add(u.RawQuery)
	for part := range strings.SplitSeq(u.RawQuery, "&") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			v = k
		}
		sc.add(v)
		if dec, err := url.QueryUnescape(v); err == nil {
			sc.add(dec)
		}
	}
}

// urlPattern finds URLs in messages, secrets already replaced in them included.
var urlPattern = regexp.MustCompile("[a-zA-Z][a-zA-Z0-9+.-]*://(?:[^\\s\"'<>`\\\\]|<secret>)+")

// Scrub shows every secret in text as <secret>, then every URL as scheme://host/path.
func (sc *Scrubber) Scrub(text string) string {
	for _, s := range sc.secrets {
		text = strings.ReplaceAll(text, s, "<secret>")
	}
	return urlPattern.ReplaceAllStringFunc(text, func(u string) string {
		const standIn = "SLAEXPORTERSECRET"
		return strings.ReplaceAll(RedactURL(strings.ReplaceAll(u, "<secret>", standIn)), standIn, "<secret>")
	})
}

// Redacted is u as scheme://host/path: user information and query, which may hold credentials,
// are left out.
func Redacted(u *url.URL) string {
	r := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	return r.String()
}

// RedactURL is Redacted for a URL in a string; what does not parse as one with a host is not
// shown at all, and an empty string stays empty.
func RedactURL(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "<unparsable URL>"
	}
	return Redacted(u)
}

// maxSnippet bounds how much of an error response's body an error quotes.
const maxSnippet = 256

// snippet turns the start of a body into one line of at most maxSnippet bytes, secrets scrubbed
// before it is cut.
func snippet(b []byte, sc *Scrubber) string {
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

// secretKeys are the keys of http_client_config whose values are credentials.
var secretKeys = map[string]bool{"password": true, "credentials": true, "client_secret": true, "bearer_token": true,
	"client_certificate_key": true, "key": true, "secrets": true}

// urlKeys are the keys whose values are URLs, which may hold credentials.
var urlKeys = map[string]bool{"url": true, "proxy_url": true, "token_url": true}

// ScrubConfigError keeps the credentials written in a block out of its configuration errors:
// yaml's and prometheus/common's messages may quote a value (a proxy_url that does not parse).
func ScrubConfigError(node *yaml.Node, err error) error {
	if err == nil {
		return nil
	}
	sc := &Scrubber{}
	var walk func(n *yaml.Node, key string, depth int)
	walk = func(n *yaml.Node, key string, depth int) {
		if n == nil || depth > 32 {
			return
		}
		switch n.Kind {
		case yaml.ScalarNode:
			switch {
			case urlKeys[key]:
				sc.add(n.Value)
				if u, err := url.Parse(strings.TrimSpace(n.Value)); err == nil {
					sc.addURL(u)
				}
			case secretKeys[key]:
				sc.add(n.Value)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i+1], n.Content[i].Value, depth+1)
			}
		case yaml.SequenceNode, yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, key, depth+1)
			}
		}
	}
	walk(node, "", 0)
	if len(sc.secrets) == 0 {
		return err
	}
	sc.sort()
	msg := err.Error()
	if clean := sc.Scrub(msg); clean != msg {
		return errors.New(clean)
	}
	return err
}
