// Package slo is the SLA engine of sla_exporter: given objectives, the data collected for them and
// the evaluation instant, it computes attainment, error budgets, burn rates, forecasts and breach
// risk. It is pure: no clock reads, no I/O, no metrics library. Same inputs, same outputs, which is
// what makes every number testable by hand.
//
// The building blocks live in subpackages so that each can be reasoned about (and benchmarked)
// alone: calendar (business hours), period (calendar and rolling periods), ticket (normalized
// tickets and SLA clocks), availability (timeslices from probes and outages), events (good/total
// counts), kpi and contract.
package slo
