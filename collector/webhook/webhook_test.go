package webhook

import (
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The HMAC-SHA256 of "what do ya want for nothing?" keyed with "Jefe": RFC 4231, test case 2.
const (
	rfcKey    = "Jefe"
	rfcData   = "what do ya want for nothing?"
	rfcHex    = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
	rfcBase64 = "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="
)

func secretFile(t testing.TB, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestVerify(t *testing.T) {
	key := secretFile(t, rfcKey+"\n") // a trailing newline, as editors write
	jira := Spec{Scheme: HMACSHA256, SecretFile: key, Header: "X-Hub-Signature", Prefix: "sha256="}
	// Zendesk signs the timestamp header's value, then the body.
	zendesk := Spec{Scheme: HMACSHA256, SecretFile: key, Header: "X-Zendesk-Webhook-Signature", Encoding: Base64,
		TimestampHeader: "X-Zendesk-Webhook-Signature-Timestamp"}
	token := Spec{Scheme: Token, SecretFile: secretFile(t, "s3cret-t0ken"), Header: "X-Sla-Token"}
	bearer := Spec{Scheme: Token, SecretFile: token.SecretFile, Header: "Authorization", Prefix: "Bearer "}
	inURL := Spec{Scheme: Token, SecretFile: token.SecretFile, Query: "token"}
	tests := []struct {
		name   string
		spec   Spec
		header map[string]string
		query  string
		body   string
		want   error
		msg    string
	}{
		{"jira", jira, map[string]string{"X-Hub-Signature": "sha256=" + rfcHex}, "", rfcData, nil, ""},
		{"jira, upper-case hex", jira, map[string]string{"X-Hub-Signature": "sha256=" + strings.ToUpper(rfcHex)}, "", rfcData, nil, ""},
		{"jira, another body", jira, map[string]string{"X-Hub-Signature": "sha256=" + rfcHex}, "", rfcData + " ", ErrMismatch, "the signature does not match"},
		{"jira, unsigned", jira, nil, "", rfcData, ErrUnsigned, "the call is not signed: no header X-Hub-Signature"},
		{"jira, no prefix", jira, map[string]string{"X-Hub-Signature": rfcHex}, "", rfcData, ErrMismatch,
			`the signature does not match: header X-Hub-Signature does not start with "sha256="`},
		{"jira, not hex", jira, map[string]string{"X-Hub-Signature": "sha256=zz"}, "", rfcData, ErrMismatch,
			"the signature does not match: header X-Hub-Signature is not hexadecimal"},
		{"jira, truncated", jira, map[string]string{"X-Hub-Signature": "sha256=" + rfcHex[:62]}, "", rfcData, ErrMismatch, "the signature does not match"},
		{"zendesk", zendesk, map[string]string{"X-Zendesk-Webhook-Signature": rfcBase64, "X-Zendesk-Webhook-Signature-Timestamp": "what do ya want "},
			"", "for nothing?", nil, ""},
		{"zendesk, another timestamp", zendesk, map[string]string{"X-Zendesk-Webhook-Signature": rfcBase64, "X-Zendesk-Webhook-Signature-Timestamp": "2026-11-16T10:00:00Z"},
			"", "for nothing?", ErrMismatch, "the signature does not match"},
		{"zendesk, no timestamp", zendesk, map[string]string{"X-Zendesk-Webhook-Signature": rfcBase64}, "", rfcData, ErrUnsigned,
			"the call is not signed: no header X-Zendesk-Webhook-Signature-Timestamp"},
		{"zendesk, hex instead of base64", zendesk, map[string]string{"X-Zendesk-Webhook-Signature": rfcHex + "!", "X-Zendesk-Webhook-Signature-Timestamp": "1"},
			"", rfcData, ErrMismatch, "the signature does not match: header X-Zendesk-Webhook-Signature is not base64"},
		{"token", token, map[string]string{"X-Sla-Token": "s3cret-t0ken"}, "", "anything", nil, ""},
		{"token, wrong", token, map[string]string{"X-Sla-Token": "s3cret-t0ke"}, "", "anything", ErrMismatch, "the signature does not match"},
		{"token, absent", token, map[string]string{"X-Other": "s3cret-t0ken"}, "", "", ErrUnsigned, "the call is not signed: no header X-Sla-Token"},
		{"bearer", bearer, map[string]string{"Authorization": "Bearer s3cret-t0ken"}, "", "", nil, ""},
		{"bearer, basic instead", bearer, map[string]string{"Authorization": "Basic s3cret-t0ken"}, "", "", ErrMismatch,
			`the signature does not match: header Authorization does not start with "Bearer "`},
		{"token in the URL", inURL, nil, "token=s3cret-t0ken", "", nil, ""},
		{"token in a header, the URL's wanted", inURL, map[string]string{"Token": "s3cret-t0ken"}, "", "", ErrUnsigned, "the call is not signed: no query parameter token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.header {
				h.Set(k, v)
			}
			q, _ := url.ParseQuery(tc.query)
			err := tc.spec.Verify(h, q, []byte(tc.body))
			if !errors.Is(err, tc.want) || tc.want != nil && err.Error() != tc.msg {
				t.Fatalf("Verify = %v, want %q", err, tc.msg)
			}
			if err != nil && (strings.Contains(err.Error(), rfcKey) || strings.Contains(err.Error(), "s3cret")) {
				t.Errorf("the error quotes the secret: %v", err)
			}
		})
	}
}

func TestVerifySecretFile(t *testing.T) {
	for _, tc := range []struct {
		name, path, want string
	}{
		{"missing", filepath.Join(t.TempDir(), "nope"), "no such file or directory"},
		{"empty", secretFile(t, " \n"), "is empty"},
		{"too large", secretFile(t, strings.Repeat("k", MaxSecretSize+1)), "is larger than 4096 bytes: not a secret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Spec{Scheme: Token, SecretFile: tc.path, Header: "X-Token"}
			h := http.Header{"X-Token": {"k"}}
			err := s.Verify(h, nil, nil)
			if !errors.Is(err, ErrSecret) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Verify = %v, want ErrSecret saying %q", err, tc.want)
			}
		})
	}
}

// FuzzVerify feeds arbitrary signatures, timestamps and bodies: Verify never panics and accepts
// only the signed content (a signature may be written in more than one base64 spelling).
func FuzzVerify(f *testing.F) {
	key := secretFile(f, rfcKey)
	f.Add(rfcBase64, "what do ya want ", "for nothing?")
	f.Add("", "", "")
	f.Add("=====", "x", "y")
	f.Fuzz(func(t *testing.T, sig, ts, body string) {
		s := Spec{Scheme: HMACSHA256, SecretFile: key, Header: "X-Sig", Encoding: Base64, TimestampHeader: "X-Ts"}
		h := http.Header{}
		h.Set("X-Sig", sig)
		h.Set("X-Ts", ts)
		err := s.Verify(h, nil, []byte(body))
		if err == nil && h.Get("X-Ts")+body != rfcData {
			t.Fatalf("accepted signature %q for %q + %q", sig, ts, body)
		}
	})
}
