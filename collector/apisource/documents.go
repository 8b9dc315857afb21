package apisource

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
)

// DocumentConfig is the block of a kind that reads a few documents of an HTTP API on each sync
// (a status page's JSON: statuspage, gatus, uptime_kuma) rather than an "updated since" listing
// of tickets: Config's url, http_client_config, rate_limit and request_timeout, without the
// paging, overlap and reconciliation keys that mean nothing there. A kind embeds it with
// `yaml:",inline"`.
type DocumentConfig struct {
	// URL is the server's base URL (a status page's address); credentials never go in it.
	URL string `yaml:"url"`
	// HTTPClientConfig is how the server is called (basic_auth in front of a self-hosted
	// dashboard, tls_config ...).
	HTTPClientConfig config.HTTPClientConfig `yaml:"http_client_config"`
	// RateLimit is the client-side limit on requests.
	RateLimit RateLimit `yaml:"rate_limit"`
	// RequestTimeout bounds each request, the body read included.
	RequestTimeout model.Duration `yaml:"request_timeout"`
}

// CompileDocuments checks cfg as Compile does, with d's page size and request cap (which the
// kind sets for what it reads in one sync).
func CompileDocuments(node *yaml.Node, cfg *DocumentConfig, d Defaults, kind string, opts collector.Options) (*Settings, error) {
	full := Config{URL: cfg.URL, HTTPClientConfig: cfg.HTTPClientConfig, RateLimit: cfg.RateLimit, RequestTimeout: cfg.RequestTimeout}
	return Compile(node, &full, d, kind, opts)
}

// DefaultDocumentConfig is a DocumentConfig with prometheus/common's client defaults (redirects
// followed, HTTP/2 on), to decode a block into.
func DefaultDocumentConfig() DocumentConfig {
	return DocumentConfig{HTTPClientConfig: config.DefaultHTTPClientConfig}
}

// SyncError is the error of a sync of a kind that needs every document it reads for a sound
// batch, so that it returns nothing rather than part of them: err names the source; a stop on
// the server's rate limit becomes a collector.RetryAfterError, so that the runner waits until
// the limit resets; any other stop (the request cap, the sync's time) is a failure like another.
// A done context's error stays wrapped, as the Source contract asks.
func (s *Settings) SyncError(ctx context.Context, now time.Time, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		err = fmt.Errorf("%w (%v)", cerr, err)
	}
	wrapped := fmt.Errorf("%s source %q: %w", s.Kind, s.Name, err)
	if stop, ok := errors.AsType[*StopError](err); ok && !stop.RetryAt.IsZero() {
		return &collector.RetryAfterError{After: max(stop.RetryAt.Sub(now), time.Second), Err: wrapped}
	}
	return wrapped
}

// Listed is one thing a status API lists (a component, an endpoint, a monitor), as a selector
// names it.
type Listed struct {
	ID, Name string
}

// Pick resolves selectors, each an item's name or id as the configuration lists them, to the
// items of the listing, returning for each series its name and the item's index: a selected
// item's series is named by its selector as written, so that renaming it on the server does not
// rename the series behind an objective's back. With no selector, every item is picked, its
// series named by its name, and two items of one name are an error (the series would be one).
// noun names the items in errors ("component"); a selector matching nothing, or more than one
// item, is an error naming it and the names the listing has.
func Pick(noun string, selectors []string, items []Listed) (series []string, index []int, err error) {
	if len(selectors) == 0 {
		seen := map[string]int{}
		for i, it := range items {
			if j, dup := seen[it.Name]; dup {
				return nil, nil, fmt.Errorf("two %ss are named %q (ids %s and %s): list the ones to read by id, each a series named by its id",
					noun, it.Name, items[j].ID, it.ID)
			}
			seen[it.Name] = i
			series = append(series, it.Name)
			index = append(index, i)
		}
		return series, index, nil
	}
	for _, sel := range selectors {
		var hits []int
		for i, it := range items {
			if it.Name == sel || it.ID == sel {
				hits = append(hits, i)
			}
		}
		switch len(hits) {
		case 0:
			return nil, nil, fmt.Errorf("%s %q is not listed (gone, renamed, or not public?); the listing has %s", noun, sel, nameList(items))
		case 1:
			series = append(series, sel)
			index = append(index, hits[0])
		default:
			ids := make([]string, len(hits))
			for k, i := range hits {
				ids[k] = items[i].ID
			}
			return nil, nil, fmt.Errorf("%s %q names %d %ss (ids %s): select one by its id", noun, sel, len(hits), noun, strings.Join(ids, ", "))
		}
	}
	return series, index, nil
}

// maxNames bounds the names an error lists.
const maxNames = 20

// nameList quotes the items' names, sorted, the first maxNames of them.
func nameList(items []Listed) string {
	if len(items) == 0 {
		return "none"
	}
	names := make([]string, len(items))
	for i, it := range items {
		names[i] = fmt.Sprintf("%q", it.Name)
	}
	slices.Sort(names)
	if len(names) > maxNames {
		return strings.Join(names[:maxNames], ", ") + fmt.Sprintf(" and %d more", len(names)-maxNames)
	}
	return strings.Join(names, ", ")
}

// CheckSelectors reports a configuration's list of selectors (key) holding an empty or repeated
// one, positioned at the key.
func CheckSelectors(node *yaml.Node, key string, selectors []string) error {
	seen := map[string]bool{}
	for i, s := range selectors {
		switch {
		case strings.TrimSpace(s) == "":
			return &ConfigError{Line: collector.LineOf(node, key, i), Field: key, Err: fmt.Errorf("entry %d is empty", i+1)}
		case seen[s]:
			return &ConfigError{Line: collector.LineOf(node, key, i), Field: key, Err: fmt.Errorf("%q is listed twice", s)}
		}
		seen[s] = true
	}
	return nil
}
