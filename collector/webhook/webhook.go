// Package webhook checks that a call to a source's webhook endpoint comes from its ticket tool:
// a shared token sent with the call, or an HMAC-SHA256 of the body keyed with a shared secret.
// The call only triggers a sync of the source; its payload is never read as data, so the check
// is all that stands between the endpoint and anyone who can reach it, and it compares in
// constant time.
//
// The tools sign as follows (see docs/configuration.md for the settings of each):
//
//   - Jira Cloud's admin webhooks, given a secret: X-Hub-Signature: sha256=<hex HMAC-SHA256 of
//     the body> (https://developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks).
//     Jira Automation's "Send web request" and Jira Data Center's webhooks sign nothing: a
//     token in a custom header, or in the URL's query.
//   - ServiceNow's outbound REST messages send what the REST message's HTTP headers say: a
//     token in a custom header.
//   - Zendesk: X-Zendesk-Webhook-Signature: base64(HMAC-SHA256(timestamp + body)), the
//     timestamp in X-Zendesk-Webhook-Signature-Timestamp
//     (https://developer.zendesk.com/documentation/webhooks/verifying/).
package webhook

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// Scheme is how a call proves where it comes from.
type Scheme uint8

// Schemes.
const (
	// HMACSHA256: a header holds the HMAC-SHA256 of the body (preceded by a timestamp header's
	// value, for Zendesk), keyed with the secret.
	HMACSHA256 Scheme = iota + 1
	// Token: a header, or a query parameter, holds the secret itself.
	Token
)

// Encoding is how an HMAC is written in its header.
type Encoding uint8

// Encodings of an HMAC.
const (
	Hex Encoding = iota
	Base64
)

// MaxSecretSize bounds the secret file: a secret, not a document.
const MaxSecretSize = 4096

// Spec is a source's webhook: how its calls are signed. Build it from the configuration and
// Check it.
type Spec struct {
	Scheme Scheme
	// SecretFile holds the shared secret (surrounding white space is not part of it). It is
	// read at every call, so that a rotated secret applies without a reload.
	SecretFile string
	// Header carries the signature or the token; Query, for a token only, names the URL query
	// parameter carrying it instead.
	Header, Query string
	// Prefix precedes the signature or the token in the header ("sha256=", "Bearer ").
	Prefix string
	// Encoding is the HMAC's, in the header.
	Encoding Encoding
	// TimestampHeader, for an HMAC, names a header whose value is signed before the body.
	TimestampHeader string
}

// Errors of Verify. ErrUnsigned and ErrMismatch are the caller's fault (401); ErrSecret the
// configuration's (500).
var (
	ErrUnsigned = errors.New("the call is not signed")
	ErrMismatch = errors.New("the signature does not match")
	ErrSecret   = errors.New("the webhook secret cannot be read")
)

// ReadSecret reads the secret file, refusing an empty or oversized one. Its errors name the file
// but never quote it.
func ReadSecret(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxSecretSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxSecretSize {
		return nil, fmt.Errorf("%s is larger than %d bytes: not a secret", path, MaxSecretSize)
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil, fmt.Errorf("%s is empty", path)
	}
	return b, nil
}

// Verify checks a call's headers, query and body against the secret. The errors say what was
// wrong without quoting the secret or what the call sent.
func (s *Spec) Verify(h http.Header, query url.Values, body []byte) error {
	secret, err := ReadSecret(s.SecretFile)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrSecret, err)
	}
	got, where := h.Get(s.Header), "header "+s.Header
	if s.Query != "" {
		got, where = query.Get(s.Query), "query parameter "+s.Query
	}
	if got == "" {
		return fmt.Errorf("%w: no %s", ErrUnsigned, where)
	}
	got, ok := strings.CutPrefix(got, s.Prefix)
	if !ok {
		return fmt.Errorf("%w: %s does not start with %q", ErrMismatch, where, s.Prefix)
	}
	if s.Scheme == Token {
		// Hashed first, so that the comparison takes the same time whatever the lengths.
		a, b := sha256.Sum256([]byte(got)), sha256.Sum256(secret)
		if subtle.ConstantTimeCompare(a[:], b[:]) != 1 {
			return ErrMismatch
		}
		return nil
	}
	var sig []byte
	if s.Encoding == Base64 {
		sig, err = base64.StdEncoding.DecodeString(strings.TrimSpace(got))
	} else {
		sig, err = hex.DecodeString(strings.TrimSpace(got))
	}
	if err != nil {
		return fmt.Errorf("%w: %s is not %s", ErrMismatch, where, map[Encoding]string{Hex: "hexadecimal", Base64: "base64"}[s.Encoding])
	}
	mac := hmac.New(sha256.New, secret)
	if s.TimestampHeader != "" {
		ts := h.Get(s.TimestampHeader)
		if ts == "" {
			return fmt.Errorf("%w: no header %s", ErrUnsigned, s.TimestampHeader)
		}
		mac.Write([]byte(ts))
	}
	mac.Write(body)
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return ErrMismatch
	}
	return nil
}
