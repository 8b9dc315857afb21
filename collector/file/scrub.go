package file

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

	"gopkg.in/yaml.v3"
)

// scrubber replaces known secrets and the secret parts of URLs in messages.
type scrubber struct{ secrets []string }

// minSecret is the length under which a value is not scrubbed: it would match all over a message
// (a query's page=1), and protects nothing anyway.
const minSecret = 4

// maxSecretFile bounds what is read of a secret file to scrub its contents.
const maxSecretFile = 64 << 10

// scrubber collects the secrets of the fetch: the URL's user information and query (and those
// of the URLs given: where a redirect led), and http_client_config's credentials, inline or in
// files (read now, since they may have changed).
func (f *fetchPlan) scrubber(more ...*url.URL) *scrubber {
	sc := &scrubber{}
	sc.addURL(f.url)
	for _, u := range more {
		sc.addURL(u)
	}
	hc := &f.client
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
		// The token URL may carry a key in its query or user information; the endpoint
		// parameters may hold an assertion or a secret by any name.
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

// sort puts the longest secrets first, so that a secret containing another is replaced whole.
func (sc *scrubber) sort() {
	slices.SortFunc(sc.secrets, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	sc.secrets = slices.Compact(sc.secrets)
}

// secretKeys are the keys of http_client_config whose values are credentials.
var secretKeys = map[string]bool{"password": true, "credentials": true, "client_secret": true, "bearer_token": true,
	"client_certificate_key": true, "key": true, "secrets": true}

// urlKeys are the keys whose values are URLs, which may hold credentials.
var urlKeys = map[string]bool{"url": true, "proxy_url": true, "token_url": true}

// scrubConfigError keeps the credentials written in a block out of its configuration errors:
// yaml's and prometheus/common's messages may quote a value (a proxy_url that does not parse).
func scrubConfigError(node *yaml.Node, err error) error {
	sc := &scrubber{}
	var walk func(n *yaml.Node, key string, depth int)
	walk = func(n *yaml.Node, key string, depth int) {
		if n == nil || depth > 32 {
			return
		}
		switch n.Kind {
		case yaml.ScalarNode:
			switch {
			case urlKeys[key]:
				sc.add(n.Value) // whole, as a parse error quotes it
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
	if clean := sc.scrub(msg); clean != msg {
		return errors.New(clean)
	}
	return err
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

func (sc *scrubber) add(v string) {
	if len(v) >= minSecret {
		sc.secrets = append(sc.secrets, v)
	}
}

// addBasic adds the Authorization value basic auth makes of user and password, which a server
// may echo.
func (sc *scrubber) addBasic(user, pass string) {
	if pass != "" {
		sc.add(base64.StdEncoding.EncodeToString([]byte(user + ":" + pass)))
	}
}

// addURL adds a URL's password (or its user name when it has no password: a token), and its
// query: the whole, and each value (a key without a value may be a token), raw and decoded.
func (sc *scrubber) addURL(u *url.URL) {
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
		if raw := u.User.String(); strings.Contains(raw, ":") {
			_, pw, _ := strings.Cut(raw, ":")
			sc.add(pw)
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

// urlPattern finds URLs in messages, secrets already replaced in them included (so that a query
// replaced by <secret> goes with the rest of the query).
var urlPattern = regexp.MustCompile("[a-zA-Z][a-zA-Z0-9+.-]*://(?:[^\\s\"'<>`\\\\]|<secret>)+")

// scrub shows every secret in text as <secret>, then every URL as scheme://host/path. Secrets
// go first: a URL that does not parse is only partly matched as one, and the rest of it would
// stay.
func (sc *scrubber) scrub(text string) string {
	for _, s := range sc.secrets {
		text = strings.ReplaceAll(text, s, "<secret>")
	}
	return urlPattern.ReplaceAllStringFunc(text, func(u string) string {
		// <secret> does not parse in user information: parse with a stand-in instead, dropped with
		// the user information and query, kept (as <secret>) where it stays.
		const standIn = "SLAEXPORTERSECRET"
		return strings.ReplaceAll(redactURL(strings.ReplaceAll(u, "<secret>", standIn)), standIn, "<secret>")
	})
}
