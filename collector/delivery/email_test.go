package delivery

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// testRequest is December 2026's report for Europe/Rome.
func testRequest(t *testing.T) Request {
	loc := rome(t)
	return Request{Report: "monthly-management", Period: "2026-12", Formats: []string{FormatHTML, FormatPDF, FormatCSV},
		Start: time.Date(2026, 12, 1, 0, 0, 0, 0, loc), End: time.Date(2027, 1, 1, 0, 0, 0, 0, loc)}
}

func TestEmailSend(t *testing.T) {
	cert := newTestCert(t)
	for _, tc := range []struct {
		name string
		opts []serverOption
	}{
		{"STARTTLS and AUTH PLAIN", nil},
		{"STARTTLS and AUTH LOGIN", []serverOption{func(s *smtpServer) { s.mechs = "LOGIN" }}},
		{"implicit TLS", []serverOption{func(s *smtpServer) { s.implicitTLS = true }}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startSMTP(t, cert, "reports", "s3cret pass", tc.opts...)
			passFile := filepath.Join(t.TempDir(), "smtp.pass")
			writeSecret(t, passFile, "s3cret pass")
			e := testEmail(t, srv, cert, "reports", passFile)
			req := testRequest(t)
			atts, _ := (&fakeRenderer{}).render(context.Background(), req)
			if err := e.send(context.Background(), req, atts, time.Date(2027, 1, 4, 7, 0, 0, 0, time.UTC)); err != nil {
				t.Fatal(err)
			}
			got := srv.next(t)
			if diff := cmp.Diff([]string{"cio@example.org", "desk@example.org"}, got.rcpt); got.from != "sla@example.org" || diff != "" {
				t.Errorf("envelope from %q, recipients (-want +got):\n%s", got.from, diff)
			}
			m := parseMail(t, got.data)
			if m.Subject != "Service report 2026-12" || m.Cc != `"Service Desk" <desk@example.org>` || m.HTML != strings.ReplaceAll(testHTML, "\r\n", "\n") {
				t.Errorf("subject %q, cc %q, html %q", m.Subject, m.Cc, m.HTML)
			}
			var names []string
			for i, a := range m.Attachments {
				names = append(names, a.Filename)
				if !cmp.Equal(a.Data, atts[i].Data) {
					t.Errorf("%s: the bytes received differ from those rendered", a.Filename)
				}
			}
			if diff := cmp.Diff([]string{"sla-report-2026-12.html", "sla-report-2026-12.pdf", "sla-report-2026-12.csv"}, names); diff != "" {
				t.Errorf("attachments (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEmailErrors(t *testing.T) {
	cert := newTestCert(t)
	const password = "hunter2-secret"
	dir := t.TempDir()
	passFile := filepath.Join(dir, "smtp.pass")
	writeSecret(t, passFile, password)
	req := testRequest(t)
	atts, _ := (&fakeRenderer{}).render(context.Background(), req)

	noStartTLS := startSMTP(t, cert, "reports", password, func(s *smtpServer) { s.noStartTLS = true })
	echo := startSMTP(t, cert, "reports", "another", func(s *smtpServer) { s.echoAuth = true })
	loginEcho := startSMTP(t, cert, "reports", "another", func(s *smtpServer) { s.echoAuth, s.mechs = true, "LOGIN" })
	cramOnly := startSMTP(t, cert, "reports", password, func(s *smtpServer) { s.mechs = "CRAM-MD5" })
	down := closedPort(t)
	for _, tc := range []struct {
		name string
		edit func(e *Email)
		srv  *smtpServer
		want string
	}{
		{"no STARTTLS offered", nil, noStartTLS,
			"smtp 127.0.0.1:%d: the server does not offer STARTTLS (set starttls: false only for a relay the report may cross in clear)"},
		// The server echoes the credentials it was sent: the error says <secret> instead.
		{"auth refused, echoed", nil, echo,
			"smtp 127.0.0.1:%d: AUTH as reports: 535 \"5.7.8 credentials PLAIN <secret> (<secret>) rejected\""},
		{"auth LOGIN refused, echoed", nil, loginEcho,
			"smtp 127.0.0.1:%d: AUTH as reports: 535 \"5.7.8 credentials LOGIN (<secret>) rejected\""},
		{"no usable mechanism", nil, cramOnly, "smtp 127.0.0.1:%d: the server offers AUTH CRAM-MD5, neither PLAIN nor LOGIN"},
		{"password file missing", func(e *Email) { e.PasswordFile = filepath.Join(dir, "missing") }, echo,
			"read password_file: open " + filepath.Join(dir, "missing") + ": no such file or directory"},
		{"untrusted certificate", func(e *Email) { e.TLSConfig.CAFile = "" }, echo,
			"smtp 127.0.0.1:%d: STARTTLS: tls: failed to verify certificate: x509: certificate signed by unknown authority"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := testEmail(t, tc.srv, cert, "reports", passFile)
			if tc.edit != nil {
				tc.edit(e)
			}
			err := e.send(context.Background(), req, atts, time.Now())
			want := tc.want
			if strings.Contains(want, "%d") {
				want = fmt.Sprintf(want, e.Port)
			}
			if err == nil || err.Error() != want {
				t.Fatalf("error = %v\nwant    %s", err, want)
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("the error shows the password: %v", err)
			}
		})
	}
	t.Run("server down", func(t *testing.T) {
		e := testEmail(t, echo, cert, "reports", passFile)
		e.Port = down
		err := e.send(context.Background(), req, atts, time.Now())
		want := fmt.Sprintf("smtp 127.0.0.1:%d: dial tcp 127.0.0.1:%d: connect: connection refused", down, down)
		if err == nil || err.Error() != want {
			t.Fatalf("error = %v, want %s", err, want)
		}
	})
}

func TestScrub(t *testing.T) {
	// "\x00u\x00pw" is AHUAcHc= in base64, "pw" cHc=.
	err := scrub(fmt.Errorf("535 got AHUAcHc= and cHc= and pw"), "u", "pw")
	if want := "535 got <secret> and <secret> and <secret>"; err.Error() != want {
		t.Errorf("scrub = %q, want %q", err, want)
	}
}
