package delivery

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
)

// message is an e-mail with a report: a body, the HTML version of the report when there is one
// with a plain-text alternative, and the report's files attached.
type message struct {
	from    *mail.Address
	to, cc  []*mail.Address
	subject string
	date    time.Time
	// text is the plain body; html, when set, the HTML body text is the alternative of.
	text, html  string
	attachments []Attachment
}

// bytes renders the message as RFC 5322 text with CRLF line ends: multipart/mixed holding the
// body (multipart/alternative of text and HTML, or text alone) and the attachments, base64.
func (m *message) bytes() ([]byte, error) {
	var b bytes.Buffer
	h := textproto.MIMEHeader{}
	h.Set("From", m.from.String())
	h.Set("To", addressList(m.to))
	if len(m.cc) > 0 {
		h.Set("Cc", addressList(m.cc))
	}
	h.Set("Subject", mime.QEncoding.Encode("utf-8", oneLine(m.subject)))
	h.Set("Date", m.date.Format(time.RFC1123Z))
	h.Set("Message-Id", messageID(m.from))
	h.Set("Mime-Version", "1.0")
	mixed := multipart.NewWriter(&b)
	h.Set("Content-Type", "multipart/mixed; boundary="+mixed.Boundary())
	writeHeader(&b, h, []string{"From", "To", "Cc", "Subject", "Date", "Message-Id", "Mime-Version", "Content-Type"})
	if err := m.body(mixed); err != nil {
		return nil, err
	}
	for _, a := range m.attachments {
		ph := textproto.MIMEHeader{}
		ct, params, err := mime.ParseMediaType(a.ContentType)
		if err != nil {
			return nil, fmt.Errorf("attachment %q: %w", a.Filename, err)
		}
		params["name"] = a.Filename
		ph.Set("Content-Type", mime.FormatMediaType(ct, params))
		ph.Set("Content-Transfer-Encoding", "base64")
		ph.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Filename}))
		w, err := mixed.CreatePart(ph)
		if err != nil {
			return nil, err
		}
		if err := writeBase64(w, a.Data); err != nil {
			return nil, err
		}
	}
	if err := mixed.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// body writes the first part of the mixed message: the text, or text and HTML as alternatives
// of one another (the plain one first: a client shows the last it can).
func (m *message) body(mixed *multipart.Writer) error {
	if m.html == "" {
		return textPart(mixed, "text/plain", m.text)
	}
	var alt bytes.Buffer
	aw := multipart.NewWriter(&alt)
	if err := textPart(aw, "text/plain", m.text); err != nil {
		return err
	}
	if err := textPart(aw, "text/html", m.html); err != nil {
		return err
	}
	if err := aw.Close(); err != nil {
		return err
	}
	w, err := mixed.CreatePart(textproto.MIMEHeader{"Content-Type": {"multipart/alternative; boundary=" + aw.Boundary()}})
	if err != nil {
		return err
	}
	_, err = w.Write(alt.Bytes())
	return err
}

// textPart writes UTF-8 text quoted-printable, which keeps lines under the 998 octets SMTP
// allows whatever the HTML renderer writes.
func textPart(w *multipart.Writer, mediaType, text string) error {
	pw, err := w.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {mediaType + "; charset=utf-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	if err != nil {
		return err
	}
	qp := quotedprintable.NewWriter(pw)
	if _, err := qp.Write([]byte(text)); err != nil {
		return err
	}
	return qp.Close()
}

// writeBase64 writes data base64 in lines of 76 characters (RFC 2045).
func writeBase64(w io.Writer, data []byte) error {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(enc) > 76 {
		b.WriteString(enc[:76])
		b.WriteString("\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc)
	b.WriteString("\r\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func writeHeader(b *bytes.Buffer, h textproto.MIMEHeader, order []string) {
	for _, k := range order {
		for _, v := range h.Values(k) {
			fmt.Fprintf(b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
}

func addressList(list []*mail.Address) string {
	s := make([]string, len(list))
	for i, a := range list {
		s[i] = a.String()
	}
	return strings.Join(s, ", ")
}

// oneLine keeps a header value on its line whatever a template wrote.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// messageID is a unique id at the sender's domain.
func messageID(from *mail.Address) string {
	var r [16]byte
	_, _ = rand.Read(r[:]) // crypto/rand.Read never fails
	domain := "sla-exporter.invalid"
	if i := strings.LastIndexByte(from.Address, '@'); i >= 0 {
		domain = from.Address[i+1:]
	}
	return "<" + hex.EncodeToString(r[:]) + "@" + domain + ">"
}
