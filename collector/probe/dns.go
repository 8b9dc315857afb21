package probe

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/dns/dnsmessage"
	"gopkg.in/yaml.v3"
)

// The DNS probe speaks DNS itself (golang.org/x/net/dns/dnsmessage) rather than through
// net.Resolver: a resolver answers names from /etc/hosts, appends search domains and retries
// per resolv.conf, so it would not say what the configured server answers.

// recordTypes are the record types a DNS probe may ask for.
var recordTypes = map[string]dnsmessage.Type{
	"A": dnsmessage.TypeA, "AAAA": dnsmessage.TypeAAAA, "CNAME": dnsmessage.TypeCNAME, "MX": dnsmessage.TypeMX,
	"NS": dnsmessage.TypeNS, "PTR": dnsmessage.TypePTR, "SOA": dnsmessage.TypeSOA, "SRV": dnsmessage.TypeSRV,
	"TXT": dnsmessage.TypeTXT,
}

// rcodeNames are the answer codes by their usual names (RFC 1035 §4.1.1, RFC 2136).
var rcodeNames = map[dnsmessage.RCode]string{
	dnsmessage.RCodeFormatError: "FORMERR", dnsmessage.RCodeServerFailure: "SERVFAIL", dnsmessage.RCodeNameError: "NXDOMAIN",
	dnsmessage.RCodeNotImplemented: "NOTIMP", dnsmessage.RCodeRefused: "REFUSED",
}

// dnsProber is a compiled `dns:` probe.
type dnsProber struct {
	name   dnsmessage.Name
	qtype  dnsmessage.Type
	server string
}

func compileDNS(node *yaml.Node, path []any, c *DNSConfig, t *Target) error {
	at := func(k ...any) []any { return append(append([]any{}, path...), k...) }
	name := strings.TrimSpace(c.Name)
	if name == "" {
		return Fail(node, at("name"), "is required")
	}
	if !strings.HasSuffix(name, ".") {
		name += "." // absolute: no search domain is appended
	}
	n, err := dnsmessage.NewName(name)
	if err != nil || !validName(name) {
		return Fail(node, at("name"), "%q is not a domain name", c.Name)
	}
	p := &dnsProber{name: n, qtype: dnsmessage.TypeA}
	if c.RecordType != "" {
		qt, ok := recordTypes[strings.ToUpper(c.RecordType)]
		if !ok {
			names := make([]string, 0, len(recordTypes))
			for k := range recordTypes {
				names = append(names, k)
			}
			slices.Sort(names)
			return Fail(node, at("record_type"), "%q is not one of %s", c.RecordType, strings.Join(names, ", "))
		}
		p.qtype = qt
	}
	server := strings.TrimSpace(c.Server)
	if server == "" {
		return Fail(node, at("server"), "is required: the DNS server to ask, host or host:port")
	}
	switch host, port, err := net.SplitHostPort(server); {
	case strings.ContainsAny(server, " \t/"):
		return Fail(node, at("server"), "%q is not host or host:port", c.Server)
	case err != nil: // no port
		p.server = net.JoinHostPort(strings.Trim(server, "[]"), "53")
	case host == "" || port == "":
		return Fail(node, at("server"), "%q is not host or host:port", c.Server)
	default:
		p.server = server
	}
	t.Target, t.Probe = strings.TrimSuffix(name, ".")+" @"+p.server, p
	return nil
}

// Probe asks the server over UDP (over TCP when the answer is truncated).
func (p *dnsProber) Probe(ctx context.Context) (Result, error) {
	id := uint16(rand.Uint32())
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: id, RecursionDesired: true})
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		return Result{}, err
	}
	if err := b.Question(dnsmessage.Question{Name: p.name, Type: p.qtype, Class: dnsmessage.ClassINET}); err != nil {
		return Result{}, err
	}
	query, err := b.Finish()
	if err != nil {
		return Result{}, err
	}
	start := time.Now()
	answer, err := p.exchange(ctx, "udp", query, id)
	if err == nil {
		var h dnsmessage.Header
		if h, err = headerOf(answer); err == nil && h.Truncated {
			answer, err = p.exchange(ctx, "tcp", query, id)
		}
	}
	r := Result{Duration: time.Since(start)}
	if err != nil {
		r.Detail = describe(ctx, err)
		return r, nil
	}
	r.Success, r.Detail = judgeDNS(answer, p.qtype)
	return r, nil
}

func headerOf(msg []byte) (dnsmessage.Header, error) {
	var parser dnsmessage.Parser
	return parser.Start(msg)
}

// judgeDNS says whether an answer succeeds: no error code, and a record of the type asked.
func judgeDNS(msg []byte, qtype dnsmessage.Type) (bool, string) {
	var parser dnsmessage.Parser
	h, err := parser.Start(msg)
	if err != nil {
		return false, "malformed answer: " + err.Error()
	}
	if h.RCode != dnsmessage.RCodeSuccess {
		name, ok := rcodeNames[h.RCode]
		if !ok {
			name = strconv.Itoa(int(h.RCode))
		}
		return false, "answer code " + name
	}
	if err := parser.SkipAllQuestions(); err != nil {
		return false, "malformed answer: " + err.Error()
	}
	for {
		ah, err := parser.AnswerHeader()
		if errors.Is(err, dnsmessage.ErrSectionDone) {
			return false, "no " + strings.TrimPrefix(qtype.String(), "Type") + " record in the answer"
		}
		if err != nil {
			return false, "malformed answer: " + err.Error()
		}
		if ah.Type == qtype {
			return true, ""
		}
		if err := parser.SkipAnswer(); err != nil {
			return false, "malformed answer: " + err.Error()
		}
	}
}

// exchange sends query over network and returns the answer with its id.
func (p *dnsProber) exchange(ctx context.Context, network string, query []byte, id uint16) ([]byte, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, p.server)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if network == "tcp" {
		msg := binary.BigEndian.AppendUint16(nil, uint16(len(query)))
		if _, err := conn.Write(append(msg, query...)); err != nil {
			return nil, err
		}
		var n [2]byte
		if _, err := io.ReadFull(conn, n[:]); err != nil {
			return nil, err
		}
		answer := make([]byte, binary.BigEndian.Uint16(n[:]))
		if _, err := io.ReadFull(conn, answer); err != nil {
			return nil, err
		}
		if h, err := headerOf(answer); err != nil || h.ID != id {
			return nil, errors.New("an answer that is not to the query")
		}
		return answer, nil
	}
	if _, err := conn.Write(query); err != nil {
		return nil, err
	}
	buf := make([]byte, 65535)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			return nil, err
		}
		// A stray datagram (a late answer to an earlier query) is not the answer: wait on.
		if h, err := headerOf(buf[:n]); err == nil && h.ID == id && h.Response {
			return buf[:n], nil
		}
	}
}

// validName says whether an absolute name is made of labels of 1 to 63 bytes, 253 at most in
// all (RFC 1035 §2.3.4); the root "." is one.
func validName(name string) bool {
	if name == "." {
		return true
	}
	if len(name) > 254 {
		return false
	}
	for _, l := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		if len(l) == 0 || len(l) > 63 {
			return false
		}
	}
	return true
}
