package ticket

import (
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/slo/calendar"
)

// A reference model: the clocks computed second by second, with working time read from the
// calendar's spec directly rather than through the calendar package, so that the engine's
// segment arithmetic (DurationUnix, DeadlineUnix, the crossing segment) is checked against
// something that shares none of it.

// denseWeek works 600 seconds of every 1000, plus odd one-second and 7-second intervals, every
// day of the week, in UTC over 1970; 3 Jan 1970 is a holiday. Boundaries come every few minutes,
// so short tickets cross many of them.
var denseWeek = func() []calendar.Interval {
	var ivs []calendar.Interval
	for s := 0; s+1000 <= 86400; s += 1000 {
		ivs = append(ivs, calendar.Interval{Start: s, End: s + 600}, calendar.Interval{Start: s + 700, End: s + 701}, calendar.Interval{Start: s + 800, End: s + 807})
	}
	return ivs
}()

const denseHoliday = 2 // day index of 3 Jan 1970

var denseCal = func() *calendar.Calendar {
	var w [7][]calendar.Interval
	for d := range w {
		w[d] = denseWeek
	}
	return mustCalendar(calendar.Spec{Name: "dense", Week: w, Holidays: []calendar.Date{{Year: 1970, Month: 1, Day: 3}}, FirstYear: 1970, LastYear: 1970})
}()

const denseSpanEnd = 365 * 86400

// denseWorking reports whether second s is working time on denseCal, from its spec.
func denseWorking(s int64) bool {
	if s < 0 || s >= denseSpanEnd || s/86400 == denseHoliday {
		return false
	}
	sec := int(s % 86400)
	for _, iv := range denseWeek {
		if sec >= iv.Start && sec < iv.End {
			return true
		}
	}
	return false
}

func alwaysWorking(int64) bool { return true }

// refEvent is a change the reference applies at an instant: a history entry, or the first
// response (cat 0).
type refEvent struct {
	at  int64
	cat Category
}

// refCycles computes the cycles of a ticket second by second.
func refCycles(spec ClockSpec, working func(int64) bool, spanEnd int64, tk *Ticket, now int64) []Cycle {
	created := tk.Created.Unix()
	if created > now {
		return nil
	}
	tgt, ok := spec.Targets[tk.Priority]
	if !ok {
		if tgt, ok = spec.Targets["*"]; !ok {
			return nil
		}
	}
	T := int64(tgt / time.Second)
	warnAt := spec.WarnAt
	if warnAt == 0 {
		warnAt = 0.75
	}
	pauses := func(c Category) bool {
		if spec.PauseOn == nil {
			return spec.Kind == Resolution && c == Paused
		}
		return slices.Contains(spec.PauseOn, c)
	}
	var events []refEvent
	if spec.Kind == Response && !tk.FirstResponse.IsZero() {
		events = append(events, refEvent{tk.FirstResponse.Unix(), 0}) // first among equals
	}
	for _, h := range tk.History {
		events = append(events, refEvent{h.At.Unix(), h.Category})
	}
	slices.SortStableFunc(events, func(a, b refEvent) int { return int(a.at - b.at) })

	const (
		running = iota
		paused
		stopped
		done
	)
	var out []Cycle
	phase := running
	cur := Cycle{Start: created, Target: T}
	reachedAt := int64(0)
	cancelled := false
	finish := func() { // a stopped cycle
		c := cur
		switch {
		case c.Elapsed > T:
			c.State, c.BreachedAt, c.Deadline = Breached, reachedAt, reachedAt
		case cancelled:
			c.State = CancelledState
		default:
			c.State = Met
		}
		out = append(out, c)
	}
	ev := 0
	for s := created; ; s++ {
		for ; ev < len(events) && events[ev].at == s; ev++ {
			e := events[ev]
			if phase == done || s > now {
				continue
			}
			switch {
			case e.cat == 0: // first response
				if phase == running || phase == paused {
					cur.Stop = s
					finish()
					phase = done
				}
			case e.cat == Cancelled:
				if phase == running || phase == paused {
					cur.Stop, cancelled = s, true
					finish()
				} else if phase == stopped && spec.Reopen == Resume {
					finish()
				}
				phase = done
			case e.cat == Resolved || e.cat == Closed:
				if phase == running || phase == paused {
					cur.Stop = s
					switch {
					case spec.Kind == Response:
						finish()
						phase = done
					case spec.Reopen == NewCycle:
						finish()
						phase = stopped
					default:
						phase = stopped
					}
				}
			default:
				if phase == stopped {
					if spec.Reopen == NewCycle {
						cur = Cycle{N: cur.N + 1, Start: s, Target: T}
						reachedAt = 0
					}
					cur.Stop = 0
				}
				phase = running
				if pauses(e.cat) {
					phase = paused
				}
			}
		}
		if s == now {
			break
		}
		if phase == running && working(s) {
			cur.Elapsed++
			if cur.Elapsed == T {
				reachedAt = s + 1
			}
		}
	}
	switch phase {
	case stopped:
		if spec.Reopen == Resume {
			finish()
		}
	case running, paused:
		c := cur
		switch {
		case c.Elapsed > T:
			c.State, c.BreachedAt, c.Deadline = Breached, reachedAt, reachedAt
		case c.Elapsed == T:
			c.Deadline = reachedAt
		default:
			// The deadline if the cycle ran on from now without a change.
			c.Deadline = calendar.Never
			left := T - c.Elapsed
			for s := now; s < spanEnd; s++ {
				if working(s) {
					if left--; left == 0 {
						c.Deadline = s + 1
						break
					}
				}
			}
		}
		if c.State != Breached {
			if phase == paused {
				c.State = PausedState
			}
			c.AtRisk = float64(c.Elapsed) >= warnAt*float64(T)
		}
		out = append(out, c)
	}
	return out
}

