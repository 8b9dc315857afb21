package contract

import "testing"

func TestCurrentStatus(t *testing.T) {
	// Below 99.9% → 10% of the fee.
	s := Spec{Tiers: []Tier{{Below: 0.999, Credit: 0.1}}, Fee: 100, Currency: "EUR"}
	credit := func(a float64) Result { return s.Credit([]float64{a}) }
	tests := []struct {
		name              string
		running, forecast Result
		want              Status
	}{
		{"kept so far, forecast kept", credit(0.9995), credit(0.9992), OK},
		{"kept so far, forecast misses", credit(0.9995), credit(0.998), AtRisk},
		{"missed so far, forecast kept", credit(0.998), credit(0.9995), CreditDue},
		{"missed so far, forecast misses", credit(0.998), credit(0.997), CreditDue},
		// A rolling period has no forecast: the running credit still answers.
		{"kept so far, no forecast", credit(0.9995), credit(nan), OK},
		{"missed so far, no forecast", credit(0.998), credit(nan), CreditDue},
		// No data now: whatever the forecast says, nobody can tell what is owed.
		{"no data so far, forecast kept", credit(nan), credit(0.9995), Unknown},
		{"no data so far, forecast misses", credit(nan), credit(0.998), Unknown},
	}
	for _, tt := range tests {
		if got := CurrentStatus(tt.running, tt.forecast); got != tt.want {
			t.Errorf("%s: CurrentStatus = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestStatus_String(t *testing.T) {
	want := []string{"unknown", "ok", "at_risk", "credit_due"}
	for i, st := range Statuses {
		if st.String() != want[i] {
			t.Errorf("Statuses[%d] = %q, want %q", i, st, want[i])
		}
	}
	if got := Status(9).String(); got != "status(9)" {
		t.Errorf("Status(9) = %q", got)
	}
}
