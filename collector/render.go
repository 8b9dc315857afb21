package collector

import (
	"bytes"
	"compress/flate"
	"hash/crc32"
	"slices"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// rendering is a snapshot's series encoded once, when the snapshot is published, in every form a
// scrape of /metrics is served from: the Prometheus text format and OpenMetrics (without its
// closing "# EOF", which follows the live series), each also deflated for gzip. A scrape writes
// these bytes as they are: with 1,000 objectives it was 60-170 ms and 40 MB of allocation to turn
// the snapshot into const metrics, gather, sort and encode them at every scrape, for figures that
// change once per evaluation (issue 12).
type rendering struct {
	// names are the families' names, sorted: the live series must not repeat one.
	names []string
	// err is why the snapshot's series did not gather (two objectives publishing the same
	// series); a scrape answers 500 with it, as promhttp does.
	err error

	text, openMetrics     []byte
	textGzip, openMetGzip deflated
}

// deflated is a gzip member's body without its header and trailer: the deflate blocks of some
// data, ended by a sync flush and not final, so that the blocks of more data can follow in the
// same stream, and the CRC-32 and length the trailer needs, which more data continues.
type deflated struct {
	blocks []byte
	crc    uint32
	size   uint32
}

// newRendering gathers the snapshot's series and encodes them.
func newRendering(s *Snapshot) *rendering {
	r := &rendering{}
	reg := prometheus.NewRegistry()
	reg.MustRegister(snapshotCollector{s})
	mfs, err := reg.Gather()
	if err != nil {
		r.err = err
		return r
	}
	r.names = make([]string, len(mfs))
	var text, om bytes.Buffer
	for i, mf := range mfs {
		r.names[i] = mf.GetName()
		// Encoding into a bytes.Buffer only fails on a family the registry would have refused.
		if _, err := expfmt.MetricFamilyToText(&text, mf); err != nil {
			r.err = err
			return r
		}
		if _, err := expfmt.MetricFamilyToOpenMetrics(&om, mf); err != nil {
			r.err = err
			return r
		}
	}
	r.text, r.openMetrics = text.Bytes(), om.Bytes()
	r.textGzip = deflate(r.text, flate.DefaultCompression)
	r.openMetGzip = deflate(r.openMetrics, flate.DefaultCompression)
	return r
}

// has reports whether the snapshot publishes a family of that name.
func (r *rendering) has(name string) bool {
	_, ok := slices.BinarySearch(r.names, name)
	return ok
}

// deflate compresses b into blocks more can follow.
func deflate(b []byte, level int) deflated {
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, level)
	if err != nil {
		panic(err) // only for a level out of range
	}
	w.Write(b)
	w.Flush()
	return deflated{blocks: buf.Bytes(), crc: crc32.ChecksumIEEE(b), size: uint32(len(b))}
}

// gzipHeader is a gzip member's header without name, comment or time: deflate, unknown OS.
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}

// snapshotCollector emits a snapshot's series.
type snapshotCollector struct{ s *Snapshot }

// Describe sends nothing: see Exposition.Describe.
func (snapshotCollector) Describe(chan<- *prometheus.Desc) {}

func (c snapshotCollector) Collect(ch chan<- prometheus.Metric) { emitSnapshot(ch, c.s) }

// gatherer gathers a snapshot's series at every call, for the scrapes the rendering does not
// serve (the protobuf formats, a name[] filter).
type gatherer struct{ e *Exposition }

func (g gatherer) Gather() ([]*dto.MetricFamily, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(snapshotCollector{g.e.Snapshot()})
	return reg.Gather()
}
