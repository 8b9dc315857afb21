package probe

import (
	stdcmp "cmp"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/dns/dnsmessage"
	"golang.org/x/net/icmp"
)

// dnsServer is a tiny DNS server for the tests, over UDP and TCP on one port: ok.example has
// an A record, alias.example only a CNAME, txt.example a TXT record, big.example an A record
// that comes truncated over UDP (so that the client asks again over TCP), and other names do
// not exist.
func dnsServer(t *testing.T) string {
	t.Helper()
	var (
		tcp net.Listener
		udp net.PacketConn
		err error
	)
	for range 10 { // the UDP port of the TCP listener's may be taken: try another
		if tcp, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		if udp, err = net.ListenPacket("udp", tcp.Addr().String()); err == nil {
			break
		}
		tcp.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tcp.Close(); udp.Close() })
	go func() {
		buf := make([]byte, 512)
		for {
			n, addr, err := udp.ReadFrom(buf)
			if err != nil {
				return
			}
			if out := dnsAnswer(buf[:n], true); out != nil {
				_, _ = udp.WriteTo(out, addr)
			}
		}
	}()
	go func() {
		for {
			c, err := tcp.Accept()
			if err != nil {
				return
			}
			var n [2]byte
			if _, err := io.ReadFull(c, n[:]); err == nil {
				q := make([]byte, binary.BigEndian.Uint16(n[:]))
				if _, err := io.ReadFull(c, q); err == nil {
					out := dnsAnswer(q, false)
					_, _ = c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(out))), out...))
				}
			}
			c.Close()
		}
	}()
	return tcp.Addr().String()
}

func dnsAnswer(query []byte, udp bool) []byte {
	var p dnsmessage.Parser
	h, err := p.Start(query)
	if err != nil {
		return nil
	}
	q, err := p.Question()
	if err != nil {
		return nil
	}
	rh := dnsmessage.Header{ID: h.ID, Response: true, RecursionDesired: h.RecursionDesired}
	hdr := dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 60}
	b := dnsmessage.NewBuilder(nil, rh)
	name := q.Name.String()
	switch {
	case name == "big.example." && udp:
		rh.Truncated = true
		b = dnsmessage.NewBuilder(nil, rh)
	case name != "ok.example." && name != "big.example." && name != "alias.example." && name != "txt.example.":
		rh.RCode = dnsmessage.RCodeNameError
		b = dnsmessage.NewBuilder(nil, rh)
	}
	_ = b.StartQuestions()
	_ = b.Question(q)
	_ = b.StartAnswers()
	switch {
	case rh.Truncated || rh.RCode != dnsmessage.RCodeSuccess:
	case name == "alias.example.": // a CNAME answers any type, as a server answers it
		_ = b.CNAMEResource(hdr, dnsmessage.CNAMEResource{CNAME: dnsmessage.MustNewName("elsewhere.example.")})
	case name == "txt.example." && q.Type == dnsmessage.TypeTXT:
		_ = b.TXTResource(hdr, dnsmessage.TXTResource{TXT: []string{"v=ok"}})
	case name != "txt.example." && q.Type == dnsmessage.TypeA:
		_ = b.AResource(hdr, dnsmessage.AResource{A: [4]byte{192, 0, 2, 1}})
	}
	out, _ := b.Finish()
	return out
}

