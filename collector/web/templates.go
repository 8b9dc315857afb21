package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/display"
)

//go:embed templates
var templateFS embed.FS

// style and script are inlined into every page: a page is one request, with nothing to fail
// loading and no CDN.
var (
	style  = mustRead("templates/style.css")
	script = mustRead("templates/refresh.js")
)

func mustRead(name string) string {
	b, err := templateFS.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// contentSecurityPolicy lets the pages run their own inline style and script, by hash, and
// nothing else: a value that slipped through escaping still could not run a script, load
// anything or send the page elsewhere.
var contentSecurityPolicy = "default-src 'none'; style-src '" + hash(style) + "'; script-src '" + hash(script) +
	"'; connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// pageSet parses the layout with one page's templates and the sections it includes. The style
// and script are trusted constants of the binary, so they go in as CSS and JS, not as text to
// escape.
func pageSet(page string, sections ...string) *template.Template {
	files := []string{"templates/layout.html", "templates/" + page}
	for _, s := range sections {
		files = append(files, "templates/"+s)
	}
	return template.Must(template.New(page).Funcs(template.FuncMap{
		"style":  func() template.CSS { return template.CSS(style) },
		"script": func() template.JS { return template.JS(script) },
	}).ParseFS(templateFS, files...))
}

var (
	statusPage    = pageSet("status.html", "costs.html")
	objectivePage = template.Must(pageSet("objective.html").ParseFS(templateFS, "templates/escalation.html"))
	ticketsPage   = pageSet("tickets.html")
	errorPageSet  = pageSet("error.html")
)

// refreshSeconds is how often a page refetches its figures by default: the evaluation interval's order,
// without loading a large configuration's pages every few seconds.
const refreshSeconds = 60

// pageBase is what every page's layout shows.
type pageBase struct {
	Evaluated, EvaluatedISO string
	Version                 string
	Demo                    bool
	Refresh                 int
	StoreWarning            string
	// Restored: the figures are the previous process's last ones (collector.Snapshot.Restored).
	Restored bool
}

func newPageBase(o Options, snap *collector.Snapshot, loc *time.Location) pageBase {
	p := pageBase{Evaluated: display.Time(snap.At, loc), Version: o.Version, Demo: o.Demo, Refresh: refreshSeconds, Restored: snap.Restored}
	if o.RefreshSeconds > 0 {
		p.Refresh = o.RefreshSeconds
	}
	if !snap.At.IsZero() {
		p.EvaluatedISO = snap.At.UTC().Format(time.RFC3339)
	}
	if snap.Store.Configured && !snap.Store.OK {
		p.StoreWarning = "The database could not be written (" + display.Count(float64(snap.Store.Failures)) +
			" failed writes): new data is not being kept, and figures will turn no data. Check the disk under --storage.path."
	}
	return p
}

// render executes a page into a buffer first, so that a template error is a 500 and not half a
// page with a 200.
func render(w http.ResponseWriter, logger *slog.Logger, t *template.Template, status int, data any) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		if logger != nil {
			logger.Error("page does not render", "page", t.Name(), "err", err)
		}
		http.Error(w, "internal error: the page does not render", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
