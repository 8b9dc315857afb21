package report

import (
	"slices"
	"strings"

	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/slo"
)

// Label names of the objectives' metadata that say whom a promise is made to or by.
const (
	labelCustomer = "customer"
	labelSupplier = "supplier"
)

// Parties of a contract.
const (
	partyCustomer = "customer"
	partySupplier = "supplier"
)

// scope is what a filter leaves in the report.
type scope struct {
	objectives []*config.Objective
	kpis       []*config.KPI
	contracts  []*config.Contract
	// ticketSources are the sources the service desk and problem sections read, sorted.
	ticketSources []string
	// customer, when set, keeps only tickets whose customer field names it (any case).
	customer string
}

// party says whose promise a contract is: a supplier's when any of its objectives carries a
// supplier label (the credit is the organization's to claim), a customer's otherwise (the credit
// is owed). The counterparty is that label's value, the first one found.
func party(cfg *config.Config, k *config.Contract) (side, counterparty string) {
	supplier, who := cfg.ContractSupplier(k)
	if supplier {
		return partySupplier, who
	}
	return partyCustomer, who
}

func objectiveNamed(cfg *config.Config, name string) *config.Objective {
	for i := range cfg.Objectives {
		if cfg.Objectives[i].Name == name {
			return &cfg.Objectives[i]
		}
	}
	return nil
}

// resolveScope applies the filter to the configuration. A filter naming nothing is an input
// error listing what it could name.
func resolveScope(cfg *config.Config, f Filter) (scope, error) {
	set := 0
	for _, v := range []string{f.Service, f.Customer, f.Supplier, f.Contract} {
		if v != "" {
			set++
		}
	}
	if set > 1 {
		return scope{}, inputErrorf("give one filter at most: service, customer, supplier or contract")
	}
	var s scope
	keep := func(o *config.Objective) bool { return true }
	keepContract := func(k *config.Contract) bool { return false }
	switch {
	case f.Service != "":
		keep = func(o *config.Objective) bool { return o.Service == f.Service }
	case f.Customer != "":
		keep = func(o *config.Objective) bool { return strings.EqualFold(o.Labels[labelCustomer], f.Customer) }
		s.customer = f.Customer
	case f.Supplier != "":
		keep = func(o *config.Objective) bool { return strings.EqualFold(o.Labels[labelSupplier], f.Supplier) }
	case f.Contract != "":
		keepContract = func(k *config.Contract) bool { return k.Spec.Name == f.Contract }
		keep = func(o *config.Objective) bool {
			for i := range cfg.Contracts {
				if keepContract(&cfg.Contracts[i]) && slices.Contains(cfg.Contracts[i].Objectives, o.Name) {
					return true
				}
			}
			return false
		}
	}
	services := map[string]bool{}
	for i := range cfg.Objectives {
		if o := &cfg.Objectives[i]; keep(o) {
			s.objectives = append(s.objectives, o)
			services[o.Service] = true
		}
	}
	for i := range cfg.Contracts {
		k := &cfg.Contracts[i]
		in := keepContract(k)
		for _, o := range s.objectives {
			in = in || slices.Contains(k.Objectives, o.Name)
		}
		if in {
			s.contracts = append(s.contracts, k)
		}
	}
	for i := range cfg.KPIs {
		k := &cfg.KPIs[i]
		if set == 0 || f.Service != "" && k.Service == f.Service || f.Service == "" && services[k.Service] {
			s.kpis = append(s.kpis, k)
		}
	}
	if set > 0 && len(s.objectives) == 0 && len(s.kpis) == 0 {
		return scope{}, emptyFilter(cfg, f)
	}
	for _, o := range s.objectives {
		if o.Kind == slo.TicketSLA && !slices.Contains(s.ticketSources, o.Source) {
			s.ticketSources = append(s.ticketSources, o.Source)
		}
	}
	for _, k := range s.kpis {
		if !slices.Contains(s.ticketSources, k.Source) {
			s.ticketSources = append(s.ticketSources, k.Source)
		}
	}
	slices.Sort(s.ticketSources)
	return s, nil
}

// emptyFilter is the error for a filter that names nothing, with the names it could take.
func emptyFilter(cfg *config.Config, f Filter) error {
	var known []string
	add := func(v string) {
		if v != "" && !slices.Contains(known, v) {
			known = append(known, v)
		}
	}
	var msg string
	switch {
	case f.Service != "":
		for _, o := range cfg.Objectives {
			add(o.Service)
		}
		for _, k := range cfg.KPIs {
			add(k.Service)
		}
		msg = "service %q: no objective or KPI belongs to it (services: %s)"
	case f.Customer != "", f.Supplier != "":
		label := labelCustomer
		if f.Supplier != "" {
			label = labelSupplier
		}
		for _, o := range cfg.Objectives {
			add(o.Labels[label])
		}
		msg = label + " %q: no objective carries the label " + label + " with that value (" + label + "s: %s)"
	default:
		for _, k := range cfg.Contracts {
			add(k.Spec.Name)
		}
		msg = "contract %q: no such contract (contracts: %s)"
	}
	slices.Sort(known)
	list := strings.Join(known, ", ")
	if list == "" {
		list = "none configured"
	}
	return inputErrorf(msg, f.Service+f.Customer+f.Supplier+f.Contract, list)
}
