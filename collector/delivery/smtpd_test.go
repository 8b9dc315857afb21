package delivery

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"net"
	"net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// testCert is a self-signed certificate for 127.0.0.1, and the file holding it as the CA that
// the client trusts.
type testCert struct {
	cert   tls.Certificate
	caFile string
}

func newTestCert(t *testing.T) testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// The TLS stack checks validity against the real clock: the certificate is valid around it.
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "smtp test"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return testCert{cert: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, caFile: caFile}
}

// mailReceived is a message the test server accepted.
type mailReceived struct {
	from string
	rcpt []string
	data []byte
}

// smtpServer speaks enough ESMTP for net/smtp: EHLO, STARTTLS, AUTH PLAIN and LOGIN (offered only
// over TLS, as real servers do), MAIL, RCPT, DATA, RSET, NOOP and QUIT.
type smtpServer struct {
	t    *testing.T
	ln   net.Listener
	tls  *tls.Config
	user string
	pass string
	// implicitTLS starts TLS at once (port 465); noStartTLS does not offer STARTTLS; mechs are
	// the AUTH mechanisms offered; echoAuth makes a failed AUTH answer with what it was sent.
	implicitTLS bool
	noStartTLS  bool
	mechs       string
	echoAuth    bool

	mu           sync.Mutex
	authFailures int
	received     chan mailReceived
}

type serverOption func(*smtpServer)

// startSMTP starts a server on 127.0.0.1; it stops with the test.
func startSMTP(t *testing.T, cert testCert, user, pass string, opts ...serverOption) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveSMTP(t, ln, cert, user, pass, opts...)
}

func serveSMTP(t *testing.T, ln net.Listener, cert testCert, user, pass string, opts ...serverOption) *smtpServer {
	s := &smtpServer{t: t, ln: ln, tls: &tls.Config{Certificates: []tls.Certificate{cert.cert}}, user: user, pass: pass,
		mechs: "PLAIN LOGIN", received: make(chan mailReceived, 10)}
	for _, o := range opts {
		o(s)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		_ = ln.Close()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { s.serve(conn) })
		}
	})
	return s
}

// port is the server's port; 0 for a server not started, whose port the test sets.
func (s *smtpServer) port() int {
	if s.ln == nil {
		return 0
	}
	return s.ln.Addr().(*net.TCPAddr).Port
}

// next returns the next message accepted; the deadline only keeps a broken test from hanging.
func (s *smtpServer) next(t *testing.T) mailReceived {
	t.Helper()
	select {
	case m := <-s.received:
		return m
	case <-time.After(20 * time.Second):
		t.Fatal("no message reached the test SMTP server")
		return mailReceived{}
	}
}

func (s *smtpServer) failures() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authFailures
}

