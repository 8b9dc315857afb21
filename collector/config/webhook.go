package config

import (
	"errors"
	"fmt"
	"regexp"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/webhook"
)

// rawWebhook is a source's webhook: block. Prefix is a pointer so that an explicit "" differs
// from the default.
type rawWebhook struct {
	Signature       string  `yaml:"signature"`
	SecretFile      string  `yaml:"secret_file"`
	Header          string  `yaml:"header"`
	Query           string  `yaml:"query"`
	Prefix          *string `yaml:"prefix"`
	Encoding        string  `yaml:"encoding"`
	TimestampHeader string  `yaml:"timestamp_header"`
}

// Webhook defaults: GitHub's and Jira Cloud's header for an HMAC, a bearer token otherwise.
const (
	DefaultWebhookHMACHeader  = "X-Hub-Signature-256"
	DefaultWebhookHMACPrefix  = "sha256="
	DefaultWebhookTokenHeader = "Authorization"
	DefaultWebhookTokenPrefix = "Bearer "
)

// headerName is an HTTP header name (RFC 9110 token characters).
var headerName = regexp.MustCompile(`^[A-Za-z0-9!#$%&'*+.^_|~-]+$`)

// webhook checks a source's webhook block; nil when there is none. The secret file is read at
// every call, not here: a missing file fails the calls (500, logged), as a missing
// credentials_file fails a source's requests.
func (b *builder) webhook(node *yaml.Node, at []any) (*webhook.Spec, error) {
	if node == nil {
		return nil, nil
	}
	field := func(f string) []any { return append(append([]any{}, at...), f) }
	rw := &rawWebhook{}
	if err := collector.DecodeStrict(node, rw); err != nil {
		// "line N: key: message" of DecodeStrict, as the kinds' blocks report theirs.
		if m := lineRef.FindStringSubmatch(err.Error()); m != nil && m[1] == "" {
			file, field := b.at(at...)
			return nil, fmt.Errorf("%s:%s: %s.%s", file, m[2], field, m[3])
		}
		return nil, b.fail(err, at...)
	}
	s := &webhook.Spec{Header: rw.Header, Query: rw.Query, TimestampHeader: rw.TimestampHeader}
	switch rw.Signature {
	case "hmac-sha256":
		s.Scheme = webhook.HMACSHA256
	case "token":
		s.Scheme = webhook.Token
	case "":
		return nil, b.fail(errors.New("is required: hmac-sha256 (a signature of the body) or token (the secret sent as is)"), field("signature")...)
	default:
		return nil, b.fail(fmt.Errorf("%q is not hmac-sha256 or token", rw.Signature), field("signature")...)
	}
	if rw.SecretFile == "" {
		return nil, b.fail(errors.New("is required: the file holding the shared secret"), field("secret_file")...)
	}
	s.SecretFile = b.reportPath(rw.SecretFile, at)
	for _, h := range []struct{ key, v string }{{"header", rw.Header}, {"timestamp_header", rw.TimestampHeader}} {
		if h.v != "" && !headerName.MatchString(h.v) {
			return nil, b.fail(fmt.Errorf("%q is not an HTTP header name", h.v), field(h.key)...)
		}
	}
	defaultHeader, defaultPrefix := DefaultWebhookTokenHeader, DefaultWebhookTokenPrefix
	if s.Scheme == webhook.HMACSHA256 {
		defaultHeader, defaultPrefix = DefaultWebhookHMACHeader, DefaultWebhookHMACPrefix
		switch {
		case rw.Query != "":
			return nil, b.fail(errors.New("applies to signature: token (an HMAC is sent in a header)"), field("query")...)
		case rw.Encoding == "" || rw.Encoding == "hex":
			s.Encoding = webhook.Hex
		case rw.Encoding == "base64":
			s.Encoding = webhook.Base64
		default:
			return nil, b.fail(fmt.Errorf("%q is not hex or base64", rw.Encoding), field("encoding")...)
		}
	} else {
		switch {
		case rw.Encoding != "":
			return nil, b.fail(errors.New("applies to signature: hmac-sha256"), field("encoding")...)
		case rw.TimestampHeader != "":
			return nil, b.fail(errors.New("applies to signature: hmac-sha256"), field("timestamp_header")...)
		case rw.Query != "" && rw.Header != "":
			return nil, b.fail(errors.New("and header are exclusive: the token comes in one of them"), field("query")...)
		case rw.Query != "" && rw.Prefix != nil:
			return nil, b.fail(errors.New("applies to a header"), field("prefix")...)
		}
	}
	// The default prefix goes with the default header only: a header of one's own carries the
	// signature or token alone unless prefix says otherwise.
	if s.Header == "" && s.Query == "" {
		s.Header, s.Prefix = defaultHeader, defaultPrefix
	}
	if rw.Prefix != nil {
		s.Prefix = *rw.Prefix
	}
	return s, nil
}
