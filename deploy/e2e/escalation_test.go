package e2e

import (
	"fmt"
	"testing"
	"time"
)

// TestAlertmanagerEscalation runs Alertmanager with the shipped configuration and sends it
// SLATicketsEscalated alerts as the generated rules label them: while incident-response has
// tickets at level 3, its level 1 and 2 alerts are suppressed (inhibited by level 3), and
// another objective's level 1 is not; the active ones reach the receiver their notify label
// names (team, lead, manager).
func TestAlertmanagerEscalation(t *testing.T) {
	requireTool(t, "alertmanager")
	hook := newWebhook(t)
	am := startAlertmanager(t, hook.srv.URL)

	level := func(objective string, n int, severity, notify string) map[string]string {
		return map[string]string{"alertname": "SLATicketsEscalated", "objective": objective, "service": "service-desk", "source": "desk",
			"level": fmt.Sprint(n), "escalation_level": fmt.Sprint(n), "severity": severity, "notify": notify}
	}
	l1 := level("incident-response", 1, "info", "team")
	l2 := level("incident-response", 2, "warning", "lead")
	l3 := level("incident-response", 3, "critical", "manager")
	other1 := level("incident-resolution", 1, "info", "team")
	other2 := level("incident-resolution", 2, "warning", "lead")

	// The inhibiting alert first: inhibition is decided when a notification is sent.
	endsAt := time.Now().Add(5 * time.Minute)
	postAlerts(t, am, endsAt, l3, other2)
	deadline := time.Now().Add(30 * time.Second)
	waitFor(t, deadline, 200*time.Millisecond, "the level-3 alert to be active", func() (bool, string) {
		alerts, err := amAlerts(am)
		if err != nil {
			return false, err.Error()
		}
		a, ok := findAMAlert(alerts, l3)
		return ok && a.Status.State == "active", fmt.Sprintf("%d alerts", len(alerts))
	})
	postAlerts(t, am, endsAt, l1, l2, other1)

	checkRouted(t, am, hook, deadline, []routedAlert{
		{"level 3", l3, nil, "desk-manager"},
		{"level 2 under level 3", l2, []map[string]string{l3}, "desk-lead"},
		// Alertmanager names one of the alerts inhibiting it: level 2 or 3, both higher.
		{"level 1 under levels 2 and 3", l1, []map[string]string{l2, l3}, "desk-team"},
		{"another objective's level 2", other2, nil, "desk-lead"},
		{"another objective's level 1, under its level 2", other1, []map[string]string{other2}, "desk-team"},
	})
}
