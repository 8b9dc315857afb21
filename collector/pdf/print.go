package pdf

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// DefaultTimeout bounds one print, the browser's start included.
const DefaultTimeout = time.Minute

// Options configure a Printer.
type Options struct {
	// Path is the browser to run (a file, or a name on PATH); empty looks for Names.
	Path string
	// Timeout bounds one print; zero is DefaultTimeout.
	Timeout time.Duration
	// Logger receives what the browser driver logs, at debug level; nil discards it.
	Logger *slog.Logger
}

// Printer prints HTML documents to PDF, one browser at a time: each print starts a browser
// and closes it, so that nothing lingers between reports, and a burst of requests queues
// instead of starting a browser each.
type Printer struct {
	opts Options
	sem  chan struct{}
}

// New returns a Printer. It looks for the browser only when it prints, so a daemon without
// one starts, and serves everything but PDF.
func New(o Options) *Printer {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	return &Printer{opts: o, sem: make(chan struct{}, 1)}
}

// Browser is the browser Print would run, or the error saying there is none: a command can
// refuse PDF before it does the work of a report.
func (p *Printer) Browser() (string, error) { return Find(p.opts.Path) }

// A4 paper, in inches, for a document whose CSS sets no page size.
var a4 = chromedp.PaperA4

// Print lays the HTML document out on A4 pages and returns the PDF. The document's own print
// styles decide the rest: its @page size and margins, and the page header and footer its @page
// margin boxes draw; backgrounds are printed, so coloured status cells keep their colour. The
// document is loaded as is, with scripts off and every network request blocked: a report is
// one self-contained file, and nothing in it may run or reach out while it is printed.
func (p *Printer) Print(ctx context.Context, html []byte) ([]byte, error) {
	path, err := Find(p.opts.Path)
	if err != nil {
		return nil, err
	}
	select {
	case p.sem <- struct{}{}:
		defer func() { <-p.sem }()
	case <-ctx.Done():
		return nil, fmt.Errorf("PDF: waiting for the browser: %w", ctx.Err())
	}
	ctx, cancel := context.WithTimeout(ctx, p.opts.Timeout)
	defer cancel()
	var logf func(string, ...any)
	if p.opts.Logger != nil {
		logf = func(format string, args ...any) {
			p.opts.Logger.Debug(fmt.Sprintf(format, args...), "component", "pdf")
		}
	}
	bctx, closeBrowser := NewBrowser(ctx, path, logf)
	defer closeBrowser()

	out, err := chromedp.Run(bctx, func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		if _, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			return nil, err
		}
		if _, err := cdp.Call(ctx, t, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: blockAll}); err != nil {
			return nil, err
		}
		tree, err := cdp.Call(ctx, t, page.GetFrameTree, cdp.Empty{})
		if err != nil {
			return nil, err
		}
		if _, err := cdp.Call(ctx, t, page.SetDocumentContent, page.SetDocumentContentParams{FrameID: tree.FrameTree.Frame.ID, HTML: string(html)}); err != nil {
			return nil, err
		}
		return chromedp.PrintToPDF(chromedp.PDFPaper(a4), chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground(),
			chromedp.PDFOutlineAndTagged())(ctx, t)
	})
	switch {
	case err == nil:
		return out, nil
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return nil, fmt.Errorf("PDF: %s did not print within %s: %w", path, p.opts.Timeout, ctx.Err())
	case ctx.Err() != nil:
		return nil, fmt.Errorf("PDF: printing with %s: %w", path, ctx.Err())
	default:
		return nil, fmt.Errorf("PDF: printing with %s: %w", path, err)
	}
}

// blockAll are URL patterns that match every request a document can make from about:blank.
var blockAll = []*network.BlockPattern{{URLPattern: "*://*:*/*", Block: true}, {URLPattern: "file:///*", Block: true}}
