// Package report builds the service report a manager reads at month end, and renders it.
//
// Build reads the configuration, the collected data and the frozen periods through a Source
// (the evaluator) and returns a Report: the model every renderer lays out, so that a figure in
// the HTML, the CSV and the JSON is one and the same. A past period's attainment is its frozen
// result when the objective's periods are cut as the report's; otherwise the records still held
// are evaluated with the engine over the period. A figure that is not final (the period is in
// progress, the source has not synced since it ended, records are missing, probes cover less
// than all of it) is marked incomplete with the reason, never shown as final.
//
// Render writes a report as JSON, as CSV tables (a zip, or files in a folder with WriteCSVDir),
// or as one self-contained HTML file for people and for print; RenderPDF prints that HTML to
// PDF with a Printer (package pdf drives the installed Chromium).
package report
