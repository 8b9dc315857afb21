package store

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

var t0 = time.Date(2026, time.March, 2, 9, 30, 0, 0, time.UTC)

// sampleTicket is a realistic ticket: a few fields, a six-step history, a response, a rating.
func sampleTicket(i int) ticket.Ticket {
	created := t0.Add(time.Duration(i) * time.Minute)
	return ticket.Ticket{
		ID:       fmt.Sprintf("INC%07d", i),
		Created:  created,
		Priority: []string{"P1", "P2", "P3", "P4"}[i%4],
		Type:     "incident",
		Group:    []string{"Service Desk", "Network", "Database"}[i%3],
		Fields:   map[string]string{"customer": "ACME Corp", "service": "web-shop", "category": "network"},
		History: []ticket.StatusChange{
			{At: created, Status: "New", Category: ticket.Open},
			{At: created.Add(7 * time.Minute), Status: "In Progress", Category: ticket.Open},
			{At: created.Add(40 * time.Minute), Status: "On Hold", Category: ticket.Paused},
			{At: created.Add(3 * time.Hour), Status: "In Progress", Category: ticket.Open},
			{At: created.Add(5 * time.Hour), Status: "Resolved", Category: ticket.Resolved},
			{At: created.Add(77 * time.Hour), Status: "Closed", Category: ticket.Closed},
		},
		FirstResponse: created.Add(7 * time.Minute),
		Rating:        ticket.Good,
		Reassignments: i % 3,
	}
}

// nativeTicket is sampleTicket(i) with the tool's own SLA cycles: a response met, a resolution
// cycle breached and paused, and a record mapped to no clock, with no deadline or stop.
func nativeTicket(i int) ticket.Ticket {
	tk := sampleTicket(i)
	c := tk.Created
	tk.Native = []ticket.NativeSLA{
		{Name: "Time to first response", Clock: "response", Start: c, Deadline: c.Add(time.Hour), Stop: c.Add(7 * time.Minute)},
		{Name: "Time to resolution", Clock: "resolution", Start: c, Deadline: c.Add(4 * time.Hour), Breached: true, Paused: true},
		{Name: "Vendor handover", Start: c.Add(40 * time.Minute)},
		// A metric the tool has not started: no start.
		{Name: "next_reply_time", Clock: "response", Deadline: c.Add(2 * time.Hour)},
	}
	return tk
}

func TestTicketCodec_RoundTrip(t *testing.T) {
	full := sampleTicket(42)
	tests := []struct {
		name string
		in   ticket.Ticket
	}{
		{"minimal", ticket.Ticket{ID: "1", Created: t0}},
		{"realistic", full},
		{"nanoseconds and offsets", func() ticket.Ticket {
			tk := full
			tk.Created = t0.Add(123456789)
			tk.FirstResponse = tk.Created.Add(-time.Second + 1) // not validated here
			tk.History = []ticket.StatusChange{{At: t0.Add(-48 * time.Hour), Status: "Neu ✓", Category: ticket.Open}}
			return tk
		}()},
		{"before 1970", ticket.Ticket{ID: "old", Created: time.Date(1960, 1, 1, 0, 0, 0, 5, time.UTC)}},
		{"bad rating and negative reassignments", ticket.Ticket{ID: "x", Created: t0, Rating: ticket.Rating(-1), Reassignments: -3}},
		{"empty strings are kept", ticket.Ticket{ID: "e", Created: t0, Fields: map[string]string{"": ""}}},
		{"zero creation", ticket.Ticket{ID: "z"}},
		{"native SLA records", nativeTicket(7)},
		{"work time", func() ticket.Ticket {
			tk := sampleTicket(3)
			tk.WorkTime = 38*time.Minute + 250*time.Millisecond
			return tk
		}()},
		{"work time and native SLA records", func() ticket.Ticket {
			tk := nativeTicket(3)
			tk.WorkTime = 2 * time.Hour
			return tk
		}()},
		{"negative work time is kept (not validated here)", ticket.Ticket{ID: "n", Created: t0, WorkTime: -time.Second}},
		{"native SLA records with nanoseconds, before the creation and the start", func() ticket.Ticket {
			tk := nativeTicket(7)
			tk.Native[0].Start = tk.Created.Add(-90*time.Second + 5)
			tk.Native[0].Deadline = tk.Native[0].Start.Add(-time.Second + 999)
			tk.Native[0].Stop = tk.Native[0].Start.Add(123456789)
			tk.Native[1].Clock = "something else" // not validated here
			return tk
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := appendTicket(nil, &tt.in)
			var got ticket.Ticket
			if err := decodeTicket(tt.in.ID, b, &got, interner{}); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.in, got); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
			if again := appendTicket(nil, &got); !bytes.Equal(again, b) {
				t.Errorf("re-encoding differs: %x vs %x", again, b)
			}
		})
	}
}

