package gitlab

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
)

// Config is the `gitlab:` block of a source. docs/configuration.md documents each key; keep the
// two in step.
type Config struct {
	// The API keys every API source has: url (default https://gitlab.com/api/v4; a
	// self-managed instance: https://HOST/api/v4), http_client_config, rate_limit, page_size,
	// max_requests_per_sync, overlap, reconcile_interval, request_timeout.
	apisource.Config `yaml:",inline"`
	// Project is the project whose issues are the tickets: its path (group/subgroup/name) or
	// its numeric id. One source per project.
	Project string `yaml:"project"`
	// Labels, when set, keeps the issues that carry all of them.
	Labels []string `yaml:"labels"`
	// IssueTypes are the issue types kept: issue, incident, test_case, task. Default: issue
	// and incident.
	IssueTypes []string `yaml:"issue_types"`
	// The label mapping: priority_label, default_priority, type_label, default_type, group_label,
	// default_group, field_labels, paused_labels. The type defaults to the issue type.
	apisource.LabelMapping `yaml:",inline"`
	// SeverityPriorities gives the priority of an incident no priority label gives one, by its
	// severity: {CRITICAL: P1, HIGH: P2, MEDIUM: P3, LOW: P4}.
	SeverityPriorities map[string]string `yaml:"severity_priorities"`
	// InternalNotesRespond counts internal notes (visible to members only) as responses.
	// Default false: the reporter does not see them.
	InternalNotesRespond bool `yaml:"internal_notes_respond"`
	// BotResponses counts notes by bot users as responses. Default false.
	BotResponses bool `yaml:"bot_responses"`
}

// defaults are GitLab.com's: pages of at most 100, and a client-side limit well under the 2,000
// authenticated API requests a minute GitLab.com allows a user.
var defaults = apisource.Defaults{
	URL:                "https://gitlab.com/api/v4",
	PageSize:           100,
	MaxPageSize:        100,
	RateLimit:          apisource.RateLimit{Requests: 600, Per: model.Duration(time.Minute), Burst: 10},
	MaxRequestsPerSync: 1000,
	Overlap:            5 * time.Minute,
	Reconcile:          24 * time.Hour,
	RequestTimeout:     30 * time.Second,
	Credentials:        "http_client_config.http_headers (PRIVATE-TOKEN: {files: [a file holding the token]}) or authorization (type: Bearer)",
}

var (
	issueTypes = []string{"issue", "incident", "test_case", "task"}
	severities = []string{"UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"}
)

// settings is a Config checked.
type settings struct {
	api        *apisource.Settings
	project    string
	labels     []string
	types      []string
	mapping    *apisource.Labels
	severity   map[string]string
	internal   bool
	bots       bool
	needLabels bool // paused labels are configured: label events are read
}

func compile(node *yaml.Node, opts collector.Options) (*settings, error) {
	if node == nil {
		return nil, errors.New("the gitlab source needs a `gitlab:` block with at least project")
	}
	cfg := Config{Config: apisource.Config{HTTPClientConfig: config.DefaultHTTPClientConfig}}
	if err := collector.DecodeStrict(node, &cfg); err != nil {
		return nil, err
	}
	api, err := apisource.Compile(node, &cfg.Config, defaults, "gitlab", opts)
	if err != nil {
		return nil, err
	}
	s := &settings{api: api, project: strings.Trim(strings.TrimSpace(cfg.Project), "/"), internal: cfg.InternalNotesRespond, bots: cfg.BotResponses}
	if s.project == "" {
		return nil, apisource.Fail(node, []string{"project"}, "is required: the project's path (group/name) or numeric id")
	}
	for i, l := range cfg.Labels {
		if strings.TrimSpace(l) == "" || strings.Contains(l, ",") {
			return nil, apisource.Fail(node, []string{"labels"}, "label %d is empty or holds a comma, which the labels filter cannot take", i+1)
		}
	}
	s.labels = cfg.Labels
	s.types = []string{"issue", "incident"}
	if cfg.IssueTypes != nil {
		s.types = nil
		for _, t := range cfg.IssueTypes {
			t = strings.ToLower(strings.TrimSpace(t))
			if !slices.Contains(issueTypes, t) {
				return nil, apisource.Fail(node, []string{"issue_types"}, "%q is not an issue type (%s)", t, strings.Join(issueTypes, ", "))
			}
			s.types = append(s.types, t)
		}
		if len(s.types) == 0 {
			return nil, apisource.Fail(node, []string{"issue_types"}, "is empty: no issue would be read")
		}
	}
	if s.mapping, err = cfg.LabelMapping.Compile(node); err != nil {
		return nil, err
	}
	s.needLabels = len(cfg.PausedLabels) > 0
	s.severity = map[string]string{}
	for _, sev := range slices.Sorted(maps.Keys(cfg.SeverityPriorities)) {
		up := strings.ToUpper(strings.TrimSpace(sev))
		if !slices.Contains(severities, up) {
			return nil, apisource.Fail(node, []string{"severity_priorities", sev}, "%q is not a severity (%s)", sev, strings.Join(severities, ", "))
		}
		s.severity[up] = cfg.SeverityPriorities[sev]
	}
	return s, nil
}