// fuzzInput reads a clock spec, a ticket and an evaluation instant from bytes; exhausted input
// reads as zeros. Tickets live on day 1 of 1970 (a few near the end of the dense calendar's span)
// and are at most a few hours long, so the reference's second-by-second walk stays short.
func fuzzInput(data []byte) (spec ClockSpec, working func(int64) bool, spanEnd int64, tk Ticket, now int64) {
	next := func() int64 {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return int64(b)
	}
	flags := next()
	spec.Kind = Kind(flags & 1)
	spec.Reopen = ReopenPolicy(flags >> 1 & 1)
	switch flags >> 2 % 4 {
	case 1:
		spec.PauseOn = []Category{}
	case 2:
		spec.PauseOn = []Category{Paused}
	}
	working, spanEnd = alwaysWorking, int64(1)<<62
	if flags>>4&1 == 1 {
		spec.Calendar, working, spanEnd = denseCal, denseWorking, denseSpanEnd
	}
	base := int64(86400 + 3*3600)
	if flags>>5&1 == 1 {
		base = denseSpanEnd - 2000 // deadlines past the span are Never
	}
	key := "P1"
	if flags>>6&1 == 1 {
		key = "*"
	}
	target := 1 + (next()<<8|next())%4000
	spec.Targets = map[string]time.Duration{key: time.Duration(target) * time.Second}
	if w := next(); w%4 != 0 {
		spec.WarnAt = float64(w%100+1) / 100
	}
	created := base + next()*7
	tk = Ticket{ID: "F", Created: time.Unix(created, 0).UTC(), Priority: "P1"}
	at := created
	for range next() % 9 {
		at += next() * 3
		tk.History = append(tk.History, StatusChange{At: time.Unix(at, 0).UTC(), Status: "s", Category: Category(1 + next()%5)})
	}
	if r := next(); r != 0 {
		tk.FirstResponse = time.Unix(created+r*11, 0).UTC()
	}
	now = created + (next()<<8|next())%6000 - 200
	return spec, working, spanEnd, tk, now
}

// checkAgainstReference compares the engine with the reference and checks the invariants every
// cycle must satisfy.
func checkAgainstReference(t *testing.T, spec ClockSpec, working func(int64) bool, spanEnd int64, tk Ticket, now int64) {
	t.Helper()
	c, err := NewClock(spec)
	if err != nil {
		t.Fatalf("NewClock(%+v): %v", spec, err)
	}
	st := NewStore(StoreOptions{})
	if err := st.Add(&tk); err != nil {
		t.Fatalf("Add: %v", err)
	}
	got := c.Cycles(st, 0, now, nil)
	want := refCycles(spec, working, spanEnd, &tk, now)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("%s clock %+v, ticket %+v, now %d: cycles (-reference +engine):\n%s", spec.Kind, spec, tk, now, diff)
	}
	for _, cy := range got {
		checkInvariants(t, cy, now)
	}
}

func checkInvariants(t *testing.T, c Cycle, now int64) {
	t.Helper()
	bad := func(why string) { t.Fatalf("%s: %+v (now %d)", why, c, now) }
	if c.Elapsed < 0 {
		bad("negative elapsed")
	}
	if c.Start > now || (c.Stop != 0 && (c.Stop < c.Start || c.Stop > now)) {
		bad("start or stop out of order")
	}
	switch c.State {
	case Met:
		if c.Elapsed > c.Target || c.Stop == 0 || c.Deadline != 0 || c.BreachedAt != 0 || c.AtRisk {
			bad("met")
		}
	case Breached:
		// A cancelled cycle is breached only once past its target, like any other.
		if c.Elapsed <= c.Target || c.BreachedAt == 0 || c.BreachedAt != c.Deadline || c.BreachedAt < c.Start || c.AtRisk {
			bad("breached")
		}
		if end := cmpOr(c.Stop, now); c.BreachedAt > end {
			bad("breached after the end")
		}
	case CancelledState:
		if c.Elapsed > c.Target || c.Stop == 0 || c.Deadline != 0 || c.AtRisk {
			bad("cancelled")
		}
	case InProgress, PausedState:
		if c.Elapsed > c.Target || c.Stop != 0 || c.BreachedAt != 0 || c.Deadline == 0 {
			bad("open")
		}
		if c.Elapsed < c.Target && c.Deadline <= now {
			bad("open with a deadline in the past")
		}
	default:
		bad("unknown state")
	}
}

