package delivery

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// parsedMail is a message as a mail client reads it.
type parsedMail struct {
	From, To, Cc, Subject string
	// Body lists the body's parts by media type, decoded.
	Text, HTML string
	// Attachments are the attached files by name.
	Attachments []parsedFile
}

type parsedFile struct {
	Filename, ContentType, Encoding string
	Data                            []byte
}

// parseMail reads a message with the standard library's MIME readers, checking the structure on
// the way: multipart/mixed, a body first (multipart/alternative of text then HTML, or text),
// then base64 attachments whose Content-Disposition names the file.
func parseMail(t *testing.T, data []byte) parsedMail {
	t.Helper()
	for i, line := range bytes.Split(data, []byte("\r\n")) {
		if len(line) > 998 {
			t.Errorf("line %d is %d octets, over SMTP's 998", i+1, len(line))
		}
		if bytes.ContainsRune(line, '\n') {
			t.Errorf("line %d ends with a bare LF", i+1)
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	out := parsedMail{From: msg.Header.Get("From"), To: msg.Header.Get("To"), Cc: msg.Header.Get("Cc"), Subject: subject}
	if msg.Header.Get("Mime-Version") != "1.0" || msg.Header.Get("Date") == "" || msg.Header.Get("Message-Id") == "" {
		t.Errorf("headers: %v", msg.Header)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	first := true
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		pt, pparams, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if first {
			first = false
			switch pt {
			case "multipart/alternative":
				ar := multipart.NewReader(p, pparams["boundary"])
				for _, want := range []string{"text/plain", "text/html"} {
					ap, err := ar.NextPart() // decodes quoted-printable
					if err != nil {
						t.Fatal(err)
					}
					at, aparams, _ := mime.ParseMediaType(ap.Header.Get("Content-Type"))
					if at != want || aparams["charset"] != "utf-8" {
						t.Errorf("alternative part %q, want %s; charset=utf-8", ap.Header.Get("Content-Type"), want)
					}
					b, _ := io.ReadAll(ap)
					b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")) // text is CRLF on the wire
					if want == "text/plain" {
						out.Text = string(b)
					} else {
						out.HTML = string(b)
					}
				}
				if _, err := ar.NextPart(); err != io.EOF {
					t.Errorf("multipart/alternative has more than text and HTML: %v", err)
				}
			case "text/plain":
				if enc := p.Header.Get("Content-Transfer-Encoding"); enc != "quoted-printable" {
					t.Errorf("text body in %q", enc)
				}
				b, _ := io.ReadAll(quotedprintable.NewReader(p))
				out.Text = strings.ReplaceAll(string(b), "\r\n", "\n")
			default:
				t.Fatalf("first part is %s, want the body", pt)
			}
			continue
		}
		disp, dparams, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
		if err != nil || disp != "attachment" {
			t.Fatalf("attachment's Content-Disposition %q: %v", p.Header.Get("Content-Disposition"), err)
		}
		raw, _ := io.ReadAll(p)
		enc := p.Header.Get("Content-Transfer-Encoding")
		decoded, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(raw), "\r\n", ""))
		if err != nil {
			t.Fatalf("%s: %v", dparams["filename"], err)
		}
		if pparams["name"] != dparams["filename"] {
			t.Errorf("%s: Content-Type name %q", dparams["filename"], pparams["name"])
		}
		out.Attachments = append(out.Attachments, parsedFile{Filename: dparams["filename"], ContentType: pt, Encoding: enc, Data: decoded})
	}
	return out
}

func TestMessage(t *testing.T) {
	csv := []byte(strings.Repeat("objective,attainment\r\nweb-shop,0.9995\r\n", 40))
	m := &message{
		from: addr(t, "SLA reports <sla@example.org>"), to: []*mail.Address{addr(t, "cio@example.org"), addr(t, "Zoë Müller <zoe@example.org>")},
		subject: "Report für 2026-12", date: time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC),
		html: testHTML, text: plainText([]byte(testHTML)),
		attachments: []Attachment{
			{Filename: "sla-report-2026-12.pdf", ContentType: "application/pdf", Data: testPDF},
			{Filename: "Übersicht 2026-12.csv", ContentType: "text/csv; charset=utf-8", Data: csv},
		},
	}
	data, err := m.bytes()
	if err != nil {
		t.Fatal(err)
	}
	got := parseMail(t, data)
	want := parsedMail{
		From: `"SLA reports" <sla@example.org>`, To: `<cio@example.org>, =?utf-8?q?Zo=C3=AB_M=C3=BCller?= <zoe@example.org>`,
		Subject: "Report für 2026-12",
		Text:    "Service report\nService report 2026-12\nPromises kept: 4 of 5.\nObjective\tAttainment\nweb-shop\t99.95%",
		HTML:    testHTML,
		Attachments: []parsedFile{
			{Filename: "sla-report-2026-12.pdf", ContentType: "application/pdf", Encoding: "base64", Data: testPDF},
			{Filename: "Übersicht 2026-12.csv", ContentType: "text/csv", Encoding: "base64", Data: csv},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("message (-want +got):\n%s", diff)
	}
	if !bytes.Contains(data, []byte("Date: Mon, 04 Jan 2027 08:00:00 +0000\r\n")) {
		t.Errorf("no Date header for the sending instant:\n%.400s", data)
	}
}

func TestMessageWithoutHTML(t *testing.T) {
	req := Request{Period: "2026-12", Filter: Filter{Kind: FilterService, Value: "web-shop"},
		Start: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
	atts := []Attachment{{Filename: "r.pdf", ContentType: "application/pdf", Data: testPDF}}
	m := &message{from: addr(t, "sla@example.org"), to: []*mail.Address{addr(t, "cio@example.org")}, subject: "s\r\nBcc: x@example.org",
		date: time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC), text: summary(req, atts), attachments: atts}
	data, err := m.bytes()
	if err != nil {
		t.Fatal(err)
	}
	got := parseMail(t, data)
	// 31 December is the last day of [1 December, 1 January).
	if want := "Service report 2026-12 (service web-shop), 1 December 2026 to 31 December 2026.\n\nAttached:\n- r.pdf\n"; got.Text != want {
		t.Errorf("text = %q, want %q", got.Text, want)
	}
	// A subject with a line break cannot add a header.
	if got.Subject != "s Bcc: x@example.org" {
		t.Errorf("subject = %q", got.Subject)
	}
}

func TestPlainText(t *testing.T) {
	for _, tc := range []struct{ html, want string }{
		{"<p>a <b>bold</b>\n move</p><p>next</p>", "a bold move\nnext"},
		{"<ul><li>one</li><li>two</li></ul><script>alert(1)</script>", "one\ntwo"},
		{"<table><tr><td>a</td><td>1</td></tr><tr><td>b</td><td>2</td></tr></table>", "a\t1\nb\t2"},
		{"<div>x &amp; y &lt;z&gt;</div>", "x & y <z>"},
		{"unclosed <p>text", "unclosed\ntext"},
	} {
		if got := plainText([]byte(tc.html)); got != tc.want {
			t.Errorf("plainText(%q) = %q, want %q", tc.html, got, tc.want)
		}
	}
}

// FuzzPlainText checks that any HTML gives text without markup or control characters
// but tabs and line breaks.
func FuzzPlainText(f *testing.F) {
	f.Add(testHTML)
	f.Add("<p>a<br>b</p><style>x</style>")
	f.Fuzz(func(t *testing.T, doc string) {
		out := plainText([]byte(doc))
		if out != strings.TrimSpace(out) || strings.Contains(out, "\n\n\n") {
			t.Fatalf("untidy text %q", out)
		}
	})
}
