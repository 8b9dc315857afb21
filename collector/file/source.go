package file

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/common/config"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
)

// Kind is the file source kind, for the table in collector/sources.
var Kind = collector.Kind{New: New}

// Source reads the files of one `file:` block, or fetches its URL.
type Source struct {
	plan     *plan
	logger   *slog.Logger
	name     string
	requests *collector.Requests
	now      func() time.Time

	// mu guards the HTTP client of a url source, built at its first sync.
	mu        sync.Mutex
	client    *http.Client
	transport http.RoundTripper // the client's, before counting requests
}

var (
	_ collector.Source = (*Source)(nil)
	_ io.Closer        = (*Source)(nil)
)

// New decodes a `file:` block strictly and validates it. It does not touch the files: a missing
// file is a Sync error, so that a configuration can be checked before its files exist. Nor does
// it connect to a url, or read the files its http_client_config names.
func New(node *yaml.Node, opts collector.Options) (collector.Source, error) {
	if node == nil {
		return nil, errors.New("the file source needs a `file:` block with at least path (or url) and columns")
	}
	cfg := Config{HTTPClientConfig: config.DefaultHTTPClientConfig}
	if err := collector.DecodeStrict(node, &cfg); err != nil {
		return nil, apisource.ScrubConfigError(node, err)
	}
	p, err := compile(node, &cfg, opts)
	if err != nil {
		return nil, apisource.ScrubConfigError(node, err)
	}
	s := &Source{plan: p, logger: opts.Logger, name: opts.Name, requests: opts.Requests, now: opts.Now}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// checkpoint is what Sync remembers of the files it read. It is JSON, so that an operator can
// read it in the store.
type checkpoint struct {
	// Config is the plan's fingerprint: another mapping re-reads the same files.
	Config string      `json:"config"`
	Files  []fileState `json:"files,omitempty"`
	// Fetch is the last fetch of a url.
	Fetch *fetchState `json:"fetch,omitempty"`
}

type fileState struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	MTime  int64  `json:"mtime_ns"`
	SHA256 string `json:"sha256"`
}

// sameStats reports whether c and cur name the same files with the same sizes and modification
// times, under the same configuration: then the files are not read at all.
func (c *checkpoint) sameStats(cur *checkpoint) bool {
	return c.Config == cur.Config && slices.EqualFunc(c.Files, cur.Files, func(a, b fileState) bool {
		return a.Path == b.Path && a.Size == b.Size && a.MTime == b.MTime
	})
}

// sameContent reports whether c and cur hold the same contents (a file touched, not changed).
func (c *checkpoint) sameContent(cur *checkpoint) bool {
	return c.Config == cur.Config && slices.EqualFunc(c.Files, cur.Files, func(a, b fileState) bool {
		return a.Path == b.Path && a.SHA256 == b.SHA256
	})
}

// parseCheckpoint reads a checkpoint; anything unreadable (another version, a corrupt store) is
// nil, which only costs a re-read.
func parseCheckpoint(data []byte) *checkpoint {
	if len(data) == 0 {
		return nil
	}
	var c checkpoint
	if err := json.Unmarshal(data, &c); err != nil || c.Config == "" {
		return nil
	}
	return &c
}

// Sync reads the files when they changed since checkpoint, and returns them whole (Replace).
//
// Unchanged files (same paths, sizes and modification times, same configuration) are not read:
// the batch is empty and keeps checkpoint. Files whose time changed but whose contents hash the
// same give an empty batch with a new checkpoint. A missing or unreadable file, a CSV header
// without a mapped column, or a JSON document that is malformed or truncated is an error, and
// nothing is returned; malformed rows are only rejected.
func (s *Source) Sync(ctx context.Context, cp []byte) (collector.Batch, error) {
	p := s.plan
	if err := ctx.Err(); err != nil {
		return collector.Batch{}, err
	}
	if p.fetch != nil {
		return s.syncURL(ctx, cp)
	}
	paths, err := p.match()
	if err != nil {
		return collector.Batch{}, err
	}
	cur := &checkpoint{Config: p.fingerprint, Files: make([]fileState, len(paths))}
	for i, path := range paths {
		fi, err := os.Stat(path)
		if err != nil {
			return collector.Batch{}, p.statError(path, err)
		}
		if fi.IsDir() {
			return collector.Batch{}, fmt.Errorf("%s is a folder, not a file", path)
		}
		cur.Files[i] = fileState{Path: path, Size: fi.Size(), MTime: fi.ModTime().UnixNano()}
	}
	prev := parseCheckpoint(cp)
	if prev != nil && prev.sameStats(cur) {
		return collector.Batch{Checkpoint: cp}, nil
	}
	names := make([]string, len(paths))
	for i, path := range paths {
		names[i] = p.display(path)
	}
	rd := newReading(p, names)
	var lastWrite time.Time
	for i, path := range paths {
		st, err := rd.readFile(ctx, i, path)
		if err != nil {
			return collector.Batch{}, err
		}
		cur.Files[i] = st
		if t := time.Unix(0, st.MTime); t.After(lastWrite) {
			lastWrite = t
		}
	}
	data, err := json.Marshal(cur)
	if err != nil {
		return collector.Batch{}, err
	}
	if prev != nil && prev.sameContent(cur) {
		s.logger.Debug("files touched but unchanged", "files", len(paths))
		return collector.Batch{Checkpoint: data}, nil
	}
	b := rd.finish(lastWrite)
	b.Checkpoint, b.Replace = data, true
	s.logger.Debug("files read", "files", len(paths), "rows", rd.rows, "tickets", len(b.Tickets),
		"uptime_series", len(b.Uptime), "event_series", len(b.Events), "rejected", len(b.Rejected))
	return b, nil
}

