package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
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

// Credentials of the ITSM export server of TestSecretsSourceCredentials: none may show.
const (
	itsmPassword      = "itsm-Pa55word-e2e-4c1d8b"
	itsmWrongPassword = "itsm-not-the-password-77e0"
	itsmAPIKey        = "APIKEY-e2e-0123456789abcdef"
)

// itsmServer serves a ServiceNow-like CSV export at /incident_list.do?CSV&apikey=..., to user sla
// with itsmPassword; anything else gets a 401. Once failing is set it answers 500. Its error
// pages echo the request (its query, its Authorization header, the password it decoded), as
// careless servers do, so that an error quoting them would leak.
func itsmServer(t *testing.T, failing *atomic.Bool) *httptest.Server {
	now := time.Now().UTC()
	at := func(d time.Duration) string { return now.Add(-d).Format(time.RFC3339) }
	export := "id,created,status,priority,first_response,resolved\n" +
		"INC1," + at(5*time.Hour) + ",resolved,P1," + at(4*time.Hour+50*time.Minute) + "," + at(3*time.Hour) + "\n" +
		"INC2," + at(4*time.Hour) + ",open,P2," + at(3*time.Hour) + ",\n" +
		"INC3," + at(2*time.Hour) + ",open,P3,,\n"
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		echo := fmt.Sprintf("<html><body>Request %s failed (Authorization: %s; user %s, password %s)</body></html>",
			r.URL.RequestURI(), r.Header.Get("Authorization"), user, pass)
		switch {
		case r.URL.Path != "/incident_list.do" || r.URL.Query().Get("apikey") != itsmAPIKey || user != "sla" || pass != itsmPassword:
			w.Header().Set("WWW-Authenticate", `Basic realm="itsm"`)
			http.Error(w, echo, http.StatusUnauthorized)
		case failing.Load():
			http.Error(w, echo, http.StatusInternalServerError)
		default:
			w.Header().Set("Content-Type", "text/csv")
			io.WriteString(w, export)
		}
	}))
	t.Cleanup(ts.Close)
	return ts
}

// itsmConfig is a configuration with two file sources fetching the export, one with the right
// password (from a file) and one with a wrong one, and an objective on the first.
func itsmConfig(exportURL string) string {
	return `global:
  evaluation_interval: 1s

sources:
  - name: itsm
    type: file
    interval: 1s
    timeout: 1s
    file: &itsm
      url: ` + exportURL + `
      format: csv
      columns: {id: id, created: created, status: status, priority: priority, first_response: first_response, resolved: resolved}
      statuses: {open: [open], resolved: [resolved]}
      http_client_config:
        basic_auth: {username: sla, password_file: itsm.password}
  - name: itsm-wrong
    type: file
    interval: 1s
    timeout: 1s
    file:
      <<: *itsm
      http_client_config:
        basic_auth: {username: sla, password_file: wrong.password}

services:
  - name: desk

objectives:
  - name: itsm-response
    service: desk
    kind: ticket
    source: itsm
    clock: response
    targets: {P1: 1h, "*": 8h}
    target: 0.9
    period: rolling:2d
`
}

