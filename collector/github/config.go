package github

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
)

// Config is the `github:` block of a source. docs/configuration.md documents each key; keep the
// two in step.
type Config struct {
	// The API keys every API source has: url (default https://api.github.com; GitHub
	// Enterprise Server: https://HOST/api/v3), http_client_config, rate_limit, page_size,
	// max_requests_per_sync, overlap, reconcile_interval, request_timeout.
	apisource.Config `yaml:",inline"`
	// Repository is the repository whose issues are the tickets: owner/name. One source per
	// repository.
	Repository string `yaml:"repository"`
	// Labels, when set, keeps the issues that carry all of them (GitHub's labels filter): a
	// support queue in a repository of engineering issues.
	Labels []string `yaml:"labels"`
	// The label mapping: priority_label, default_priority, type_label, default_type (default
	// issue), group_label, default_group, field_labels, paused_labels.
	apisource.LabelMapping `yaml:",inline"`
	// CancelledReasons are the state_reason values of a closing that cancels the ticket
	// rather than closing it (its clocks end cancelled, neither met nor breached). Default:
	// not_planned and duplicate.
	CancelledReasons []string `yaml:"cancelled_reasons"`
	// Responders, when set, are the author_association values (OWNER, MEMBER, COLLABORATOR
	// ...) whose comments count as the first response; unset, any comment by someone other
	// than the author does.
	Responders []string `yaml:"responders"`
	// BotResponses counts comments by bots (an auto-reply) as responses. Default false.
	BotResponses bool `yaml:"bot_responses"`
}

// defaults are GitHub's: api.github.com, pages of at most 100, and a client-side limit under
// the 5,000 requests an hour of a token (rate-limits-for-the-rest-api) so that other users of
// the token keep some.
var defaults = apisource.Defaults{
	URL:                "https://api.github.com",
	PageSize:           100,
	MaxPageSize:        100,
	RateLimit:          apisource.RateLimit{Requests: 4000, Per: model.Duration(time.Hour), Burst: 10},
	MaxRequestsPerSync: 1000,
	Overlap:            5 * time.Minute,
	Reconcile:          24 * time.Hour,
	RequestTimeout:     30 * time.Second,
	Credentials:        "http_client_config.authorization (type: Bearer, credentials_file: a file holding the token)",
}

// repoPattern is an owner/name: GitHub's names are letters, digits, '-', '_' and '.'.
var repoPattern = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?/[A-Za-z0-9._-]+$`)

// associations are GitHub's author_association values.
var associations = []string{"COLLABORATOR", "CONTRIBUTOR", "FIRST_TIMER", "FIRST_TIME_CONTRIBUTOR", "MANNEQUIN", "MEMBER", "NONE", "OWNER"}

// stateReasons are the state_reason values of a closed issue.
var stateReasons = []string{"completed", "not_planned", "duplicate"}

// settings is a Config checked.
type settings struct {
	api        *apisource.Settings
	repo       string
	labels     []string
	mapping    *apisource.Labels
	cancelled  []string
	responders []string
	bots       bool
}

func compile(node *yaml.Node, opts collector.Options) (*settings, error) {
	if node == nil {
		return nil, errors.New("the github source needs a `github:` block with at least repository")
	}
	cfg := Config{Config: apisource.Config{HTTPClientConfig: config.DefaultHTTPClientConfig}}
	if err := collector.DecodeStrict(node, &cfg); err != nil {
		return nil, err
	}
	api, err := apisource.Compile(node, &cfg.Config, defaults, "github", opts)
	if err != nil {
		return nil, err
	}
	s := &settings{api: api, repo: strings.TrimSpace(cfg.Repository), bots: cfg.BotResponses}
	switch {
	case s.repo == "":
		return nil, apisource.Fail(node, []string{"repository"}, "is required: owner/name, as in github.com/owner/name")
	case !repoPattern.MatchString(s.repo):
		return nil, apisource.Fail(node, []string{"repository"}, "%q is not owner/name", s.repo)
	}
	for i, l := range cfg.Labels {
		if strings.TrimSpace(l) == "" || strings.Contains(l, ",") {
			return nil, apisource.Fail(node, []string{"labels"}, "label %d is empty or holds a comma, which the labels filter cannot take", i+1)
		}
	}
	s.labels = cfg.Labels
	if cfg.DefaultType == "" {
		cfg.DefaultType = "issue"
	}
	if s.mapping, err = cfg.LabelMapping.Compile(node); err != nil {
		return nil, err
	}
	s.cancelled = []string{"not_planned", "duplicate"}
	if cfg.CancelledReasons != nil {
		s.cancelled = nil
		for _, r := range cfg.CancelledReasons {
			r = strings.ToLower(strings.TrimSpace(r))
			if !slices.Contains(stateReasons, r) {
				return nil, apisource.Fail(node, []string{"cancelled_reasons"}, "%q is not a state_reason of a closed issue (%s)", r, strings.Join(stateReasons, ", "))
			}
			s.cancelled = append(s.cancelled, r)
		}
	}
	for _, r := range cfg.Responders {
		r = strings.ToUpper(strings.TrimSpace(r))
		if !slices.Contains(associations, r) {
			return nil, apisource.Fail(node, []string{"responders"}, "%q is not an author_association (%s)", r, strings.Join(associations, ", "))
		}
		s.responders = append(s.responders, r)
	}
	return s, nil
}