// match lists the files to read, sorted.
func (p *plan) match() ([]string, error) {
	if !p.glob {
		return []string{p.pattern}, nil
	}
	paths, err := filepath.Glob(p.pattern)
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no file matches %s%s", p.pattern, p.asConfigured())
	}
	return paths, nil // Glob sorts them
}

// statError words a failure to find or open the file at path, naming it in full and as the
// configuration wrote it. It wraps err's cause (fs.ErrNotExist, fs.ErrPermission ...).
func (p *plan) statError(path string, err error) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		err = pe.Err
	}
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s%s", fs.ErrNotExist, path, p.asConfigured())
	}
	return fmt.Errorf("%s%s: %w", path, p.asConfigured(), err)
}

// asConfigured is " (path: <as written>)" when the configuration wrote the path otherwise
// (relative to its folder), else "".
func (p *plan) asConfigured() string {
	if p.rawPath == "" || p.rawPath == p.pattern {
		return ""
	}
	return " (path: " + p.rawPath + ")"
}

// display is how rejections name a file: relative to the configuration's folder when inside it.
func (p *plan) display(path string) string {
	if p.dir != "" {
		if rel, err := filepath.Rel(p.dir, path); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return rel
		}
	}
	return path
}

// rowBuilder turns rows into records.
type rowBuilder interface{ add(*row) }

// rejection is a rejected record at its place.
type rejection struct {
	place
	reason, rule, setting string
}

// reading is one Sync's reading of the files.
type reading struct {
	plan  *plan
	names []string
	strs  map[string]string
	// fields are the field maps shared between tickets, by their values (see fieldMap);
	// fieldKey is fieldMap's buffer.
	fields   map[string]map[string]string
	fieldKey []byte
	b        rowBuilder
	rejects  []rejection
	rows     int
}

func newReading(p *plan, names []string) *reading {
	rd := &reading{plan: p, names: names, strs: map[string]string{}, fields: map[string]map[string]string{}}
	switch {
	case p.content == contentUptime:
		rd.b = &uptimeRows{rd: rd}
	case p.content == contentEvents:
		rd.b = &eventRows{rd: rd}
	case p.layout == layoutEventLog:
		rd.b = newLogTickets(rd)
	default:
		rd.b = newRowTickets(rd)
	}
	return rd
}

// intern returns a copy of s shared by every equal value, so that kept strings neither pin the
// file's buffers nor repeat.
func (rd *reading) intern(s string) string {
	if v, ok := rd.strs[s]; ok {
		return v
	}
	s = strings.Clone(s)
	rd.strs[s] = s
	return s
}

func (rd *reading) reject(file, line int, reason string) {
	rd.rejects = append(rd.rejects, rejection{place: place{file, line}, reason: reason})
}

// rejectRow rejects a row for its problems, keeping the cause of those due to the settings.
func (rd *reading) rejectRow(file, line int, ps problems) {
	rule, setting := ps.cause()
	rd.rejects = append(rd.rejects, rejection{place: place{file, line}, reason: ps.String(), rule: rule, setting: setting})
}

func (rd *reading) where(file, line int) string {
	return rd.names[file] + ":" + strconv.Itoa(line)
}

// cancelEvery is how many rows are read between checks of the context.
const cancelEvery = 1024

// readFile reads one file into the builder, hashing what it reads.
func (rd *reading) readFile(ctx context.Context, i int, path string) (fileState, error) {
	f, err := os.Open(path)
	if err != nil {
		return fileState{}, rd.plan.statError(path, err)
	}
	defer f.Close()
	before, err := f.Stat()
	if err != nil {
		return fileState{}, err
	}
	if before.Size() > rd.plan.maxSize {
		return fileState{}, rd.plan.errTooLarge(fmt.Sprintf("%s (%d bytes)", rd.names[i], before.Size()))
	}
	// A file growing while it is read is caught below; the bound keeps the reading to max_size
	// until then.
	sum, err := rd.readStream(ctx, i, &bodyReader{r: f, p: rd.plan, what: rd.names[i]})
	if err != nil {
		return fileState{}, err
	}
	after, err := f.Stat()
	if err != nil {
		return fileState{}, err
	}
	if after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) {
		return fileState{}, fmt.Errorf("%s changed while it was read; it is read again at the next sync", rd.names[i])
	}
	return fileState{Path: path, Size: before.Size(), MTime: before.ModTime().UnixNano(), SHA256: sum}, nil
}

// finish builds the batch from everything read.
func (rd *reading) finish(lastWrite time.Time) collector.Batch {
	// Rows read, so that the runner judges rejections against rows, not against the fewer
	// tickets an event log's rows make.
	b := collector.Batch{Read: rd.rows}
	switch bl := rd.b.(type) {
	case *rowTickets:
		b.Tickets = bl.finish()
	case *logTickets:
		b.Tickets = bl.finish()
	case *uptimeRows:
		b.Uptime = bl.finish(lastWrite)
	case *eventRows:
		b.Events = bl.finish()
	}
	slices.SortStableFunc(rd.rejects, func(a, b rejection) int {
		return cmp.Or(cmp.Compare(a.file, b.file), cmp.Compare(a.line, b.line))
	})
	for _, r := range rd.rejects {
		b.Rejected = append(b.Rejected, collector.Rejection{Where: rd.where(r.file, r.line), Reason: r.reason, Rule: r.rule, Setting: r.setting})
	}
	return b
}
