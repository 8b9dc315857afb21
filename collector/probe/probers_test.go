package probe

import (
	stdcmp "cmp"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
)

// notAfter is the expiry of the test servers' certificate, and expired that of an expired one.
var (
	notAfter = time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	expired  = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
)

// testCert is a self-signed certificate for 127.0.0.1 expiring at until, and its PEM file.
func testCert(t *testing.T, until time.Time) (tls.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sla_exporter test"},
		NotBefore: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: until,
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, path
}

// proberOf compiles a one-target `probe:` block and returns its prober.
func proberOf(t *testing.T, block string) Prober {
	t.Helper()
	var node yaml.Node
	if err := yaml.Unmarshal([]byte(block), &node); err != nil {
		t.Fatal(err)
	}
	src, err := newKind(node.Content[0], collector.Options{Name: "probes", Dir: t.TempDir()})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	t.Cleanup(func() { _ = src.(*Source).Close() })
	return src.(*Source).Scheduler().Targets()[0].Probe
}

// run probes once within timeout.
func run(t *testing.T, p Prober, timeout time.Duration) (Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	return p.Probe(ctx)
}

// ignoreDuration: durations are measured on the wall clock, never asserted.
var ignoreDuration = cmpopts.IgnoreFields(Result{}, "Duration")

func TestHTTP(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Probe") != "" {
			w.Header().Set("X-Probe-Seen", r.Header.Get("X-Probe"))
		}
		fmt.Fprintf(w, "status: ok (%s, probe header %q)\n", r.Method, r.Header.Get("X-Probe"))
	})
	mux.HandleFunc("/down", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/health", http.StatusFound)
	})
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	gone := httptest.NewServer(mux)
	gone.Close()

	for _, tc := range []struct {
		name, block string
		timeout     time.Duration
		want        Result
	}{
		{"ok", `{url: %s/health}`, 0, Result{Success: true, StatusCode: 200}},
		{"wrong status", `{url: %s/down}`, 0, Result{StatusCode: 503, Detail: "HTTP 503, not a valid status code"}},
		{"expected status", `{url: %s/down, valid_status_codes: [503]}`, 0, Result{Success: true, StatusCode: 503}},
		{"body matches", `{url: %s/health, body_regex: 'status: ok \(GET'}`, 0, Result{Success: true, StatusCode: 200}},
		{"body does not match", `{url: %s/health, body_regex: 'status: degraded'}`, 0,
			Result{StatusCode: 200, Detail: "the body does not match body_regex"}},
		{"method", `{url: %s/health, method: options, body_regex: 'OPTIONS'}`, 0, Result{Success: true, StatusCode: 200}},
		{"headers from http_client_config", `{url: %s/health, body_regex: 'probe header "yes"', http_client_config: {http_headers: {X-Probe: {values: ["yes"]}}}}`, 0,
			Result{Success: true, StatusCode: 200}},
		{"redirect followed", `{url: %s/old, body_regex: 'status: ok'}`, 0, Result{Success: true, StatusCode: 200}},
		{"redirect not followed", `{url: %s/old, http_client_config: {follow_redirects: false}}`, 0,
			Result{StatusCode: 302, Detail: "HTTP 302, not a valid status code"}},
		{"redirect expected", `{url: %s/old, valid_status_codes: [301, 302], http_client_config: {follow_redirects: false}}`, 0,
			Result{Success: true, StatusCode: 302}},
		{"timeout", `{url: %s/hang}`, 100 * time.Millisecond, Result{Detail: "no answer within the timeout"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := proberOf(t, fmt.Sprintf("targets: [{series: s, http: %s}]", fmt.Sprintf(tc.block, srv.URL)))
			got, err := run(t, p, stdcmp.Or(tc.timeout, 5*time.Second))
			if err != nil {
				t.Fatalf("probe did not run: %v", err)
			}
			if diff := cmp.Diff(tc.want, got, ignoreDuration); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			if got.Duration <= 0 {
				t.Errorf("duration %s", got.Duration)
			}
		})
	}
	t.Run("connection refused", func(t *testing.T) {
		got, err := run(t, proberOf(t, "targets: [{series: s, http: {url: "+gone.URL+"/health}}]"), 5*time.Second)
		if err != nil || got.Success || !strings.Contains(got.Detail, "connection refused") || got.StatusCode != 0 {
			t.Errorf("result %+v, %v: want a failure of the target, connection refused", got, err)
		}
	})
}