// The codec lists the fields by hand; a field added to ticket.Ticket must be added to it too.
func TestTicketCodec_CoversEveryField(t *testing.T) {
	known := []string{"ID", "Created", "Priority", "Type", "Group", "Fields", "History", "FirstResponse", "Rating", "Reassignments", "WorkTime", "Native"}
	var got []string
	for f := range reflect.TypeFor[ticket.Ticket]().Fields() {
		got = append(got, f.Name)
	}
	if !slices.Equal(got, known) {
		t.Errorf("ticket.Ticket has fields %v, the codec knows %v: update appendTicket and decodeTicket (bump ticketV1 if the format changes)", got, known)
	}
	var sc []string
	for f := range reflect.TypeFor[ticket.StatusChange]().Fields() {
		sc = append(sc, f.Name)
	}
	if want := []string{"At", "Status", "Category"}; !slices.Equal(sc, want) {
		t.Errorf("ticket.StatusChange has fields %v, the codec knows %v", sc, want)
	}
	var ns []string
	for f := range reflect.TypeFor[ticket.NativeSLA]().Fields() {
		ns = append(ns, f.Name)
	}
	if want := []string{"Name", "Clock", "Start", "Deadline", "Stop", "Breached", "Paused"}; !slices.Equal(ns, want) {
		t.Errorf("ticket.NativeSLA has fields %v, the codec knows %v: update appendNative and decoder.native", ns, want)
	}
}

// A ticket without native records is written as version 1, byte for byte what releases before
// version 2 wrote, so a store they wrote loads (and one written now loads in them). The fixture
// is sampleTicket(42) as version 1 encoded it.
func TestTicketCodec_Version1(t *testing.T) {
	want := sampleTicket(42)
	raw, err := os.ReadFile("testdata/ticket_v1.hex")
	if err != nil {
		t.Fatal(err)
	}
	v1, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	var got ticket.Ticket
	if err := decodeTicket(want.ID, v1, &got, nil); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("version 1 ticket (-want +got):\n%s", diff)
	}
	if again := appendTicket(nil, &want); !bytes.Equal(again, v1) {
		t.Errorf("a ticket without native records encodes as %x, want the version 1 bytes %x", again, v1)
	}
	if b := appendTicket(nil, new(nativeTicket(42))); b[0] != ticketV2 || !bytes.HasPrefix(b[1:], v1[1:]) {
		t.Errorf("a ticket with native records encodes as %x: want version 2, the version 1 fields, then the records", b)
	}
}

