package config

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/sla-exporter/sla_exporter/slo"
)

// rawCost is a service's cost: block, what its missed promises cost: a price per minute of bad
// time of its availability objectives and per breached cycle of its ticket objectives.
// DowntimePerMinute is a pointer so that an explicit 0 (downtime costs nothing, but say so)
// differs from an absent key (no downtime figure).
type rawCost struct {
	Currency          string             `yaml:"currency"`
	DowntimePerMinute *float64           `yaml:"downtime_per_minute"`
	BreachedTicket    map[string]float64 `yaml:"breached_ticket"`
}

// Cost is what a service's missed promises cost, in Currency.
type Cost struct {
	// Currency is an ISO 4217 code (EUR, USD).
	Currency string
	// DowntimePerMinute prices a minute of bad time of the service's availability objectives;
	// HasDowntime is false when the service prices none.
	DowntimePerMinute float64
	HasDowntime       bool
	// BreachedTicket prices a breached ticket cycle by its ticket's priority, "*" for every
	// priority not listed; empty when the service prices none.
	BreachedTicket map[string]float64
}

// TicketPrice is the price of a breached cycle of a ticket of priority p: its own price, else
// the "*" one; ok is false when neither is set (the cycle is not priced).
func (c *Cost) TicketPrice(p string) (price float64, ok bool) {
	if v, ok := c.BreachedTicket[p]; ok {
		return v, true
	}
	v, ok := c.BreachedTicket["*"]
	return v, ok
}

// UniformTicketPrice reports whether every breached cycle costs the same: only "*" is priced.
func (c *Cost) UniformTicketPrice() bool {
	_, ok := c.BreachedTicket["*"]
	return ok && len(c.BreachedTicket) == 1
}

// currencyCode is an ISO 4217 alphabetic code as written on invoices.
var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

// ContractSupplier says whose promise a contract is: a supplier's when any of its objectives
// carries a supplier label (the credit is the organization's to claim: earned), a customer's
// otherwise (the credit is owed). counterparty is the label's value, the first one found (the
// customer label's for a customer's contract). The report and the cost figures share this rule.
func (c *Config) ContractSupplier(k *Contract) (supplier bool, counterparty string) {
	for _, name := range k.Objectives {
		i := slices.IndexFunc(c.Objectives, func(o Objective) bool { return o.Name == name })
		if i < 0 {
			continue
		}
		labels := c.Objectives[i].Labels
		if v := labels["supplier"]; v != "" {
			return true, v
		}
		if v := labels["customer"]; v != "" && counterparty == "" {
			counterparty = v
		}
	}
	return false, counterparty
}

// ContractService is the service a contract's credits count under (sla_cost_amount's service
// label): that of its objectives, or their services joined by "+" when they span several, so
// that one service's figure never holds another's credits.
func (c *Config) ContractService(k *Contract) string {
	var names []string
	for _, name := range k.Objectives {
		for i := range c.Objectives {
			if o := &c.Objectives[i]; o.Name == name && !slices.Contains(names, o.Service) {
				names = append(names, o.Service)
			}
		}
	}
	slices.Sort(names)
	return strings.Join(names, "+")
}