func cmpOr(a, b int64) int64 {
	if a != 0 {
		return a
	}
	return b
}

// TestCyclesAgainstReference runs the reference comparison on random inputs.
func TestCyclesAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 17))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	buf := make([]byte, 40)
	for range n {
		for i := range buf {
			buf[i] = byte(rng.Uint32())
		}
		spec, working, spanEnd, tk, now := fuzzInput(buf)
		checkAgainstReference(t, spec, working, spanEnd, tk, now)
	}
}

// FuzzCycles: random valid tickets and specs never panic, satisfy the cycle invariants (Elapsed
// >= 0, Met implies Elapsed <= Target, Breached implies Elapsed > Target, cancelled after the
// deadline included) and agree with the second-by-second reference.
func FuzzCycles(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x13, 0, 60, 1, 0, 3, 10, 1, 50, 2, 50, 1, 40, 3, 7, 0, 200})
	f.Add([]byte{0x32, 0, 1, 2, 9, 4, 100, 3, 100, 1, 100, 4, 100, 3, 0, 16, 0})
	f.Add([]byte{0x21, 1, 0, 0, 5, 2, 0, 2, 1, 5, 0, 9, 3, 255})
	f.Add(binary.BigEndian.AppendUint64(nil, 0x5f5f5f5f5f5f5f5f))
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, working, spanEnd, tk, now := fuzzInput(data)
		checkAgainstReference(t, spec, working, spanEnd, tk, now)
	})
}

// TestCyclesMonotoneInNow: for a fixed ticket, as now increases, each cycle's Elapsed never
// decreases, cycles never disappear, and a cycle once met, breached or cancelled stays so (a
// breached cycle keeps its BreachedAt; once stopped, its Stop and Elapsed). Under Resume a
// reopen undoes a decided cycle by design, so for those tickets only the first two hold.
func TestCyclesMonotoneInNow(t *testing.T) {
	cal := office(t)
	resp, res := benchClocks(t, cal)
	resume := mustClock(t, ClockSpec{Kind: Resolution, Calendar: cal, Reopen: Resume, Targets: map[string]time.Duration{
		"P1": 4 * time.Hour, "P2": 8 * time.Hour, "P3": 24 * time.Hour, "P4": 40 * time.Hour,
	}})
	rng := rand.New(rand.NewPCG(21, 34))
	horizon := time.Date(2025, 7, 1, 15, 30, 0, 0, rome)
	st := NewStore(StoreOptions{})
	n := 600
	if testing.Short() {
		n = 100
	}
	for i := range n {
		tk := genTicket(rng, i, horizon)
		if i%3 == 0 { // more reopens and cancellations than in production
			at := tk.History[len(tk.History)-1].At
			tk.History = append(tk.History,
				StatusChange{At: at.Add(5 * time.Hour), Status: "Reopened", Category: Open},
				StatusChange{At: at.Add(9 * time.Hour), Status: "Waiting", Category: Paused},
				StatusChange{At: at.Add(30 * time.Hour), Status: "Cancelled", Category: Cancelled})
		}
		mustAdd(t, st, tk)
	}
	for i := range st.Len() {
		v := st.View(i)
		instants := []int64{v.Created() - 1, v.Created(), v.Created() + 1}
		reopened := false
		for j := range v.HistoryLen() {
			at, c := v.History(j)
			instants = append(instants, at-1, at, at+1)
			if j > 0 {
				if _, prev := v.History(j - 1); (prev == Resolved || prev == Closed) && (c == Open || c == Paused) {
					reopened = true
				}
			}
		}
		if r, ok := v.FirstResponse(); ok {
			instants = append(instants, r-1, r, r+1)
		}
		for range 20 {
			instants = append(instants, v.Created()+rng.Int64N(40*86400))
		}
		slices.Sort(instants)
		for _, c := range []*Clock{resp, res, resume} {
			var prev []Cycle
			for _, now := range instants {
				cur := c.Cycles(st, i, now, nil)
				if len(cur) < len(prev) {
					t.Fatalf("ticket %d, %s clock: %d cycles at %d, %d before", i, c.Kind(), len(cur), now, len(prev))
				}
				for k, p := range prev {
					q := cur[k]
					if q.N != p.N || q.Start != p.Start || q.Elapsed < p.Elapsed {
						t.Fatalf("ticket %d, %s clock: cycle %d went from %+v to %+v at %d", i, c.Kind(), k, p, q, now)
					}
					if !p.State.Decided() || (c.Reopen() == Resume && reopened) {
						continue
					}
					// A breached cycle still open goes on counting until it stops; one that
					// stopped is frozen.
					if q.State != p.State || q.BreachedAt != p.BreachedAt || (p.Stop != 0 && (q.Stop != p.Stop || q.Elapsed != p.Elapsed)) {
						t.Fatalf("ticket %d, %s clock: decided cycle %d changed from %+v to %+v at %d", i, c.Kind(), k, p, q, now)
					}
				}
				for _, cy := range cur {
					checkInvariants(t, cy, now)
				}
				prev = cur
			}
		}
	}
}
