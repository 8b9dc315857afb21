package file

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// opt is an optional string.
type opt struct {
	v  string
	ok bool
}

// attrs are the attributes of a ticket besides its id, creation and history.
type attrs struct {
	priority, typ, group string
	firstResponse        time.Time
	reassignments        int
	workTime             time.Duration
	rating               ticket.Rating
	fields               []opt
}

// ticketRow is what one row says about a ticket.
type ticketRow struct {
	id               string
	created          time.Time // zero when absent
	status           string    // "" when absent
	cat              ticket.Category
	statusTime       time.Time // zero when absent
	seq              int64     // sequence; 0 when unmapped
	resolved, closed time.Time // zero when absent
	attrs
}

// problems collects what is wrong with a row, each naming its column.
type problems []problem

// problem is one thing wrong with a row. A problem that says the settings do not fit the data
// (a time layout, an unmapped status) names the setting and its cause without the row's value,
// so that rejections group by cause and `check` can point at the setting's line.
type problem struct {
	text, rule, setting string
}

func (ps *problems) add(p *plan, s slot, format string, args ...any) {
	*ps = append(*ps, problem{text: fmt.Sprintf("column %q: ", p.cols[s]) + fmt.Sprintf(format, args...)})
}

// addSetting adds a problem caused by the setting named (dotted from the source's entry).
func (ps *problems) addSetting(p *plan, s slot, setting, rule string, format string, args ...any) {
	ps.add(p, s, format, args...)
	(*ps)[len(*ps)-1].rule = fmt.Sprintf("column %q: ", p.cols[s]) + rule
	(*ps)[len(*ps)-1].setting = setting
}

func (ps problems) String() string {
	texts := make([]string, len(ps))
	for i, x := range ps {
		texts[i] = x.text
	}
	return strings.Join(texts, "; ")
}

// cause is the setting of the first problem due to the settings, if any, and the row's problems
// without their values when every one of them is due to the settings (a row whose two time
// columns both miss the layout has one cause); otherwise the row's own text is its cause.
func (ps problems) cause() (rule, setting string) {
	rules := make([]string, 0, len(ps))
	for _, x := range ps {
		if x.setting != "" && setting == "" {
			setting = x.setting
		}
		rules = append(rules, x.rule)
	}
	if slices.Contains(rules, "") {
		return "", setting
	}
	return strings.Join(rules, "; "), setting
}

// parseTicketRow reads the ticket attributes of a row; out.attrs.fields must have one entry per
// field. Strings are interned, so that they do not pin the file's buffers.
func (rd *reading) parseTicketRow(rw *row, out *ticketRow) problems {
	p := rd.plan
	var ps problems
	cells := rw.cells
	for s := range cells {
		if cells[s].bad != "" {
			ps.add(p, slot(s), "%s", cells[s].bad)
		}
	}
	if len(ps) > 0 {
		return ps
	}
	str := func(s slot, def string) string {
		if cells[s].ok {
			return rd.intern(cells[s].v)
		}
		return def
	}
	tm := func(s slot) time.Time {
		if !cells[s].ok {
			return time.Time{}
		}
		t, err := p.times.parse(cells[s].v)
		if err != nil {
			ps.addSetting(p, s, "file.time.layout", "does not match "+p.times.describe(), "%v", err)
		}
		return t
	}
	out.id = ""
	if c := cells[sID]; c.ok {
		out.id = c.v // interned by the builder, which keeps one copy per ticket
	} else {
		ps.add(p, sID, "no ticket id")
	}
	out.created = tm(sCreated)
	if p.layout == layoutRow && !cells[sCreated].ok {
		ps.add(p, sCreated, "no creation time")
	}
	out.status, out.cat = "", ticket.Unmapped
	if c := cells[sStatus]; c.ok {
		out.status = rd.intern(c.v)
		out.cat = p.category(c.v)
		if out.cat == ticket.Unmapped {
			ps.addSetting(p, sStatus, "file.statuses", fmt.Sprintf("status %s is not listed under statuses", quote(c.v)),
				"status %s has no category: list it under statuses, or set default_category (the category of statuses not listed)", quote(c.v))
		}
	} else if p.layout == layoutEventLog {
		ps.add(p, sStatus, "no status")
	}
	out.statusTime = tm(sStatusTime)
	if p.layout == layoutEventLog && !cells[sStatusTime].ok {
		ps.add(p, sStatusTime, "no status time")
	}
	out.seq = 0
	if c := cells[sSequence]; c.ok {
		n, err := parseSequence(c.v)
		if err != nil {
			ps.add(p, sSequence, "%v", err)
		}
		out.seq = n
	} else if p.mapped(sSequence) {
		ps.add(p, sSequence, "no sequence number, so the row cannot be placed among the ticket's others")
	}
	out.resolved, out.closed = tm(sResolved), tm(sClosed)
	out.priority = str(sPriority, p.constants.Priority)
	out.typ = str(sType, p.constants.Type)
	out.group = str(sGroup, p.constants.Group)
	out.firstResponse = tm(sFirstResponse)
	out.reassignments = 0
	if c := cells[sReassignments]; c.ok {
		n, err := parseCount(c.v)
		if err != nil {
			ps.add(p, sReassignments, "%v", err)
		}
		out.reassignments = n
	}
	out.workTime = 0
	if c := cells[sWorkTime]; c.ok {
		d, err := parseWorkTime(c.v)
		if err != nil {
			ps.add(p, sWorkTime, "%v", err)
		}
		out.workTime = d
	}
	out.rating = ticket.Unrated
	if c := cells[sRating]; c.ok {
		out.rating = p.ratings[strings.ToLower(c.v)]
	}
	for i := range out.fields {
		c := cells[int(nSlots)+i]
		out.fields[i] = opt{}
		if c.ok {
			out.fields[i] = opt{rd.intern(c.v), true}
		}
	}
	return ps
}

