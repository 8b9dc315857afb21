package main

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestEvaluateCosts: evaluate prints the costs beside the contracts, and the hosting supplier's
// credits earned are the hostco contract's running and forecast credit amounts of the same
// evaluation (a supplier's contract counts under its objectives' service), in its currency.
func TestEvaluateCosts(t *testing.T) {
	stdout, stderr, err := runCmd(t, "evaluate", "--at", "2026-12-03T12:00:00Z")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	type amount struct {
		Amount *float64 `json:"credit_amount"`
	}
	var report struct {
		Contracts []struct {
			Name     string `json:"name"`
			Currency string `json:"currency"`
			Running  amount `json:"running"`
			Forecast amount `json:"forecast"`
		} `json:"contracts"`
		Costs []struct {
			Service  string `json:"service"`
			Currency string `json:"currency"`
			Kinds    []struct {
				Kind     string   `json:"kind"`
				SoFar    *float64 `json:"so_far"`
				Forecast *float64 `json:"forecast"`
			} `json:"kinds"`
		} `json:"costs"`
	}
	if err := json.Unmarshal([]byte(stdout), &report); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	groups := map[string][]string{}
	earned := map[string]*float64{}
	for _, c := range report.Costs {
		for _, k := range c.Kinds {
			groups[c.Service+" "+c.Currency] = append(groups[c.Service+" "+c.Currency], k.Kind)
			if k.Kind == "credits_earned" {
				earned["so_far"], earned["forecast"] = k.SoFar, k.Forecast
			}
		}
	}
	if diff := cmp.Diff(map[string][]string{"hosting EUR": {"credits_earned"}, "service-desk EUR": {"breached_tickets"}, "webshop EUR": {"downtime"}}, groups); diff != "" {
		t.Errorf("priced kinds (-want +got):\n%s", diff)
	}
	found := false
	for _, k := range report.Contracts {
		if k.Name != "hostco-hosting" {
			continue
		}
		found = true
		if k.Currency != "EUR" || k.Running.Amount == nil || k.Forecast.Amount == nil {
			t.Fatalf("hostco: %+v", k)
		}
		if earned["so_far"] == nil || earned["forecast"] == nil || *earned["so_far"] != *k.Running.Amount || *earned["forecast"] != *k.Forecast.Amount {
			t.Errorf("credits earned so far %v forecast %v, the contract's running %v forecast %v", earned["so_far"], earned["forecast"], *k.Running.Amount, *k.Forecast.Amount)
		}
	}
	if !found {
		t.Error("no hostco-hosting contract in the output")
	}
}