func TestDNS(t *testing.T) {
	server := dnsServer(t)
	silent, err := net.ListenPacket("udp", "127.0.0.1:0") // reads nothing, answers nothing
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	for _, tc := range []struct {
		name, block string
		server      string // default: the test's server
		timeout     time.Duration
		want        Result
	}{
		{"A record", `{name: ok.example, server: %q}`, "", 0, Result{Success: true}},
		{"absolute name", `{name: ok.example., server: %q, record_type: a}`, "", 0, Result{Success: true}},
		{"truncated over UDP, asked again over TCP", `{name: big.example, server: %q}`, "", 0, Result{Success: true}},
		{"TXT record", `{name: txt.example, server: %q, record_type: TXT}`, "", 0, Result{Success: true}},
		{"no record of the type", `{name: txt.example, server: %q}`, "", 0, Result{Detail: "no A record in the answer"}},
		{"only a CNAME", `{name: alias.example, server: %q}`, "", 0, Result{Detail: "no A record in the answer"}},
		{"CNAME asked", `{name: alias.example, server: %q, record_type: CNAME}`, "", 0, Result{Success: true}},
		{"no such name", `{name: missing.example, server: %q}`, "", 0, Result{Detail: "answer code NXDOMAIN"}},
		{"no answer", `{name: ok.example, server: %q}`, silent.LocalAddr().String(), 200 * time.Millisecond,
			Result{Detail: "no answer within the timeout"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := proberOf(t, "targets: [{series: s, dns: "+fmt.Sprintf(tc.block, stdcmp.Or(tc.server, server))+"}]")
			got, err := run(t, p, stdcmp.Or(tc.timeout, 5*time.Second))
			if err != nil {
				t.Fatalf("probe did not run: %v", err)
			}
			if diff := cmp.Diff(tc.want, got, ignoreDuration); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDNS_Target: the target as sla_probe_* shows it, the port defaulted.
func TestDNS_Target(t *testing.T) {
	for _, tc := range []struct{ server, want string }{
		{"192.0.2.53", "example.org @192.0.2.53:53"},
		{"192.0.2.53:5353", "example.org @192.0.2.53:5353"},
		{"2001:db8::53", "example.org @[2001:db8::53]:53"},
		{"[2001:db8::53]:53", "example.org @[2001:db8::53]:53"},
		{"ns.example.net", "example.org @ns.example.net:53"},
	} {
		src := mustBuild(t, fmt.Sprintf("targets: [{series: s, dns: {name: example.org, server: %q}}]", tc.server))
		if got := src.Scheduler().Targets()[0].Target; got != tc.want {
			t.Errorf("server %s: target %q, want %q", tc.server, got, tc.want)
		}
	}
}

// TestICMP pings the loopback address, where the process may open an ICMP socket (here as
// root, through a raw socket, or through an unprivileged ping socket where the group may).
func TestICMP(t *testing.T) {
	sock, err := openICMP(false)
	if err != nil {
		t.Skipf("no ICMP socket on this machine (%v); TestICMP_NotPermitted covers the message", err)
	}
	sock.conn.Close()
	got, err := run(t, proberOf(t, "targets: [{series: s, icmp: {host: 127.0.0.1}}]"), 5*time.Second)
	if err != nil {
		t.Fatalf("probe did not run: %v", err)
	}
	if diff := cmp.Diff(Result{Success: true}, got, ignoreDuration); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
}

// TestICMP_NotPermitted: an unprivileged ping socket is tried first, then a raw one; when
// neither may be opened the probe does not run (the target reads as missing, not down) and
// says what to grant.
func TestICMP_NotPermitted(t *testing.T) {
	var tried []string
	listenPacket = func(network, address string) (*icmp.PacketConn, error) {
		tried = append(tried, network+" "+address)
		if strings.HasPrefix(network, "udp") {
			return nil, &net.OpError{Op: "listen", Net: network, Err: syscall.EACCES}
		}
		return nil, &net.OpError{Op: "listen", Net: network, Err: syscall.EPERM}
	}
	t.Cleanup(func() { listenPacket = icmp.ListenPacket })
	for _, tc := range []struct{ host, tried string }{{"192.0.2.1", "udp4 0.0.0.0, ip4:icmp 0.0.0.0"}, {"2001:db8::1", "udp6 ::, ip6:ipv6-icmp ::"}} {
		tried = nil
		got, err := run(t, proberOf(t, fmt.Sprintf("targets: [{series: s, icmp: {host: %q}}]", tc.host)), 5*time.Second)
		want := "cannot open an ICMP socket: unprivileged ping sockets are not allowed to the process's group (listen " + tc.tried[:4] +
			": permission denied) and raw sockets need the capability CAP_NET_RAW (listen " + strings.Fields(tc.tried)[2] +
			": operation not permitted): allow the group in sysctl net.ipv4.ping_group_range, or grant CAP_NET_RAW " +
			"(AmbientCapabilities=CAP_NET_RAW in a systemd unit, setcap cap_net_raw+ep on the binary)"
		if err == nil || err.Error() != want {
			t.Errorf("%s: error %v\nwant %s", tc.host, err, want)
		}
		if got != (Result{}) {
			t.Errorf("%s: result %+v with the error", tc.host, got)
		}
		if strings.Join(tried, ", ") != tc.tried {
			t.Errorf("%s: tried %v, want %s", tc.host, tried, tc.tried)
		}
	}
}

// FuzzJudgeDNS: any datagram a DNS server sends back is judged, never a panic; a success has a
// record of the type asked.
func FuzzJudgeDNS(f *testing.F) {
	for _, name := range []string{"ok.example.", "alias.example.", "txt.example.", "missing.example."} {
		b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: 7})
		_ = b.StartQuestions()
		_ = b.Question(dnsmessage.Question{Name: dnsmessage.MustNewName(name), Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET})
		q, _ := b.Finish()
		f.Add(dnsAnswer(q, false))
	}
	f.Add([]byte{0, 7, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, msg []byte) {
		ok, detail := judgeDNS(msg, dnsmessage.TypeA)
		if ok != (detail == "") {
			t.Errorf("%x: success %v with detail %q", msg, ok, detail)
		}
	})
}
