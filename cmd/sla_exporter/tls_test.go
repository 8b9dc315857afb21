package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// selfSigned writes a certificate for 127.0.0.1 and its key in dir and returns their paths and
// a pool trusting the certificate.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "sla_exporter test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile = writeFile(t, dir, "cert.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	keyFile = writeFile(t, dir, "key.pem", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})))
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// webPassword is the basic auth password of the TLS test: it must show nowhere.
const webPassword = "correct-horse-battery-staple-7f3a9c"

type tlsDaemon struct {
	*daemon
	hash string
}

// startTLSDaemon serves testdata/serve.yml over HTTPS with basic auth (user "prometheus") and
// debug logging.
func startTLSDaemon(t *testing.T) *tlsDaemon {
	t.Helper()
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	hash, err := bcrypt.GenerateFromPassword([]byte(webPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	webCfg := writeFile(t, dir, "web.yml", fmt.Sprintf("tls_server_config:\n  cert_file: %s\n  key_file: %s\nbasic_auth_users:\n  prometheus: %s\n", certFile, keyFile, hash))
	cfg := writeFile(t, dir, "sla.yml", readFile(t, "testdata/serve.yml"))
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	d := startDaemon(t, "https", client, "--config.file="+cfg, "--web.config.file="+webCfg, "--log.level=debug")
	d.user, d.password = "prometheus", webPassword
	return &tlsDaemon{daemon: d, hash: string(hash)}
}

func TestServeTLSBasicAuth(t *testing.T) {
	d := startTLSDaemon(t)
	d.waitReady()
	d.waitMetric(`sla_source_up{source="demo"} 1`)

	for _, tc := range []struct {
		name, user, password string
		want                 int
	}{
		{"no credentials", "", "", 401},
		{"wrong password", "prometheus", "wrong", 401},
		{"wrong user", "grafana", webPassword, 401},
		{"credentials", "prometheus", webPassword, 200},
	} {
		d.user, d.password = tc.user, tc.password
		for _, path := range []string{"/metrics", "/", "/api/v1/objectives", "/-/healthy"} {
			code, _, err := d.request("GET", path, nil)
			if err != nil || code != tc.want {
				t.Errorf("%s: GET %s: %d %v, want %d", tc.name, path, code, err, tc.want)
			}
		}
		if code, _, _ := d.request("POST", "/-/reload", nil); code != tc.want {
			t.Errorf("%s: POST /-/reload: %d, want %d", tc.name, code, tc.want)
		}
	}
	d.user, d.password = "prometheus", webPassword

	// Plain HTTP to the TLS port gets nothing served.
	plain := &http.Client{Timeout: 10 * time.Second}
	req, _ := http.NewRequest("GET", strings.Replace(d.base, "https://", "http://", 1)+"/metrics", nil)
	req.SetBasicAuth("prometheus", webPassword)
	if resp, err := plain.Do(req); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Error("plain HTTP to the TLS port answered 200")
		}
	}
	waitLog(t, d.daemon, "client sent an HTTP request to an HTTPS server")
	// An untrusted certificate is refused by a client that checks.
	untrusting := &http.Client{Timeout: 10 * time.Second}
	if resp, err := untrusting.Get(d.base + "/-/healthy"); err == nil {
		resp.Body.Close()
		t.Error("a client without the test CA connected")
	}
	if err := d.stop(); err != nil {
		t.Errorf("run returned %v", err)
	}
}

// waitLog waits for the daemon to log s.
func waitLog(t *testing.T, d *daemon, s string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(d.stderr.String(), s) {
		if time.Now().After(deadline) {
			t.Errorf("the log does not say %q", s)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// assertNoSecret fails for each surface (a name and its content) that contains a secret.
func assertNoSecret(t *testing.T, surfaces map[string]string, secrets ...string) {
	t.Helper()
	for name, content := range surfaces {
		for _, s := range secrets {
			if s != "" && strings.Contains(content, s) {
				i := strings.Index(content, s)
				t.Errorf("%s shows a secret: ...%s...", name, content[max(0, i-100):min(len(content), i+len(s)+20)])
			}
		}
	}
}

// TestSecretsDoNotLeak looks for the web password (and its hash) everywhere the daemon writes:
// the debug log, every page, and the errors of a refused reload and of run itself.
func TestSecretsDoNotLeak(t *testing.T) {
	d := startTLSDaemon(t)
	d.waitReady()
	d.waitMetric(`sla_attainment_ratio{objective="shop-availability"`)
	// Failed logins, with the password in the wrong place, are logged at most without it.
	for _, user := range []string{webPassword, "prometheus:" + webPassword, "nobody"} {
		d.user, d.password = user, webPassword+"x"
		d.request("GET", "/metrics", nil)
	}
	d.user, d.password = "prometheus", webPassword
	surfaces := map[string]string{}
	for _, path := range []string{"/", "/metrics", "/api/v1/objectives", "/api/v1/objectives/response/tickets", "/api/v1/objectives/response/tickets?format=csv", "/-/ready", "/-/healthy"} {
		surfaces[path] = d.get(path)
	}
	_, surfaces["POST /-/reload"], _ = d.request("POST", "/-/reload", nil)
	if err := d.stop(); err != nil {
		surfaces["run error"] = err.Error()
	}
	surfaces["log"] = d.stderr.String()
	if !strings.Contains(surfaces["log"], "level=DEBUG") {
		t.Error("the log has no debug lines: is --log.level=debug in effect?")
	}
	assertNoSecret(t, surfaces, webPassword, d.hash)
}

// TestSecretsInBadWebConfig checks that a web configuration that is refused, with the password
// where its hash should be, does not print the password in the error or the log.
func TestSecretsInBadWebConfig(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, _ := selfSigned(t, dir)
	cfg := writeFile(t, dir, "sla.yml", readFile(t, "testdata/serve.yml"))
	for name, web := range map[string]string{
		"plain password":     fmt.Sprintf("tls_server_config:\n  cert_file: %s\n  key_file: %s\nbasic_auth_users:\n  prometheus: %s\n", certFile, keyFile, webPassword),
		"password as a list": fmt.Sprintf("basic_auth_users:\n  prometheus: [%s]\n", webPassword),
		"unknown key":        fmt.Sprintf("basic_auth_users:\n  prometheus: x\npassword: %s\n", webPassword),
	} {
		t.Run(name, func(t *testing.T) {
			webCfg := writeFile(t, dir, "web.yml", web)
			_, stderr, err := runCmd(t, "serve", "--config.file="+cfg, "--web.config.file="+webCfg,
				"--web.listen-address=127.0.0.1:0", "--storage.path="+filepath.Join(dir, "data"), "--log.level=debug")
			if err == nil {
				t.Fatal("a bad web configuration was accepted")
			}
			assertNoSecret(t, map[string]string{"run error": err.Error(), "log": stderr}, webPassword)
			if !strings.Contains(err.Error(), "web.yml") {
				t.Errorf("error %q does not name the web configuration file", err)
			}
		})
	}
}

// TestSecretsSourceCredentials is the hook for source credentials: when a source kind takes a URL
// with http_client_config credentials (basic auth, bearer token, OAuth2 client secret), serve
// it from an httptest server requiring them, with a wrong one too, and check with assertNoSecret
// that neither the credential nor a URL with userinfo shows in the log (--log.level=debug),
// /metrics, /, /api/v1/objectives, the reload error and run's error.
func TestSecretsSourceCredentials(t *testing.T) {
	t.Skip("no source kind takes credentials yet (collector/file reads local files only)")
}