// TestSecretsSourceCredentials serves a file source's export from an httptest server requiring
// basic auth (password from a password_file) and an API key in the query, with a second source
// sending a wrong password; after a good sync the server fails with 500s echoing the request.
// Neither password, the API key nor their Authorization header may show in the log
// (--log.level=debug), /metrics, /, /api/v1/objectives, the errors of refused reloads or run's
// error; the failing source goes down while its last good data is still served.
func TestSecretsSourceCredentials(t *testing.T) {
	var failing atomic.Bool
	ts := itsmServer(t, &failing)
	exportURL := ts.URL + "/incident_list.do?CSV&apikey=" + itsmAPIKey
	dir := t.TempDir()
	writeFile(t, dir, "itsm.password", itsmPassword+"\n")
	writeFile(t, dir, "wrong.password", itsmWrongPassword+"\n")
	cfg := writeFile(t, dir, "sla.yml", itsmConfig(exportURL))
	d := startDaemon(t, "http", nil, "--config.file="+cfg, "--log.level=debug")
	d.waitReady()
	d.waitMetric(`sla_source_up{source="itsm"} 1`)
	d.waitMetric(`sla_attainment_ratio{objective="itsm-response"`)
	d.waitMetric(`sla_source_up{source="itsm-wrong"} 0`)
	records := d.waitMetric(`sla_source_records{source="itsm"} 3`)

	failing.Store(true)
	d.waitMetric(`sla_source_up{source="itsm"} 0`)
	// Logged once per distinct error, at error level; the status page shows only up or down.
	waitLog(t, d, `err="GET `+ts.URL+`/incident_list.do: HTTP 500 Internal Server Error: `)
	waitLog(t, d, `err="GET `+ts.URL+`/incident_list.do: HTTP 401 Unauthorized`)
	metrics := d.get("/metrics")
	for _, want := range []string{`sla_source_records{source="itsm"} 3`, `sla_attainment_ratio{objective="itsm-response"`,
		`sla_source_requests_total{code="200",source="itsm"}`, `sla_source_requests_total{code="500",source="itsm"}`,
		`sla_source_requests_total{code="401",source="itsm-wrong"}`} {
		if !hasLine(metrics, want) {
			t.Errorf("/metrics after the 500s lacks %s: the last good data is not served\nbefore:\n%s", want, records)
		}
	}

	surfaces := map[string]string{"/metrics": metrics}
	for _, path := range []string{"/", "/api/v1/objectives", "/api/v1/objectives/itsm-response/tickets", "/api/v1/objectives/itsm-response/tickets?format=csv"} {
		surfaces[path] = d.get(path)
	}
	if page := surfaces["/"]; !strings.Contains(page, `<tr data-source="itsm"><th scope="row">itsm</th>`) || !strings.Contains(page, "</span> down</span><br><span class=\"note\">sync_failed: its syncs fail") {
		t.Errorf("the status page does not show the source down:\n%.3000s", surfaces["/"])
	}
	// Refused reloads, the URL holding the password itself, or a key misspelt.
	for name, broken := range map[string]string{
		"user information and basic_auth": strings.Replace(itsmConfig(exportURL), "url: http://", "url: http://sla:"+itsmPassword+"@", 1),
		"misspelt key":                    strings.Replace(itsmConfig(exportURL), "password_file: itsm.password", "password_fil: itsm.password", 1),
		"not a URL":                       strings.Replace(itsmConfig(exportURL), "url: http://", "url: ftp://sla:"+itsmPassword+"@", 1),
	} {
		writeFile(t, dir, "sla.yml", broken)
		code, body, err := d.request("POST", "/-/reload", nil)
		if err != nil || code != 500 || !strings.Contains(body, "sla.yml") {
			t.Errorf("%s: POST /-/reload: %d %v %q, want 500 naming the file", name, code, err, body)
		}
		surfaces["POST /-/reload, "+name] = body
	}
	if err := d.stop(); err != nil {
		surfaces["run error"] = err.Error()
	}
	surfaces["log"] = d.stderr.String()
	if !strings.Contains(surfaces["log"], "level=DEBUG") {
		t.Error("the log has no debug lines: is --log.level=debug in effect?")
	}
	basic := func(pw string) string { return base64.StdEncoding.EncodeToString([]byte("sla:" + pw)) }
	assertNoSecret(t, surfaces, itsmPassword, itsmWrongPassword, itsmAPIKey, basic(itsmPassword), basic(itsmWrongPassword), "apikey=")
}

// TestSecretsSourceCredentialsCheck: `check` of a configuration whose url holds credentials
// reports its errors without them.
func TestSecretsSourceCredentialsCheck(t *testing.T) {
	dir := t.TempDir()
	exportURL := "http://sla:" + itsmPassword + "@127.0.0.1:9/incident_list.do?CSV&apikey=" + itsmAPIKey
	cfg := writeFile(t, dir, "sla.yml", itsmConfig(exportURL))
	stdout, stderr, err := runCmd(t, "check", "--config.file="+cfg)
	if err == nil {
		t.Fatal("check accepted user information in the URL with basic_auth")
	}
	if !strings.Contains(err.Error(), "url: has user information") {
		t.Errorf("check error %q does not say what is wrong", err)
	}
	assertNoSecret(t, map[string]string{"check error": err.Error(), "stdout": stdout, "stderr": stderr}, itsmPassword, itsmAPIKey)
}