// TestHTTP_TLS: the certificate's expiry is reported whether the probe succeeds or fails its
// verification (an expired certificate must stay visible to the expiry alert); a CA file that
// cannot be read is the exporter's problem: the probe does not run.
func TestHTTP_TLS(t *testing.T) {
	serve := func(cert tls.Certificate) *httptest.Server {
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
		srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the failed handshakes are the point
		srv.StartTLS()
		t.Cleanup(srv.Close)
		return srv
	}
	good, goodCA := testCert(t, notAfter)
	old, oldCA := testCert(t, expired)
	srvGood, srvOld := serve(good), serve(old)
	for _, tc := range []struct {
		name, block string
		want        Result
	}{
		{"verified", fmt.Sprintf(`{url: %s/, http_client_config: {tls_config: {ca_file: %s}}}`, srvGood.URL, goodCA),
			Result{Success: true, StatusCode: 200, CertExpiry: notAfter}},
		{"unknown authority", fmt.Sprintf(`{url: %s/}`, srvGood.URL),
			Result{CertExpiry: notAfter, Detail: "tls: failed to verify certificate: x509: certificate signed by unknown authority"}},
		{"verification off", fmt.Sprintf(`{url: %s/, http_client_config: {tls_config: {insecure_skip_verify: true}}}`, srvGood.URL),
			Result{Success: true, StatusCode: 200, CertExpiry: notAfter}},
		{"expired", fmt.Sprintf(`{url: %s/, http_client_config: {tls_config: {ca_file: %s}}}`, srvOld.URL, oldCA),
			Result{CertExpiry: expired}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := run(t, proberOf(t, "targets: [{series: s, http: "+tc.block+"}]"), 5*time.Second)
			if err != nil {
				t.Fatalf("probe did not run: %v", err)
			}
			opts := []cmp.Option{ignoreDuration}
			if tc.name == "expired" { // the message carries the wall-clock time of the check
				if !strings.Contains(got.Detail, "certificate has expired") {
					t.Errorf("detail %q, want an expired certificate", got.Detail)
				}
				opts = append(opts, cmpopts.IgnoreFields(Result{}, "Detail"))
			}
			if diff := cmp.Diff(tc.want, got, opts...); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("CA file missing", func(t *testing.T) {
		dir := t.TempDir()
		p := proberOf(t, fmt.Sprintf("targets: [{series: s, http: {url: %s/, http_client_config: {tls_config: {ca_file: %s/none.pem}}}}]", srvGood.URL, dir))
		_, err := run(t, p, 5*time.Second)
		if err == nil || !strings.HasPrefix(err.Error(), "http_client_config: unable to read CA cert: unable to read file "+dir+"/none.pem") {
			t.Errorf("error %v: want the probe not run, naming the CA file", err)
		}
	})
}

func TestTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	cert, ca := testCert(t, notAfter)
	tlsLn, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	defer tlsLn.Close()
	go func() {
		for {
			c, err := tlsLn.Accept()
			if err != nil {
				return
			}
			go func() {
				_ = c.(*tls.Conn).Handshake()
				c.Close()
			}()
		}
	}()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()

	for _, tc := range []struct {
		name, block string
		want        Result
		detail      string
	}{
		{"connect", fmt.Sprintf("{address: %q}", ln.Addr()), Result{Success: true}, ""},
		{"refused", fmt.Sprintf("{address: %q}", closedAddr), Result{}, "connection refused"},
		{"tls", fmt.Sprintf("{address: %q, tls: true, tls_config: {ca_file: %s}}", tlsLn.Addr(), ca), Result{Success: true, CertExpiry: notAfter}, ""},
		{"tls unverified", fmt.Sprintf("{address: %q, tls: true}", tlsLn.Addr()), Result{CertExpiry: notAfter}, "TLS handshake: tls: failed to verify certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := run(t, proberOf(t, "targets: [{series: s, tcp: "+tc.block+"}]"), 5*time.Second)
			if err != nil {
				t.Fatalf("probe did not run: %v", err)
			}
			if !strings.Contains(got.Detail, tc.detail) || (tc.detail == "") != (got.Detail == "") {
				t.Errorf("detail %q, want it to hold %q", got.Detail, tc.detail)
			}
			if diff := cmp.Diff(tc.want, got, ignoreDuration, cmpopts.IgnoreFields(Result{}, "Detail")); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
}

// mustBuild compiles a `probe:` block.
func mustBuild(t *testing.T, block string) *Source {
	t.Helper()
	var node yaml.Node
	if err := yaml.Unmarshal([]byte(block), &node); err != nil {
		t.Fatal(err)
	}
	src, err := build(node.Content[0], decodeConfig(t, node.Content[0]), collector.Options{Name: "probes"})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return src
}

func decodeConfig(t *testing.T, node *yaml.Node) Config {
	t.Helper()
	var cfg Config
	if err := collector.DecodeStrict(node, &cfg); err != nil {
		t.Fatal(err)
	}
	return cfg
}
