package main

import (
	"encoding/json"
	"math"
	"testing"
)

// TestEvaluateContracts runs issue 7's question through evaluate: on December 3rd the demo's
// hosting contract shows November's final credit as its last period, rated from November's final
// attainment by the tier it falls in, beside the forecast and running credits of December.
func TestEvaluateContracts(t *testing.T) {
	stdout, stderr, err := runCmd(t, "evaluate", "--at", "2026-12-03T12:00:00Z")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	type credit struct {
		Status string   `json:"status"`
		Ratio  *float64 `json:"credit_ratio"`
		Amount *float64 `json:"credit_amount"`
	}
	type rating struct {
		Attainment *float64 `json:"attainment"`
		Tier       *struct {
			Below, Credit float64
		} `json:"tier"`
		Credit *float64 `json:"credit_ratio"`
	}
	var report struct {
		Contracts []struct {
			Name       string  `json:"name"`
			Status     string  `json:"status"`
			Fee        float64 `json:"fee"`
			Currency   string  `json:"currency"`
			LastPeriod *struct {
				Period string `json:"period"`
				credit
				Objectives []rating `json:"objectives"`
			} `json:"last_period"`
			Forecast   credit `json:"forecast"`
			Running    credit `json:"running"`
			Objectives []struct {
				Name     string `json:"name"`
				Running  rating `json:"running"`
				Forecast rating `json:"forecast"`
			} `json:"objectives"`
			History []json.RawMessage `json:"history"`
		} `json:"contracts"`
	}
	if err := json.Unmarshal([]byte(stdout), &report); err != nil {
		t.Fatalf("not JSON: %v\n%.2000s", err, stdout)
	}
	if len(report.Contracts) != 1 {
		t.Fatalf("%d contracts, want the demo's one", len(report.Contracts))
	}
	k := report.Contracts[0]
	if k.Name != "hostco-hosting" || k.Fee != 12000 || k.Currency != "EUR" || k.Status == "unknown" {
		t.Errorf("contract %s, fee %v %s, status %s: want hostco-hosting, 12000 EUR, a known status", k.Name, k.Fee, k.Currency, k.Status)
	}
	last := k.LastPeriod
	if last == nil || last.Period != "2026-11" || last.Ratio == nil || last.Amount == nil || len(last.Objectives) != 1 || last.Objectives[0].Attainment == nil {
		t.Fatalf("last period %+v: want November 2026 with its credit and attainment", last)
	}
	// The demo's tiers: below 99.95% → 10%, below 99.5% → 25%, below 99% → 100%.
	a := *last.Objectives[0].Attainment
	want := 0.0
	switch {
	case a < 0.99:
		want = 1
	case a < 0.995:
		want = 0.25
	case a < 0.9995:
		want = 0.10
	}
	if *last.Ratio != want || math.Abs(*last.Amount-want*12000) > 1e-9 {
		t.Errorf("November at %v: credit %v = %v EUR, want %v = %v EUR", a, *last.Ratio, *last.Amount, want, want*12000)
	}
	if len(k.History) != 12 {
		t.Errorf("%d finished periods, want the 12 kept", len(k.History))
	}
	for name, c := range map[string]credit{"forecast": k.Forecast, "running": k.Running} {
		if c.Ratio == nil || c.Amount == nil || c.Status == "unknown" {
			t.Errorf("%s credit %+v: want known", name, c)
		}
	}
	if len(k.Objectives) != 1 || k.Objectives[0].Running.Attainment == nil || k.Objectives[0].Forecast.Attainment == nil {
		t.Errorf("objectives %+v: want hosting-availability with its attainment so far and forecast", k.Objectives)
	}
}
