package ticket

import (
	"testing"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"
)

// withNative is sample(id) with a JSM-like response cycle met in time and a resolution cycle
// that breached and still runs.
func withNative(id string) Ticket {
	t := sample(id)
	t.Native = []NativeSLA{
		{Name: "Time to first response", Clock: "response", Start: utc("2025-03-10 08:00:00"),
			Deadline: utc("2025-03-10 09:00:00"), Stop: utc("2025-03-10 08:20:00")},
		{Name: "Time to resolution", Clock: "resolution", Start: utc("2025-03-10 08:00:00"),
			Deadline: utc("2025-03-10 09:30:00"), Breached: true, Paused: true},
		{Name: "Internal handover", Start: utc("2025-03-10 08:05:00")},
		{Name: "next_reply_time", Clock: "response"},
	}
	return t
}

func TestStoreNativeRoundTrip(t *testing.T) {
	st := NewStore(StoreOptions{})
	in := withNative("INC1")
	// Sub-second instants come back truncated, in UTC.
	in.Native[0].Stop = in.Native[0].Stop.Add(700 * time.Millisecond).In(rome)
	mustAdd(t, st, in)
	want := withNative("INC1")
	if diff := cmp.Diff(want, st.View(0).Ticket()); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if got := st.View(0).NativeLen(); got != 4 {
		t.Errorf("NativeLen = %d, want 4", got)
	}
}

// HasNative follows the live tickets: a replacement without native records takes its
// predecessor's away.
func TestStoreHasNative(t *testing.T) {
	st := NewStore(StoreOptions{})
	mustAdd(t, st, sample("INC1"))
	if st.HasNative(Response) || st.HasNative(Resolution) {
		t.Fatal("HasNative without any native record")
	}
	respOnly := sample("INC2")
	respOnly.Native = withNative("INC2").Native[:1]
	mustAdd(t, st, respOnly)
	if !st.HasNative(Response) || st.HasNative(Resolution) {
		t.Errorf("after a response record: response %v, resolution %v", st.HasNative(Response), st.HasNative(Resolution))
	}
	mustAdd(t, st, sample("INC2"))
	if st.HasNative(Response) {
		t.Error("HasNative(Response) after the only ticket with one was replaced without it")
	}
	if st.HasNative(Kind(7)) {
		t.Error("HasNative of an unknown kind")
	}
}

func TestStoreRejectsNative(t *testing.T) {
	tests := []struct {
		name   string
		change func(*NativeSLA)
		want   string
	}{
		{"no name", func(n *NativeSLA) { n.Name = "" }, "ticket INC1: native SLA entry 1 has no name"},
		{"no start, unknown clock", func(n *NativeSLA) { n.Start, n.Clock = time.Time{}, "reply" },
			`ticket INC1: native SLA "Time to resolution" (entry 1): clock "reply" is not response, resolution or empty`},
		{"unknown clock", func(n *NativeSLA) { n.Clock = "reply" },
			`ticket INC1: native SLA "Time to resolution" started 2025-03-10T08:00:00Z: clock "reply" is not response, resolution or empty`},
		{"clock in capitals", func(n *NativeSLA) { n.Clock = "Resolution" },
			`ticket INC1: native SLA "Time to resolution" started 2025-03-10T08:00:00Z: clock "Resolution" is not response, resolution or empty`},
		{"stop before start", func(n *NativeSLA) { n.Stop = utc("2025-03-10 07:59:59") },
			`ticket INC1: native SLA "Time to resolution" started 2025-03-10T08:00:00Z: stop 2025-03-10T07:59:59Z is before the start`},
		{"deadline before start", func(n *NativeSLA) { n.Deadline = utc("2025-03-09 17:00:00") },
			`ticket INC1: native SLA "Time to resolution" started 2025-03-10T08:00:00Z: deadline 2025-03-09T17:00:00Z is before the start`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := NewStore(StoreOptions{})
			tk := withNative("INC1")
			tc.change(&tk.Native[1])
			if err := st.Add(&tk); err == nil || err.Error() != tc.want {
				t.Fatalf("Add = %v, want %q", err, tc.want)
			}
			if st.Len() != 0 || len(st.natives) != 0 || st.HasNative(Response) {
				t.Errorf("a rejected ticket changed the store")
			}
		})
	}
	tk := sample("INC1")
	tk.Native = make([]NativeSLA, maxNative+1)
	if err := tk.Validate(); err == nil || err.Error() != "ticket INC1: 256 native SLA cycles, more than the 255 kept" {
		t.Errorf("Validate = %v", err)
	}
	// Stop and deadline at the start, and a stop in the start's second, are in order.
	tk = withNative("INC1")
	tk.Native[1].Stop, tk.Native[1].Deadline = tk.Native[1].Start.Add(400*time.Millisecond), tk.Native[1].Start
	tk.Native[1].Start = tk.Native[1].Start.Add(500 * time.Millisecond)
	if err := tk.Validate(); err != nil {
		t.Errorf("Validate = %v", err)
	}
	// A record without a start (a metric not started) is kept, its stop and deadline unchecked.
	tk = withNative("INC1")
	tk.Native[2] = NativeSLA{Name: "next_reply_time", Clock: "response", Deadline: utc("2025-03-01 00:00:00")}
	if err := tk.Validate(); err != nil {
		t.Errorf("Validate = %v", err)
	}
}

// The native records use what was padding; the work time takes 4 bytes of the 8 the record grew
// by (56 bytes, 48 before it), which TestStoreBytesPerTicket's budget counts on.
func TestRecordSize(t *testing.T) {
	if got := unsafe.Sizeof(record{}); got != 56 {
		t.Errorf("record is %d bytes, want 56", got)
	}
}
