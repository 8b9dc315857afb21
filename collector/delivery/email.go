package delivery

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"

	commoncfg "github.com/prometheus/common/config"
)

// Email is a delivery by e-mail over SMTP.
type Email struct {
	Host string
	Port int
	// TLS is TLS from the first byte (port 465). StartTLS upgrades the connection with STARTTLS
	// and refuses a server that does not offer it, rather than going on in clear.
	TLS, StartTLS bool
	// Username, when set, authenticates with AUTH PLAIN or LOGIN, over TLS only, with the
	// password read from PasswordFile at each sending (a rotated password needs no reload).
	Username     string
	PasswordFile string
	// TLSConfig checks the server's certificate (the host's name unless server_name is set).
	TLSConfig commoncfg.TLSConfig
	From      *mail.Address
	To, Cc    []*mail.Address
	// Subject is a template over Fields (ParseSubject).
	Subject *template.Template
	// HelloName is the name given in EHLO; empty means the machine's host name.
	HelloName string
}

// addr is host:port, as errors name the server.
func (e *Email) addr() string { return net.JoinHostPort(e.Host, strconv.Itoa(e.Port)) }

// send e-mails the report's files: the HTML one, when there is one, is also the body.
func (e *Email) send(ctx context.Context, req Request, atts []Attachment, now time.Time) error {
	subject, err := execute(e.Subject, req)
	if err != nil {
		return fmt.Errorf("subject: %w", err)
	}
	m := &message{from: e.From, to: e.To, cc: e.Cc, subject: subject, date: now, attachments: atts}
	for _, a := range atts {
		if isHTML(a) {
			m.html = string(a.Data)
			m.text = plainText(a.Data)
			break
		}
	}
	if m.html == "" {
		m.text = summary(req, atts)
	}
	data, err := m.bytes()
	if err != nil {
		return fmt.Errorf("build the message: %w", err)
	}
	var password string
	if e.Username != "" {
		b, err := os.ReadFile(e.PasswordFile)
		if err != nil {
			// The error names the file, never its content.
			return fmt.Errorf("read password_file: %w", err)
		}
		password = strings.TrimRight(string(b), "\r\n")
		if password == "" {
			return fmt.Errorf("password_file %s is empty", e.PasswordFile)
		}
	}
	if err := e.transmit(ctx, data, password); err != nil {
		return scrub(fmt.Errorf("smtp %s: %w", e.addr(), err), e.Username, password)
	}
	return nil
}

// transmit speaks SMTP: connect, TLS, authenticate, send to every recipient.
func (e *Email) transmit(ctx context.Context, data []byte, password string) error {
	tc, err := commoncfg.NewTLSConfig(&e.TLSConfig)
	if err != nil {
		return fmt.Errorf("tls_config: %w", err)
	}
	if tc.ServerName == "" {
		tc.ServerName = e.Host
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", e.addr())
	if err != nil {
		return err
	}
	// Cancelling the context (the attempt's timeout, a shutdown) closes the connection, which
	// fails whatever read or write is under way.
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	if e.TLS {
		tlsConn := tls.Client(conn, tc)
		if err := tlsConn.HandshakeContext(ctx); err != nil {
			_ = conn.Close()
			return fmt.Errorf("TLS: %w", err)
		}
		conn = tlsConn
	}
	c, err := smtp.NewClient(conn, e.Host)
	if err != nil {
		_ = conn.Close()
		return err
	}
	defer c.Close()
	if err := c.Hello(e.helloName()); err != nil {
		return fmt.Errorf("EHLO: %w", err)
	}
	if e.StartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return errors.New("the server does not offer STARTTLS (set starttls: false only for a relay the report may cross in clear)")
		}
		if err := c.StartTLS(tc); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
	}
	if e.Username != "" {
		if err := e.auth(c, password); err != nil {
			return err
		}
	}
	if err := c.Mail(e.From.Address); err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	for _, rcpt := range slices.Concat(e.To, e.Cc) {
		if err := c.Rcpt(rcpt.Address); err != nil {
			return fmt.Errorf("RCPT TO <%s>: %w", rcpt.Address, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	// The message is accepted once DATA ends; a failing QUIT changes nothing.
	_ = c.Quit()
	return nil
}

// auth authenticates with PLAIN, else LOGIN, and only over TLS: the password never crosses the
// network in clear, whatever the server offers.
func (e *Email) auth(c *smtp.Client, password string) error {
	if _, ok := c.TLSConnectionState(); !ok {
		return errors.New("refusing to authenticate without TLS")
	}
	ok, mechs := c.Extension("AUTH")
	if !ok {
		return errors.New("the server offers no AUTH, and username is set")
	}
	var a smtp.Auth
	switch offered := strings.Fields(strings.ToUpper(mechs)); {
	case slices.Contains(offered, "PLAIN"):
		a = smtp.PlainAuth("", e.Username, password, e.Host)
	case slices.Contains(offered, "LOGIN"):
		a = &loginAuth{user: e.Username, pass: password}
	default:
		return fmt.Errorf("the server offers AUTH %s, neither PLAIN nor LOGIN", mechs)
	}
	if err := c.Auth(a); err != nil {
		return fmt.Errorf("AUTH as %s: %w", e.Username, err)
	}
	return nil
}

func (e *Email) helloName() string {
	if e.HelloName != "" {
		return e.HelloName
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "localhost"
}

// loginAuth is AUTH LOGIN, which net/smtp lacks and some servers (Exchange) still prefer.
type loginAuth struct{ user, pass string }

func (a *loginAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	if !server.TLS {
		return "", nil, errors.New("refusing AUTH LOGIN without TLS")
	}
	return "LOGIN", nil, nil
}

func (a *loginAuth) Next(challenge []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	switch strings.ToLower(strings.TrimSpace(string(challenge))) {
	case "username:", "user name", "username":
		return []byte(a.user), nil
	case "password:", "password":
		return []byte(a.pass), nil
	}
	return nil, fmt.Errorf("unexpected AUTH LOGIN challenge %q", challenge)
}

// scrub removes the password, and the encodings AUTH sends it in, from an error: a server may
// echo what it was sent, and the error goes to the log.
func scrub(err error, user, password string) error {
	if password == "" {
		return err
	}
	msg := err.Error()
	secrets := []string{
		base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + password)),
		base64.StdEncoding.EncodeToString([]byte(password)),
		password,
	}
	changed := false
	for _, s := range secrets {
		if strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, "<secret>")
			changed = true
		}
	}
	if !changed {
		return err
	}
	return errors.New(msg)
}
