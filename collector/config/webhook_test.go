package config

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector/webhook"
)

// withWebhook is base with a webhook block on its source.
func withWebhook(block string) string {
	return strings.Replace(base, "    type: demo\n", "    type: demo\n    webhook: "+block+"\n", 1)
}

func TestLoadWebhook(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, block string
		want        *webhook.Spec
	}{
		{"hmac defaults: GitHub's header", "{signature: hmac-sha256, secret_file: s}",
			&webhook.Spec{Scheme: webhook.HMACSHA256, SecretFile: filepath.Join(dir, "s"), Header: "X-Hub-Signature-256", Prefix: "sha256="}},
		{"jira cloud", `{signature: hmac-sha256, secret_file: /etc/sla/jira, header: X-Hub-Signature, prefix: "sha256="}`,
			&webhook.Spec{Scheme: webhook.HMACSHA256, SecretFile: "/etc/sla/jira", Header: "X-Hub-Signature", Prefix: "sha256="}},
		{"zendesk", "{signature: hmac-sha256, secret_file: s, header: X-Zendesk-Webhook-Signature, encoding: base64, timestamp_header: X-Zendesk-Webhook-Signature-Timestamp}",
			&webhook.Spec{Scheme: webhook.HMACSHA256, SecretFile: filepath.Join(dir, "s"), Header: "X-Zendesk-Webhook-Signature", Encoding: webhook.Base64,
				TimestampHeader: "X-Zendesk-Webhook-Signature-Timestamp"}},
		{"token defaults: a bearer token", "{signature: token, secret_file: s}",
			&webhook.Spec{Scheme: webhook.Token, SecretFile: filepath.Join(dir, "s"), Header: "Authorization", Prefix: "Bearer "}},
		{"servicenow", "{signature: token, secret_file: s, header: X-SLA-Token}",
			&webhook.Spec{Scheme: webhook.Token, SecretFile: filepath.Join(dir, "s"), Header: "X-SLA-Token"}},
		{"token in the URL", "{signature: token, secret_file: s, query: token}",
			&webhook.Spec{Scheme: webhook.Token, SecretFile: filepath.Join(dir, "s"), Query: "token"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Load([]byte(withWebhook(tc.block)), "test.yml", dir)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, cfg.Sources[0].Webhook); diff != "" {
				t.Errorf("webhook (-want +got):\n%s", diff)
			}
		})
	}
	cfg, err := Load([]byte(base), "test.yml", dir)
	if err != nil || cfg.Sources[0].Webhook != nil {
		t.Errorf("without a webhook block: %+v, %v", cfg.Sources[0].Webhook, err)
	}
}

func TestLoadWebhookErrors(t *testing.T) {
	for _, tc := range []struct{ block, want string }{
		{"{secret_file: s}", "test.yml:11: sources[0].webhook.signature: is required: hmac-sha256 (a signature of the body) or token (the secret sent as is)"},
		{"{signature: hmac-sha1, secret_file: s}", `test.yml:11: sources[0].webhook.signature: "hmac-sha1" is not hmac-sha256 or token`},
		{"{signature: token}", "test.yml:11: sources[0].webhook.secret_file: is required: the file holding the shared secret"},
		{"{signature: token, secret: abc}", "test.yml:11: sources[0].webhook.secret: unknown field (known: signature, secret_file, header, query, prefix, encoding, timestamp_header)"},
		{`{signature: token, secret_file: s, header: "X Token"}`, `test.yml:11: sources[0].webhook.header: "X Token" is not an HTTP header name`},
		{"{signature: hmac-sha256, secret_file: s, query: sig}", "test.yml:11: sources[0].webhook.query: applies to signature: token (an HMAC is sent in a header)"},
		{"{signature: hmac-sha256, secret_file: s, encoding: base32}", `test.yml:11: sources[0].webhook.encoding: "base32" is not hex or base64`},
		{"{signature: token, secret_file: s, encoding: hex}", "test.yml:11: sources[0].webhook.encoding: applies to signature: hmac-sha256"},
		{"{signature: token, secret_file: s, timestamp_header: X-Ts}", "test.yml:11: sources[0].webhook.timestamp_header: applies to signature: hmac-sha256"},
		{"{signature: token, secret_file: s, query: t, header: X-T}", "test.yml:11: sources[0].webhook.query: and header are exclusive: the token comes in one of them"},
		{`{signature: token, secret_file: s, query: t, prefix: "x"}`, "test.yml:11: sources[0].webhook.prefix: applies to a header"},
	} {
		t.Run(tc.block, func(t *testing.T) {
			_, err := Load([]byte(withWebhook(tc.block)), "test.yml", t.TempDir())
			if err == nil || err.Error() != tc.want {
				t.Errorf("error\n got: %v\nwant: %s", err, tc.want)
			}
		})
	}
}
