// Package collector runs sla_exporter's sources in the background, keeps what they collected (in
// memory and on disk, so a restart resumes where it stopped), and exposes the engine's results as
// Prometheus metrics. A scrape never calls a source or the engine: it reads the last results.
package collector

import (
	"context"
	"log/slog"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/slo/availability"
	"github.com/sla-exporter/sla_exporter/slo/events"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// Source pulls records from one external system (an ITSM tool, a file, a probe).
type Source interface {
	// Sync fetches what changed since checkpoint (nil on the first sync) and returns it with the
	// checkpoint to resume from next time. It must honour ctx's deadline and cancellation, and
	// must not return a partial batch with a nil error: either the batch is complete up to its
	// checkpoint, or an error says why nothing should be committed. Malformed records are not an
	// error: they go in Batch.Rejected and the rest is returned. The batch is the runner's
	// once returned: it clears a snapshot's tickets as it stores them, so a source must not
	// return tickets it keeps.
	Sync(ctx context.Context, checkpoint []byte) (Batch, error)
}

// Batch is the result of one sync.
type Batch struct {
	// Tickets are new or changed tickets; a ticket replaces the stored one with the same id.
	Tickets []ticket.Ticket
	// Uptime holds availability data per series (a service, a probe target).
	Uptime []UptimeSeries
	// Events holds good/total counts per series.
	Events []EventSeries
	// Rejected lists malformed records that were skipped, with where they were.
	Rejected []Rejection
	// Read counts the records the source read, rejected ones included (rows of a file, items of
	// a page), when that differs from the records returned (an event log's rows make fewer
	// tickets). Zero means the records returned plus the rejected ones. The runner judges the
	// batch's health by the share of what was read that was rejected.
	Read int
	// Checkpoint is opaque to everything but the source; it is persisted with the batch.
	Checkpoint []byte
	// Replace says the batch is a full snapshot (a re-read file): records of this source that
	// are not in it are dropped.
	Replace bool
	// Deleted lists the ids of tickets the source says are gone (deleted, moved out of its
	// scope): held tickets with these ids are dropped. A ticket of Tickets with one of these
	// ids is kept: what the batch brings wins.
	Deleted []string
	// Reconciled says that Present lists every ticket id the source holds now (a periodic
	// listing of the whole scope, which an incremental sync never sees shrink): held tickets
	// whose id is in neither Present nor Tickets are dropped. Like a Replace snapshot, a
	// reconciliation that would leave at most min_volume_ratio of the tickets held is refused
	// as truncated.
	Reconciled bool
	Present    []string
	// More says the source stopped early (its cap on requests per sync, or the sync's time ran
	// short) with more to fetch: when the batch moved the checkpoint, the runner syncs again
	// after MoreDelay instead of the interval.
	More bool
}

// MoreDelay is the pause before the next sync of a source whose batch said More: short, since
// the source is catching up, but not zero, so that a source that always says More cannot spin.
const MoreDelay = time.Second

// UptimeSeries is availability data for one named series.
type UptimeSeries struct {
	Series  string
	Samples []availability.Sample
	Outages []availability.Outage
	// Maintenance is what the source reports as maintenance for the series (a monitoring
	// system's maintenance periods, a status page's scheduled maintenance): removed from the
	// evaluation of every objective reading the series, like configured maintenance. A window
	// replaces the stored one with the same start, so an ongoing window is sent again longer.
	Maintenance []availability.Window
	// CoveredFrom and CoveredTo bound the time the outages describe: inside it, time not in an
	// outage was up. Unused for samples.
	CoveredFrom, CoveredTo time.Time
}

// EventSeries is good/total counts for one named series.
type EventSeries struct {
	Series  string
	Buckets []events.Bucket
}

// Rejection is a record a source skipped.
type Rejection struct {
	// Where names the record: "file.csv:17", "INC0012345", "page 3 item 12".
	Where  string
	Reason string
	// Rule, when set, is the reason without the record's own values ("column \"opened_at\" does
	// not match layout \"02-01-2006 15:04\""), so that rejections group by cause on the status
	// page and in the API. Reason is used when it is empty.
	Rule string
	// Setting, when set, is the configuration key the record does not fit, dotted from the
	// source's entry ("file.time.layout", "file.statuses"): the rejection says the settings do
	// not match the data rather than that the record is wrong, and `check` fails on it, naming
	// that key's line.
	Setting string
	// Setup marks a rejection of the source's settings rather than of a record read: a host,
	// service or SLA the configuration names that the system does not have. It is reported
	// and counted like the others, and `check` fails on it, but the health rules refusing a
	// batch weigh only records: a quiet sync that read nothing must not be refused, and its
	// source go dark, for a name in the settings.
	Setup bool
}

// Options is what every source kind's constructor receives besides its own configuration.
type Options struct {
	// Name is the source's name from the configuration.
	Name string
	// Dir is the configuration file's folder: relative paths resolve against it.
	Dir    string
	Logger *slog.Logger
	// Now is the clock; sources that generate data (demo) or compute windows use it, so tests
	// can drive time.
	Now func() time.Time
	// Requests counts HTTP requests for sla_source_requests_total: HTTP sources wrap their
	// transport with Requests.InstrumentRoundTripper(Name, rt). It may be nil (nothing counted).
	Requests *Requests
}

// Kind is one type of source: a name for the `type:` key of the configuration and a constructor
// decoding the kind's own configuration block.
type Kind struct {
	// New decodes the kind's configuration (the mapping under the key named after the kind, or
	// nil when absent) and builds the source. Configuration errors must name the field and line
	// (use DecodeStrict).
	New func(node *yaml.Node, opts Options) (Source, error)
	// Probes says that the kind's sources probe targets themselves and publish their results
	// as sla_probe_* (ProbeResult): the generated alerting rules watch their certificates.
	Probes bool
	// Live says that the kind's records describe the present and cannot be read again later
	// (probe results, status APIs that list only recent events): a change of the source's
	// settings keeps its stored records instead of replacing them with a fresh read, which
	// would lose the history for good. The source starts over from no checkpoint, adding to
	// them, and records of what it no longer reads stay as they were.
	Live bool
}