// category maps a status name to its category, Unmapped when nothing does.
func (p *plan) category(status string) ticket.Category {
	cat, ok := p.statusesAsIs[status] // spared the lower-casing, which allocates
	if !ok {
		cat, ok = p.statuses[strings.ToLower(status)]
	}
	if !ok {
		return p.defaultCategory
	}
	return cat
}

// maxSharedFields bounds the distinct field maps one reading shares between tickets.
const maxSharedFields = 1 << 14

// fieldMap returns a ticket's fields, shared with every earlier ticket of the reading that has
// the same ones: a desk's free fields take few combinations of values (customer, service,
// category), and a map per ticket was the largest part of a big export's batch. Nobody writes a
// batch's fields, so sharing them is safe. Past maxSharedFields combinations (a field unique to
// each ticket) the maps are no longer shared.
func (rd *reading) fieldMap(fields []opt) map[string]string {
	key := rd.fieldKey[:0]
	for _, f := range fields {
		if f.ok {
			key = append(key, 1)
			key = binary.AppendUvarint(key, uint64(len(f.v)))
			key = append(key, f.v...)
		} else {
			key = append(key, 0)
		}
	}
	rd.fieldKey = key
	if m, ok := rd.fields[string(key)]; ok {
		return m
	}
	m := rd.plan.fieldMap(fields)
	if len(rd.fields) < maxSharedFields {
		rd.fields[string(key)] = m
	}
	return m
}

// fieldMap builds a ticket's fields: the mapped ones that are present, then the constants for the
// names still missing. Nil when there are none.
func (p *plan) fieldMap(fields []opt) map[string]string {
	var m map[string]string
	for i, f := range fields {
		if f.ok {
			if m == nil {
				m = make(map[string]string, len(fields)+len(p.constants.Fields))
			}
			m[p.fieldNames[i]] = f.v
		}
	}
	for k, v := range p.constants.Fields {
		if _, ok := m[k]; !ok {
			if m == nil {
				m = make(map[string]string, len(p.constants.Fields))
			}
			m[k] = v
		}
	}
	return m
}

// ticketOf assembles a ticket from its parts.
func (rd *reading) ticketOf(id string, created time.Time, history []ticket.StatusChange, a *attrs) ticket.Ticket {
	return ticket.Ticket{
		ID:            id,
		Created:       created,
		Priority:      a.priority,
		Type:          a.typ,
		Group:         a.group,
		Fields:        rd.fieldMap(a.fields),
		History:       history,
		FirstResponse: a.firstResponse,
		Rating:        a.rating,
		Reassignments: a.reassignments,
		WorkTime:      a.workTime,
	}
}

// rowTickets builds one_row_per_ticket tickets.
type rowTickets struct {
	rd      *reading
	tr      ticketRow
	seen    map[string]place
	tickets []ticket.Ticket
}

// place is where a record was read.
type place struct{ file, line int }

func newRowTickets(rd *reading) *rowTickets {
	return &rowTickets{rd: rd, seen: map[string]place{}, tr: ticketRow{attrs: attrs{fields: make([]opt, len(rd.plan.fieldNames))}}}
}

func (b *rowTickets) add(rw *row) {
	rd, p := b.rd, b.rd.plan
	if rw.err != "" {
		rd.reject(rw.file, rw.line, rw.err)
		return
	}
	tr := &b.tr
	if ps := rd.parseTicketRow(rw, tr); len(ps) > 0 {
		rd.rejectRow(rw.file, rw.line, ps)
		return
	}
	if first, dup := b.seen[tr.id]; dup {
		rd.reject(rw.file, rw.line, fmt.Sprintf("column %q: ticket %s was already read at %s; the first row is kept", p.cols[sID], quote(tr.id), rd.where(first.file, first.line)))
		return
	}
	history, problem := b.history(tr)
	if problem != "" {
		rd.reject(rw.file, rw.line, fmt.Sprintf("ticket %s: %s", tr.id, problem))
		return
	}
	id := strings.Clone(tr.id)
	b.seen[id] = place{rw.file, rw.line}
	t := rd.ticketOf(id, tr.created, history, &tr.attrs)
	if err := t.Validate(); err != nil {
		rd.reject(rw.file, rw.line, err.Error())
		return
	}
	b.tickets = append(b.tickets, t)
}