func (s *smtpServer) serve(conn net.Conn) {
	defer func() { _ = conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second)) // a broken client cannot hang the test
	secure := false
	if s.implicitTLS {
		conn = tls.Server(conn, s.tls)
		secure = true
	}
	tp := textproto.NewConn(conn)
	reply := func(format string, args ...any) { _ = tp.PrintfLine(format, args...) }
	reply("220 test.invalid ESMTP ready")
	authed := false
	var cur mailReceived
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			ext := []string{"test.invalid greets you"}
			if !secure && !s.noStartTLS {
				ext = append(ext, "STARTTLS")
			}
			if secure && s.mechs != "" {
				ext = append(ext, "AUTH "+s.mechs)
			}
			ext = append(ext, "8BITMIME")
			for i, e := range ext {
				sep := "-"
				if i == len(ext)-1 {
					sep = " "
				}
				reply("250%s%s", sep, e)
			}
		case "STARTTLS":
			if secure || s.noStartTLS {
				reply("502 5.5.1 not now")
				continue
			}
			reply("220 2.0.0 go ahead")
			tc := tls.Server(conn, s.tls)
			if err := tc.Handshake(); err != nil {
				return
			}
			conn, secure, authed, cur = tc, true, false, mailReceived{}
			tp = textproto.NewConn(conn)
		case "AUTH":
			if !secure {
				reply("538 5.7.11 encryption required")
				continue
			}
			user, pass, ok := s.readAuth(tp, arg)
			if ok && user == s.user && pass == s.pass {
				authed = true
				reply("235 2.7.0 authenticated")
				continue
			}
			s.mu.Lock()
			s.authFailures++
			s.mu.Unlock()
			if s.echoAuth {
				reply("535 5.7.8 credentials %s (%s) rejected", arg, pass)
			} else {
				reply("535 5.7.8 authentication credentials invalid")
			}
		case "MAIL":
			if s.user != "" && !authed {
				reply("530 5.7.0 authentication required")
				continue
			}
			from, _, _ := strings.Cut(strings.TrimPrefix(arg, "FROM:<"), ">") // BODY=8BITMIME may follow
			cur = mailReceived{from: from}
			reply("250 2.1.0 ok")
		case "RCPT":
			cur.rcpt = append(cur.rcpt, strings.TrimSuffix(strings.TrimPrefix(arg, "TO:<"), ">"))
			reply("250 2.1.5 ok")
		case "DATA":
			reply("354 end with .")
			// Read as sent, CRLF kept (ReadDotBytes would turn it into LF), undoing the dot-stuffing.
			var data bytes.Buffer
			for {
				line, err := tp.R.ReadString('\n')
				if err != nil {
					return
				}
				if line == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(line, "."))
			}
			cur.data = data.Bytes()
			s.received <- cur
			cur = mailReceived{}
			reply("250 2.0.0 queued")
		case "RSET", "NOOP":
			reply("250 2.0.0 ok")
		case "QUIT":
			reply("221 2.0.0 bye")
			return
		default:
			reply("502 5.5.2 unknown command")
		}
	}
}

// readAuth reads the credentials of AUTH PLAIN (with or without an initial response) or LOGIN.
func (s *smtpServer) readAuth(tp *textproto.Conn, arg string) (user, pass string, ok bool) {
	mech, initial, _ := strings.Cut(arg, " ")
	ask := func(challenge string) (string, bool) {
		_ = tp.PrintfLine("334 %s", challenge)
		line, err := tp.ReadLine()
		if err != nil || line == "*" {
			return "", false
		}
		b, err := base64.StdEncoding.DecodeString(line)
		return string(b), err == nil
	}
	switch strings.ToUpper(mech) {
	case "PLAIN":
		var blob string
		if initial != "" {
			b, err := base64.StdEncoding.DecodeString(initial)
			if err != nil {
				return "", "", false
			}
			blob = string(b)
		} else if blob, ok = ask(""); !ok {
			return "", "", false
		}
		parts := strings.Split(blob, "\x00")
		if len(parts) != 3 {
			return "", "", false
		}
		return parts[1], parts[2], true
	case "LOGIN":
		if user, ok = ask(base64.StdEncoding.EncodeToString([]byte("Username:"))); !ok {
			return "", "", false
		}
		if pass, ok = ask(base64.StdEncoding.EncodeToString([]byte("Password:"))); !ok {
			return "", "", false
		}
		return user, pass, true
	}
	return "", "", false
}

// writeSecret writes a password file as an editor leaves it, newline-ended.
func writeSecret(t *testing.T, path, secret string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// testEmail is an e-mail delivery to s, authenticating as user with the password in passFile.
func testEmail(t *testing.T, s *smtpServer, cert testCert, user, passFile string) *Email {
	t.Helper()
	subject, err := ParseSubject(DefaultSubject)
	if err != nil {
		t.Fatal(err)
	}
	e := &Email{Host: "127.0.0.1", Port: s.port(), StartTLS: !s.implicitTLS, TLS: s.implicitTLS, Username: user, PasswordFile: passFile,
		From: addr(t, "SLA reports <sla@example.org>"), To: []*mail.Address{addr(t, "cio@example.org")},
		Cc: []*mail.Address{addr(t, "Service Desk <desk@example.org>")}, Subject: subject, HelloName: "exporter.test"}
	e.TLSConfig.CAFile = cert.caFile
	return e
}

// closedPort is a port nothing listens on: a server that is down.
func closedPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	return port
}

// listenOn listens on a port closedPort returned, when the down server comes back.
func listenOn(t *testing.T, port int) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatalf("the port of the down server was taken meanwhile: %v", err)
	}
	return ln
}
