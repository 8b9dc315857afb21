package rules

import (
	"fmt"
	"strings"
	"text/template/parse"
)

// templateDefs are the variables Prometheus defines before expanding an alert's labels and
// annotations (rules.AlertingRule.Eval prepends the same definitions).
const templateDefs = "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}"

// checkTemplate reports whether text parses as a Prometheus alert template, so that a broken
// runbook_url is refused when the rules are generated instead of when Prometheus loads them.
// Function names are not checked: the set differs between Prometheus versions, and a wrong one
// is for promtool check rules to report.
func checkTemplate(text string) error {
	if !strings.Contains(text, "{{") {
		return nil
	}
	t := parse.New("annotation")
	t.Mode = parse.SkipFuncCheck
	if _, err := t.Parse(templateDefs+text, "", "", map[string]*parse.Tree{}); err != nil {
		return fmt.Errorf("not a valid alert template: %w", err)
	}
	return nil
}