// history builds a one_row_per_ticket history from the resolved and closed columns and the
// current status. It returns a problem instead when the row cannot say when its status began, or
// contradicts itself.
//
// Without status_time, the current status is dated by the row's other times: a resolved status
// by the resolved column, else the closed one; a closed or cancelled status by the closed column,
// else the resolved one (a Jira export has only Resolved, the time any resolution was set,
// Done or Won't Do alike); a cancelled status with neither by creation; an open or paused status
// by creation when nothing was resolved or closed.
func (b *rowTickets) history(tr *ticketRow) ([]ticket.StatusChange, string) {
	p := b.rd.plan
	var h []ticket.StatusChange
	if !tr.resolved.IsZero() {
		h = append(h, ticket.StatusChange{At: tr.resolved, Status: p.stopNames[ticket.Resolved], Category: ticket.Resolved})
	}
	if !tr.closed.IsZero() {
		h = append(h, ticket.StatusChange{At: tr.closed, Status: p.stopNames[ticket.Closed], Category: ticket.Closed})
	}
	slices.SortStableFunc(h, func(a, b ticket.StatusChange) int { return a.At.Compare(b.At) })
	if tr.status == "" {
		return h, ""
	}
	at := tr.statusTime
	if at.IsZero() {
		switch tr.cat {
		case ticket.Resolved:
			at = firstSet(tr.resolved, tr.closed)
		case ticket.Closed:
			at = firstSet(tr.closed, tr.resolved)
		case ticket.Cancelled:
			// Withdrawn at an unknown time: at creation, the one time known. A cancelled
			// ticket counts in no resolution figure, and losing it would hide it from every
			// count; map status_time to date it.
			at = firstSet(tr.closed, tr.resolved, tr.created)
		default:
			if len(h) == 0 {
				at = tr.created // the only status known, held since creation
			}
		}
	}
	if at.IsZero() {
		why := "columns.status_time is not mapped"
		if p.mapped(sStatusTime) {
			why = fmt.Sprintf("column %q is empty", p.cols[sStatusTime])
		}
		if tr.cat == ticket.Open || tr.cat == ticket.Paused {
			return nil, fmt.Sprintf("status %s is %s after a resolution or closure, but %s, so the reopen has no time", quote(tr.status), tr.cat, why)
		}
		return nil, fmt.Sprintf("status %s is %s, but %s and the row has no resolved or closed time, so the status has no time", quote(tr.status), tr.cat, why)
	}
	if tr.cat.Stopped() {
		// A resolved, closed or cancelled status takes the place of the entries at its instant:
		// they are the same event (a Jira ticket's Resolved time is when it was closed, or
		// cancelled: then no resolution is counted).
		h = slices.DeleteFunc(h, func(e ticket.StatusChange) bool { return e.At.Equal(at) })
	}
	if n := len(h); n > 0 && h[n-1].At.After(at) {
		last := h[n-1]
		return nil, fmt.Sprintf("the current status %s (%s, since %s) is not the latest: %s at %s is later",
			quote(tr.status), tr.cat, p.times.format(at), last.Category, p.times.format(last.At))
	}
	return append(h, ticket.StatusChange{At: at, Status: tr.status, Category: tr.cat}), ""
}

