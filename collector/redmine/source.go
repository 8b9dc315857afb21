package redmine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// Kind is the redmine source kind, for the table in collector/sources.
var Kind = collector.Kind{New: New}

// Source reads the issues of a `redmine:` block's projects.
type Source struct {
	*apisource.Source[listed]
	plan *plan
}

var (
	_ collector.Source      = (*Source)(nil)
	_ io.Closer             = (*Source)(nil)
	_ apisource.StatsSource = (*Source)(nil)
)

// New decodes a `redmine:` block strictly and validates it. It does not connect to Redmine nor
// read the files http_client_config names: a configuration can be checked before they exist.
func New(node *yaml.Node, opts collector.Options) (collector.Source, error) {
	return newSource(node, opts, apisource.Hooks{})
}

func newSource(node *yaml.Node, opts collector.Options, hooks apisource.Hooks) (*Source, error) {
	p, err := decode(node, opts)
	if err != nil {
		return nil, err
	}
	opts = apisource.WithDefaults(opts)
	a := &api{p: p, now: opts.Now}
	return &Source{Source: apisource.NewSource[listed](p.api, a, opts, hooks), plan: p}, nil
}

// parserVersion is part of the checkpoint's fingerprint: bump it when the same answers would map
// to other tickets, so that a new release reads every issue again.
const parserVersion = 1

// fingerprint identifies what the mapping depends on; a checkpoint made under another is
// dropped and every issue read again.
func (p *plan) fingerprint() string {
	fields := make([]string, len(p.fields))
	for i, f := range p.fields {
		fields[i] = p.fieldNames[i] + "=" + f.String()
	}
	b, _ := json.Marshal(struct {
		V                int
		URL              string
		Projects         []string
		Statuses         map[string]ticket.Category
		Default          ticket.Category
		Notes            bool
		ResponseStatuses map[string]bool
		Type, Group      string
		Fields           []string
	}{parserVersion, p.api.Display(), p.projects, p.statuses, p.defaultCategory, p.responseNotes, p.responseStatus,
		p.typ.String(), p.group.String(), fields})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// checkpoint is the driver's checkpoint under the fingerprint of the mapping that made it, as
// JSON so that an operator can read it in the store. The driver knows nothing of the mapping:
// this is what makes another mapping read every issue again.
type checkpoint struct {
	Config string          `json:"config"`
	Driver json.RawMessage `json:"driver,omitempty"`
}

// Sync reads the issues updated since the checkpoint (apisource.Driver): a page of the listing
// per project, then one request per issue whose updated_on moved, for its journals, and the
// statuses once when an issue is mapped. A sync with nothing changed costs one request per
// project, as long as fewer than a page of issues were updated within the overlap. Every
// reconcile_interval the ids of the projects' issues are listed, and those gone dropped.
func (s *Source) Sync(ctx context.Context, cp []byte) (collector.Batch, error) {
	fp := s.plan.fingerprint()
	var prev checkpoint
	if len(cp) == 0 || json.Unmarshal(cp, &prev) != nil || prev.Config != fp {
		prev.Driver = nil // another mapping, or the format before the driver: read everything
	}
	b, err := s.Source.Sync(ctx, prev.Driver)
	if err != nil {
		return collector.Batch{}, err
	}
	out, err := json.Marshal(checkpoint{Config: fp, Driver: b.Checkpoint})
	if err != nil {
		return collector.Batch{}, err
	}
	b.Checkpoint = out
	return b, nil
}