func TestTicketCodec_Corrupt(t *testing.T) {
	good := appendTicket(nil, new(sampleTicket(1)))
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"unknown version", append([]byte{9}, good[1:]...)},
		{"trailing bytes", append(slices.Clone(good), 0)},
		{"huge count", []byte{ticketV1, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f}},
		// Version 1 fields of a minimal ticket (creation, three empty strings, no fields,
		// no history, no response, rating, reassignments), then the native part.
		{"version 2 without records", []byte{ticketV2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		{"version 2 huge record count", []byte{ticketV2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0x0f}},
		{"version 3 without a work time", []byte{ticketV3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		{"version 3 truncated work time", []byte{ticketV3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80}},
		{"version 3 without a native count", []byte{ticketV3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}},
		{"version 2 unknown flags", []byte{ticketV2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 'x', 0, 0x10, 0, 0, 0, 0, 0, 0}},
	}
	native := appendTicket(nil, new(nativeTicket(1)))
	for n := len(good); n < len(native); n += 3 {
		tests = append(tests, struct {
			name string
			in   []byte
		}{fmt.Sprintf("version 2 truncated at %d", n), native[:n]})
	}
	for n := 1; n < len(good); n += 7 {
		tests = append(tests, struct {
			name string
			in   []byte
		}{fmt.Sprintf("truncated at %d", n), good[:n]})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got ticket.Ticket
			if err := decodeTicket("x", tt.in, &got, nil); err == nil {
				t.Errorf("decoded %x without error", tt.in)
			}
		})
	}
}

func FuzzDecodeTicket(f *testing.F) {
	f.Add(appendTicket(nil, new(sampleTicket(1))))
	f.Add([]byte{ticketV1})
	f.Add(appendTicket(nil, new(nativeTicket(1))))
	f.Fuzz(func(t *testing.T, b []byte) {
		var tk ticket.Ticket
		if decodeTicket("x", b, &tk, nil) != nil {
			return
		}
		var again ticket.Ticket
		if err := decodeTicket("x", appendTicket(nil, &tk), &again, interner{}); err != nil {
			t.Fatalf("re-decoding a decoded ticket: %v", err)
		}
	})
}

// BenchmarkTicketEncoding compares the candidate encodings of a stored ticket; the size of each
// is reported as bytes/ticket.
func BenchmarkTicketEncoding(b *testing.B) {
	tk := sampleTicket(1234)
	in := interner{} // shared across values, as in Scan
	encoders := []struct {
		name   string
		encode func(*ticket.Ticket) []byte
		decode func([]byte, *ticket.Ticket) error
	}{
		{"binary", func(t *ticket.Ticket) []byte { return appendTicket(nil, t) },
			func(b []byte, t *ticket.Ticket) error { return decodeTicket("INC0001234", b, t, in) }},
		{"json", func(t *ticket.Ticket) []byte { v, _ := json.Marshal(t); return v },
			func(b []byte, t *ticket.Ticket) error { return json.Unmarshal(b, t) }},
		// A gob stream per value, as a key/value store needs: each value repeats the type.
		{"gob", func(t *ticket.Ticket) []byte {
			var buf bytes.Buffer
			_ = gob.NewEncoder(&buf).Encode(t)
			return buf.Bytes()
		}, func(b []byte, t *ticket.Ticket) error { return gob.NewDecoder(bytes.NewReader(b)).Decode(t) }},
	}
	for _, e := range encoders {
		v := e.encode(&tk)
		b.Run(e.name+"/encode", func(b *testing.B) {
			for b.Loop() {
				e.encode(&tk)
			}
			b.ReportMetric(float64(len(v)), "bytes/ticket")
		})
		b.Run(e.name+"/decode", func(b *testing.B) {
			var out ticket.Ticket
			for b.Loop() {
				if err := e.decode(v, &out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// A ticket with a work time is written as version 3: the version 1 fields, the work time, then
// the native records (none here), so that a ticket without one encodes as before.
func TestTicketCodec_Version3(t *testing.T) {
	plain := sampleTicket(42)
	v1 := appendTicket(nil, &plain)
	worked := plain
	worked.WorkTime = 38 * time.Minute
	b := appendTicket(nil, &worked)
	// 38 minutes is 2,280,000,000,000 ns: a zig-zag varint, then a native count of 0.
	want := append([]byte{ticketV3}, v1[1:]...)
	want = binary.AppendVarint(want, int64(38*time.Minute))
	want = append(want, 0)
	if !bytes.Equal(b, want) {
		t.Errorf("encoded %x, want %x", b, want)
	}
}