// firstSet returns the first time that is not zero, or zero.
func firstSet(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

func (b *rowTickets) finish() []ticket.Ticket { return b.tickets }

// evRow is one status change of an event log.
type evRow struct {
	at, created time.Time
	seq         int64
	status      string
	cat         ticket.Category
	place
}

// evTicket gathers the rows of one ticket.
type evTicket struct {
	id    string
	first place // the ticket's first row in file order
	index int   // in logTickets.order
	nrows int
	// last holds the attributes of the row that sorts last (highest sequence, then latest status
	// time, the later row on a tie), so that the attributes of every row need not be kept.
	lastSeq int64
	lastAt  time.Time
	last    attrs
}

// logTickets builds event_log tickets.
type logTickets struct {
	rd    *reading
	tr    ticketRow
	byID  map[string]*evTicket
	order []*evTicket
	// rows are every ticket's rows in file order, with the index of their ticket: one array
	// rather than one per ticket, which would grow (and allocate) a few times per ticket.
	rows    []evRow
	tickets []int32
}

func newLogTickets(rd *reading) *logTickets {
	return &logTickets{rd: rd, byID: map[string]*evTicket{}, tr: ticketRow{attrs: attrs{fields: make([]opt, len(rd.plan.fieldNames))}}}
}

func (b *logTickets) add(rw *row) {
	rd := b.rd
	if rw.err != "" {
		rd.reject(rw.file, rw.line, rw.err)
		return
	}
	tr := &b.tr
	if ps := rd.parseTicketRow(rw, tr); len(ps) > 0 {
		rd.rejectRow(rw.file, rw.line, ps)
		return
	}
	et := b.byID[tr.id]
	if et == nil {
		id := strings.Clone(tr.id)
		et = &evTicket{id: id, first: place{rw.file, rw.line}, index: len(b.order), last: attrs{fields: make([]opt, len(tr.fields))}}
		b.byID[id] = et
		b.order = append(b.order, et)
	}
	b.rows = append(b.rows, evRow{at: tr.statusTime, created: tr.created, seq: tr.seq, status: tr.status, cat: tr.cat, place: place{rw.file, rw.line}})
	b.tickets = append(b.tickets, int32(et.index))
	et.nrows++
	if et.nrows == 1 || tr.seq > et.lastSeq || tr.seq == et.lastSeq && !tr.statusTime.Before(et.lastAt) {
		et.lastSeq, et.lastAt = tr.seq, tr.statusTime
		fields := et.last.fields
		copy(fields, tr.fields)
		et.last = tr.attrs
		et.last.fields = fields
	}
}

func (b *logTickets) finish() []ticket.Ticket {
	rd, p := b.rd, b.rd.plan
	// Group the rows by ticket, keeping file order within each (a counting sort).
	start := make([]int, len(b.order)+1)
	for i, et := range b.order {
		start[i+1] = start[i] + et.nrows
	}
	next := slices.Clone(start[:len(b.order)])
	grouped := make([]evRow, len(b.rows))
	for i, r := range b.rows {
		k := b.tickets[i]
		grouped[next[k]] = r
		next[k]++
	}
	b.rows, b.tickets = nil, nil
	tickets := make([]ticket.Ticket, 0, len(b.order))
	for i, et := range b.order {
		rows := grouped[start[i]:start[i+1]]
		// By sequence (0 on every row when unmapped), then time; rows equal in both keep file
		// order.
		slices.SortStableFunc(rows, func(a, b evRow) int { return cmp.Or(cmp.Compare(a.seq, b.seq), a.at.Compare(b.at)) })
		created := rows[0].at
		if p.mapped(sCreated) {
			created = time.Time{}
			for _, r := range rows {
				if !r.created.IsZero() {
					created = r.created
					break
				}
			}
			if created.IsZero() {
				rd.reject(et.first.file, et.first.line, fmt.Sprintf("ticket %s: column %q is empty on every row, so the ticket has no creation time", et.id, p.cols[sCreated]))
				continue
			}
		}
		history := make([]ticket.StatusChange, 0, len(rows))
		kept := 0
		var lastSeq int64 // of the row that made the last entry
		for _, r := range rows {
			if r.at.Before(created) {
				rd.reject(r.file, r.line, fmt.Sprintf("column %q: status time %s is before the ticket's creation %s (column %q): row left out of ticket %s's history",
					p.cols[sStatusTime], p.times.format(r.at), p.times.format(created), p.cols[sCreated], et.id))
				continue
			}
			n := len(history)
			if n > 0 && strings.EqualFold(history[n-1].Status, r.status) {
				kept++
				continue // the same status again: an update of another attribute
			}
			if n > 0 && r.at.Before(history[n-1].At) {
				// Only with a sequence: the row's time contradicts its place. Placing it would
				// make the history go backwards; moving it would invent a time.
				rd.reject(r.file, r.line, fmt.Sprintf("column %q: status time %s is before %s, the time of status %s, which column %q puts first (%d, this row %d): row left out of ticket %s's history",
					p.cols[sStatusTime], p.times.format(r.at), p.times.format(history[n-1].At), quote(history[n-1].Status), p.cols[sSequence], lastSeq, r.seq, et.id))
				continue
			}
			kept++
			history = append(history, ticket.StatusChange{At: r.at, Status: r.status, Category: r.cat})
			lastSeq = r.seq
		}
		if kept == 0 {
			continue // every row was rejected, each with its reason
		}
		a := et.last
		if p.responses != nil {
			for _, h := range history {
				if p.responses[strings.ToLower(h.Status)] {
					a.firstResponse = h.At
					break
				}
			}
		}
		t := rd.ticketOf(et.id, created, history, &a)
		if err := t.Validate(); err != nil {
			rd.reject(et.first.file, et.first.line, err.Error())
			continue
		}
		tickets = append(tickets, t)
	}
	return tickets
}