// costs checks every service's cost block, once the objectives are built: its currency, its
// amounts, and the priorities it prices against those its ticket objectives know. A priority
// key no ticket objective of the service can deliver is an error (a typo would leave every
// breach of the intended priority unpriced, or priced at "*", without a word); prices that
// cannot apply (no availability or ticket objective) and priorities left unpriced are warnings.
func (b *builder) costs(raw *rawConfig) error {
	for i, rs := range raw.Services {
		if rs.Cost == nil {
			continue
		}
		at := []any{"services", i, "cost"}
		field := func(f ...any) []any { return append(append([]any{}, at...), f...) }
		rc := rs.Cost
		if !currencyCode.MatchString(rc.Currency) {
			return b.fail(fmt.Errorf("%q is not an ISO 4217 currency code (three upper-case letters, e.g. EUR)", rc.Currency), field("currency")...)
		}
		c := &Cost{Currency: rc.Currency}
		if rc.DowntimePerMinute != nil {
			if err := checkAmount(*rc.DowntimePerMinute); err != nil {
				return b.fail(err, field("downtime_per_minute")...)
			}
			c.DowntimePerMinute, c.HasDowntime = *rc.DowntimePerMinute, true
		}
		if len(rc.BreachedTicket) > 0 {
			c.BreachedTicket = make(map[string]float64, len(rc.BreachedTicket))
		}
		for _, p := range sortedKeys(rc.BreachedTicket) {
			if err := checkAmount(rc.BreachedTicket[p]); err != nil {
				return b.fail(err, field("breached_ticket", p)...)
			}
			c.BreachedTicket[p] = rc.BreachedTicket[p]
		}
		if !c.HasDowntime && len(c.BreachedTicket) == 0 {
			return b.fail(errors.New("prices nothing: set downtime_per_minute, breached_ticket or both"), at...)
		}
		if err := b.costPriorities(rs.Name, c, at); err != nil {
			return err
		}
		svc := b.cfg.Services[rs.Name]
		svc.Cost = c
		b.cfg.Services[rs.Name] = svc
	}
	return nil
}

// costPriorities checks the priced priorities against the service's objectives: those whose
// source declares its priorities, or whose targets name them, say which priorities exist.
func (b *builder) costPriorities(service string, c *Cost, at []any) error {
	var avail, tickets bool
	known := map[string]bool{}
	closed := true // every ticket objective's priorities are known
	unpriced := map[string]bool{}
	for i := range b.cfg.Objectives {
		o := &b.cfg.Objectives[i]
		if o.Service != service {
			continue
		}
		switch o.Kind {
		case slo.Availability:
			avail = true
		case slo.TicketSLA:
			tickets = true
			if len(c.BreachedTicket) > 0 && o.Verdict == slo.Native && !c.UniformTicketPrice() {
				b.warn(fmt.Sprintf("objective %q counts the ticket tool's own verdicts (verdict: native), whose breaches cannot be split by priority: its breached_tickets cost is not published; price it with \"*\" only", o.Name), append(at, "breached_ticket")...)
			}
			src, _ := b.sourceNamed(o.Source)
			if src != nil && len(src.Priorities) > 0 {
				for _, p := range src.Priorities {
					known[p] = true
				}
			} else {
				closed = false
			}
			for _, p := range o.Clock.Priorities() {
				known[p] = true
				if _, ok := c.TicketPrice(p); !ok {
					unpriced[p] = true
				}
			}
			if _, ok := o.Clock.Target("\x00 no such priority"); ok {
				// A "*" target covers every priority: one without a price costs nothing.
				if _, ok := c.BreachedTicket["*"]; !ok {
					unpriced["*"] = true
				}
			}
		}
	}
	if c.HasDowntime && !avail {
		b.warn(fmt.Sprintf("service %q has no availability objective: downtime_per_minute prices nothing", service), append(at, "downtime_per_minute")...)
	}
	if len(c.BreachedTicket) == 0 {
		return nil
	}
	if !tickets {
		b.warn(fmt.Sprintf("service %q has no ticket objective: breached_ticket prices nothing", service), append(at, "breached_ticket")...)
		return nil
	}
	if closed {
		for _, p := range sortedKeys(c.BreachedTicket) {
			if p != "*" && !known[p] {
				return b.fail(fmt.Errorf("no ticket objective of service %q has tickets of priority %q (its priorities: %s)", service, p, strings.Join(sortedKeys(known), ", ")),
					append(at, "breached_ticket", p)...)
			}
		}
	}
	if len(unpriced) > 0 {
		b.warn(fmt.Sprintf("breached cycles of priority %s cost nothing: add them, or \"*\", to breached_ticket", strings.Join(sortedKeys(unpriced), ", ")), append(at, "breached_ticket")...)
	}
	return nil
}

// checkAmount accepts a finite amount >= 0.
func checkAmount(v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return fmt.Errorf("%g is not a finite amount >= 0", v)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
