package probe

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"time"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
	"gopkg.in/yaml.v3"
)

// The ICMP probe uses golang.org/x/net/icmp, already a dependency through golang.org/x/net.
// It never needs root: it opens an unprivileged ping socket ("udp4"/"udp6", allowed to the
// groups in sysctl net.ipv4.ping_group_range, which covers IPv6 too), else a raw socket
// (capability CAP_NET_RAW); when neither is allowed the probe cannot run and says which to
// grant.

// listenPacket is icmp.ListenPacket; tests replace it.
var listenPacket = icmp.ListenPacket

// icmpProber is a compiled `icmp:` probe.
type icmpProber struct {
	host string
}

func compileICMP(node *yaml.Node, path []any, c *ICMPConfig, t *Target) error {
	host := strings.Trim(strings.TrimSpace(c.Host), "[]")
	switch {
	case host == "":
		return Fail(node, append(path, "host"), "is required: an address or a name")
	case strings.ContainsAny(host, " \t/:") && net.ParseIP(host) == nil:
		return Fail(node, append(path, "host"), "%q is not an address or a host name (no port)", c.Host)
	}
	p := &icmpProber{host: host}
	t.Target, t.Probe = host, p
	return nil
}

// icmpSocket is an open ICMP socket and how to address it.
type icmpSocket struct {
	conn *icmp.PacketConn
	// raw: a raw socket, whose echo id is ours; an unprivileged one has the kernel set it.
	raw bool
}

// openICMP opens an unprivileged ping socket, else a raw one.
func openICMP(v6 bool) (icmpSocket, error) {
	unpriv, raw, addr := "udp4", "ip4:icmp", "0.0.0.0"
	if v6 {
		unpriv, raw, addr = "udp6", "ip6:ipv6-icmp", "::"
	}
	c, errUnpriv := listenPacket(unpriv, addr)
	if errUnpriv == nil {
		return icmpSocket{conn: c}, nil
	}
	c, errRaw := listenPacket(raw, addr)
	if errRaw == nil {
		return icmpSocket{conn: c, raw: true}, nil
	}
	return icmpSocket{}, fmt.Errorf("cannot open an ICMP socket: unprivileged ping sockets are not allowed to the process's group (%v) "+
		"and raw sockets need the capability CAP_NET_RAW (%v): allow the group in sysctl net.ipv4.ping_group_range, "+
		"or grant CAP_NET_RAW (AmbientCapabilities=CAP_NET_RAW in a systemd unit, setcap cap_net_raw+ep on the binary)", errUnpriv, errRaw)
}

// Probe sends one echo request and waits for its reply.
func (p *icmpProber) Probe(ctx context.Context) (Result, error) {
	start := time.Now()
	ip, err := resolveHost(ctx, p.host)
	if err != nil {
		return Result{Duration: time.Since(start), Detail: describe(ctx, err)}, nil
	}
	v6 := ip.To4() == nil
	sock, err := openICMP(v6)
	if err != nil {
		return Result{}, err
	}
	defer sock.conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = sock.conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = sock.conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	id, seq := int(rand.Uint32()&0xffff), int(rand.Uint32()&0xffff)
	payload := fmt.Appendf(nil, "sla_exporter %d", rand.Uint64())
	var typ, reply icmp.Type = ipv4.ICMPTypeEcho, ipv4.ICMPTypeEchoReply
	proto := 1 // ICMP for IPv4, IANA protocol number
	if v6 {
		typ, reply, proto = ipv6.ICMPTypeEchoRequest, ipv6.ICMPTypeEchoReply, 58
	}
	msg, err := (&icmp.Message{Type: typ, Body: &icmp.Echo{ID: id, Seq: seq, Data: payload}}).Marshal(nil)
	if err != nil {
		return Result{}, err
	}
	var dst net.Addr = &net.UDPAddr{IP: ip}
	if sock.raw {
		dst = &net.IPAddr{IP: ip}
	}
	start = time.Now()
	if _, err := sock.conn.WriteTo(msg, dst); err != nil {
		return Result{Duration: time.Since(start), Detail: describe(ctx, err)}, nil
	}
	buf := make([]byte, 1500)
	for {
		n, peer, err := sock.conn.ReadFrom(buf)
		if err != nil {
			return Result{Duration: time.Since(start), Detail: describe(ctx, err)}, nil
		}
		m, err := icmp.ParseMessage(proto, buf[:n])
		if err != nil || m.Type != reply || !sameIP(peer, ip) {
			continue // another host's or another probe's packet
		}
		echo, ok := m.Body.(*icmp.Echo)
		if !ok || echo.Seq != seq || (sock.raw && echo.ID != id) || !bytes.Equal(echo.Data, payload) {
			continue
		}
		return Result{Success: true, Duration: time.Since(start)}, nil
	}
}

func sameIP(a net.Addr, ip net.IP) bool {
	switch a := a.(type) {
	case *net.UDPAddr:
		return a.IP.Equal(ip)
	case *net.IPAddr:
		return a.IP.Equal(ip)
	}
	return false
}

// resolveHost returns the host's address, an IPv4 one when it has both.
func resolveHost(ctx context.Context, host string) (net.IP, error) {
	if ip := net.ParseIP(host); ip != nil {
		return ip, nil
	}
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return nil, err
	}
	for _, a := range addrs {
		if a.IP.To4() != nil {
			return a.IP, nil
		}
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("%s has no address", host)
	}
	return addrs[0].IP, nil
}
