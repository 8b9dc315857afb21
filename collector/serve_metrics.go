package collector

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// HandlerOpts configure Exposition.Handler.
type HandlerOpts struct {
	// Live is gathered at every scrape and served after the snapshot's series: the process and
	// Go collectors, Exposition.Live, the HTTP counters. It must not hold the Exposition itself.
	Live prometheus.Gatherer
	// Registry, when set, gets promhttp_metric_handler_errors_total, as promhttp's handler
	// registers it.
	Registry prometheus.Registerer
	// ErrorLog, when set, receives gathering and encoding errors.
	ErrorLog promhttp.Logger
}

// Handler serves /metrics: the current snapshot's series from the bytes Set encoded, then the
// live series gathered and encoded for the scrape, in the format promhttp would negotiate
// (OpenMetrics enabled) and gzipped when the client accepts it. The formats the rendering does
// not hold (the protobuf ones, OpenMetrics 2.0) and a name[] filter are served by promhttp
// over the snapshot gathered anew, at the cost of every scrape before the rendering.
func (e *Exposition) Handler(o HandlerOpts) http.Handler {
	h := &metricsHandler{e: e, o: o}
	h.slow = promhttp.HandlerFor(prometheus.Gatherers{e.Gatherer(), o.Live},
		promhttp.HandlerOpts{Registry: o.Registry, EnableOpenMetrics: true, ErrorLog: o.ErrorLog})
	// The same counter promhttp registers, found again in the registry so both paths count.
	h.errors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "promhttp_metric_handler_errors_total",
		Help: "Total number of internal errors encountered by the promhttp metric handler.",
	}, []string{"cause"})
	if o.Registry != nil {
		if err := o.Registry.Register(h.errors); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				panic(err)
			}
			h.errors = are.ExistingCollector.(*prometheus.CounterVec)
		}
	}
	return h
}

type metricsHandler struct {
	e      *Exposition
	o      HandlerOpts
	slow   http.Handler
	errors *prometheus.CounterVec
}

// buffers hold the live series of a scrape; flaters compress them. Pooled, since a flate writer
// is some hundreds of kilobytes, more than everything else a scrape allocates.
var (
	buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}
	flaters = sync.Pool{New: func() any {
		w, _ := flate.NewWriter(nil, flate.BestSpeed)
		return w
	}}
)

func (h *metricsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL != nil && len(r.URL.Query()["name[]"]) > 0 {
		h.slow.ServeHTTP(w, r)
		return
	}
	format := expfmt.NegotiateAccept(r.Header, expfmt.DefaultOpenMetricsAcceptedFormats()...)
	openMetrics := false
	switch format.FormatType() {
	case expfmt.TypeTextPlain:
	case expfmt.TypeOpenMetrics:
		if format.Version() == expfmt.OpenMetricsVersion_2_0_0 {
			h.slow.ServeHTTP(w, r)
			return
		}
		openMetrics = true
	default:
		h.slow.ServeHTTP(w, r)
		return
	}

	p := h.e.cur.Load()
	if p.r.err != nil {
		h.fail(w, "gathering", fmt.Errorf("error gathering metrics: %w", p.r.err))
		return
	}
	mfs, err := h.o.Live.Gather()
	if err != nil {
		h.fail(w, "gathering", fmt.Errorf("error gathering metrics: %w", err))
		return
	}
	buf := buffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer buffers.Put(buf)
	for _, mf := range mfs {
		if p.r.has(mf.GetName()) {
			// A second HELP and TYPE of a name would make the whole scrape invalid.
			h.log(fmt.Errorf("live series %s left out: the snapshot publishes that name (is the Exposition registered in the live registry?)", mf.GetName()))
			h.errors.WithLabelValues("encoding").Inc()
			continue
		}
		if err := encodeFamily(buf, mf, openMetrics); err != nil {
			h.fail(w, "encoding", fmt.Errorf("error encoding metric family: %w", err))
			return
		}
	}
	cached, gz := p.r.text, p.r.textGzip
	if openMetrics {
		expfmt.FinalizeOpenMetrics(buf)
		cached, gz = p.r.openMetrics, p.r.openMetGzip
	}

	hdr := w.Header()
	hdr.Add("Vary", "Accept")
	hdr.Add("Vary", "Accept-Encoding")
	hdr.Set("Content-Type", string(format))
	if !acceptsGzip(r.Header.Get("Accept-Encoding")) {
		hdr.Set("Content-Length", strconv.Itoa(len(cached)+buf.Len()))
		w.Write(cached)
		w.Write(buf.Bytes())
		return
	}
	hdr.Set("Content-Encoding", "gzip")
	writeGzip(w, gz, buf.Bytes())
}

// writeGzip writes one gzip member holding the rendering's data followed by more: the cached
// deflate blocks, more's blocks compressed now (the last one final), and a trailer whose CRC-32
// continues the cached one. One member rather than two concatenated, which not every client
// reads past the first of.
func writeGzip(w http.ResponseWriter, gz deflated, more []byte) {
	w.Write(gzipHeader)
	w.Write(gz.blocks)
	fw := flaters.Get().(*flate.Writer)
	fw.Reset(w)
	fw.Write(more)
	fw.Close()
	flaters.Put(fw)
	var trailer [8]byte
	binary.LittleEndian.PutUint32(trailer[:4], crc32.Update(gz.crc, crc32.IEEETable, more))
	binary.LittleEndian.PutUint32(trailer[4:], gz.size+uint32(len(more)))
	w.Write(trailer[:])
}

func encodeFamily(buf *bytes.Buffer, mf *dto.MetricFamily, openMetrics bool) error {
	var err error
	if openMetrics {
		_, err = expfmt.MetricFamilyToOpenMetrics(buf, mf)
	} else {
		_, err = expfmt.MetricFamilyToText(buf, mf)
	}
	return err
}

// fail answers 500, as promhttp does with HTTPErrorOnError: a scrape either has every series or
// fails, rather than pass for a complete one.
func (h *metricsHandler) fail(w http.ResponseWriter, cause string, err error) {
	h.log(err)
	h.errors.WithLabelValues(cause).Inc()
	http.Error(w, "An error has occurred while serving metrics:\n\n"+err.Error(), http.StatusInternalServerError)
}

func (h *metricsHandler) log(err error) {
	if h.o.ErrorLog != nil {
		h.o.ErrorLog.Println(err)
	}
}

// acceptsGzip reports whether an Accept-Encoding header takes gzip, named or through "*", with
// a quality above zero and not below identity's when identity is named.
func acceptsGzip(header string) bool {
	if header == "" {
		return false
	}
	gzipQ, starQ, identityQ := -1.0, -1.0, -1.0
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				} else {
					q = 0
				}
			}
		}
		switch strings.ToLower(strings.TrimSpace(coding)) {
		case "gzip", "x-gzip":
			gzipQ = q
		case "*":
			starQ = q
		case "identity":
			identityQ = q
		}
	}
	if gzipQ < 0 {
		gzipQ = starQ
	}
	return gzipQ > 0 && gzipQ >= identityQ
}
