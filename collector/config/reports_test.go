package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector/delivery"
)

// reportsBase is base with a customer label and a report; line 21 is "reports:".
const reportsBase = base + `    labels: {customer: acme}
reports:
  - name: monthly-management
    schedule: {day: first_working_day, at: "08:00", calendar: office}
    period: previous_month
    filter: {service: desk}
    formats: [html, pdf, csv]
    email:
      smtp: {host: smtp.example.org, port: 587, username: reports, password_file: smtp.pass}
      from: "SLA reports <sla@example.org>"
      to: [cio@example.org]
      cc: ["Service Desk <desk@example.org>"]
      subject: "Service report {{ .Period }}"
    folder: reports
`

// reportSummary is what a test compares of a delivery.Spec: its templates and calendars are
// compared through what they produce.
type reportSummary struct {
	Name, Schedule, Location string
	Filter                   delivery.Filter
	Formats                  []string
	Email                    *emailSummary
	Folder                   string
}

type emailSummary struct {
	Host                   string
	Port                   int
	TLS, StartTLS          bool
	Username, PasswordFile string
	CAFile                 string
	From                   string
	To, Cc                 []string
}

func summarize(s delivery.Spec) reportSummary {
	r := reportSummary{Name: s.Name, Schedule: s.Schedule.String(), Location: s.Schedule.Location.String(), Filter: s.Filter, Formats: s.Formats, Folder: s.Folder}
	if e := s.Email; e != nil {
		r.Email = &emailSummary{Host: e.Host, Port: e.Port, TLS: e.TLS, StartTLS: e.StartTLS, Username: e.Username, PasswordFile: e.PasswordFile,
			CAFile: e.TLSConfig.CAFile, From: e.From.String()}
		for _, a := range e.To {
			r.Email.To = append(r.Email.To, a.String())
		}
		for _, a := range e.Cc {
			r.Email.Cc = append(r.Email.Cc, a.String())
		}
	}
	return r
}

func TestLoadReports(t *testing.T) {
	dir := t.TempDir()
	cfg, err := Load([]byte(reportsBase+`  - name: defaults
    folder: /var/lib/sla/quarterly
  - name: acme-quarterly
    schedule: {day: 1, at: "06:30", timezone: UTC}
    period: previous_quarter
    filter: {customer: acme}
    email:
      smtp: {host: mail.example.org, tls: true}
      from: sla@example.org
      to: [acme@example.org]
`), "test.yml", dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []reportSummary
	for _, s := range cfg.Reports {
		got = append(got, summarize(s))
	}
	want := []reportSummary{
		{Name: "monthly-management", Schedule: "previous_month day first_working_day at 08:00 Europe/Rome calendar office", Location: "Europe/Rome",
			Filter: delivery.Filter{Kind: "service", Value: "desk"}, Formats: []string{"html", "pdf", "csv"}, Folder: filepath.Join(dir, "reports"),
			Email: &emailSummary{Host: "smtp.example.org", Port: 587, StartTLS: true, Username: "reports", PasswordFile: filepath.Join(dir, "smtp.pass"),
				From: `"SLA reports" <sla@example.org>`, To: []string{"<cio@example.org>"}, Cc: []string{`"Service Desk" <desk@example.org>`}}},
		// Defaults: the first working day (Monday to Friday without a calendar) at 08:00 in
		// global.timezone, the previous month, HTML.
		{Name: "defaults", Schedule: "previous_month day first_working_day at 08:00 Europe/Rome", Location: "Europe/Rome",
			Formats: []string{"html"}, Folder: "/var/lib/sla/quarterly"},
		// tls: true is port 465 without STARTTLS; no username, no password.
		{Name: "acme-quarterly", Schedule: "previous_quarter day 1 at 06:30 UTC", Location: "UTC",
			Filter: delivery.Filter{Kind: "customer", Value: "acme"}, Formats: []string{"html"},
			Email: &emailSummary{Host: "mail.example.org", Port: 465, TLS: true, From: "<sla@example.org>", To: []string{"<acme@example.org>"}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reports (-want +got):\n%s", diff)
	}
	// The first working day of January 2027 in the office calendar of base (12-25 and
	// 2026-12-24 off, 1 January working): Friday 1 January at 08:00 CET, 07:00 UTC.
	if next := cfg.Reports[0].Schedule.Next(time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC)); !next.Equal(time.Date(2027, 1, 1, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("next due %s", next)
	}
}

func TestLoadReportErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		old, new string
		want     string
	}{
		{"bad placeholder", `subject: "Service report {{ .Period }}"`, `subject: "Service report {{ .Perod }}"`,
			"test.yml:32: reports[0].email.subject: {{ .Perod }} is not a field of the subject (fields: .Report, .Period, .Start, .End, .Last, .Filter)"},
		{"unclosed placeholder", `subject: "Service report {{ .Period }}"`, `subject: "Service report {{ .Period"`,
			"test.yml:32: reports[0].email.subject: 1: unclosed action"},
		{"password in the file", "password_file: smtp.pass}", "password: hunter2}",
			"test.yml:28: reports[0].email.smtp.password: unknown field (known: host, port, starttls, tls, username, password_file, tls_config)"},
		{"unknown key", "    folder: reports", "    fodler: reports",
			"test.yml:33: reports[0].fodler: unknown field (known: name, schedule, period, filter, formats, email, folder)"},
		{"day 31", "day: first_working_day", "day: 31",
			"test.yml:23: reports[0].schedule.day: day 31 is not between 1 and 28 (every month has those; use last_day for the end of the month)"},
		{"bad time", `at: "08:00"`, `at: "8am"`,
			`test.yml:23: reports[0].schedule.at: "8am" is not a time of day HH:MM (00:00 to 23:59)`},
		{"unknown calendar", "calendar: office}", "calendar: offfice}",
			`test.yml:23: reports[0].schedule.calendar: no calendar named "offfice"`},
		{"timezone beside the calendar's", "calendar: office}", "calendar: office, timezone: UTC}",
			`test.yml:23: reports[0].schedule.timezone: UTC is not the timezone of calendar "office" (Europe/Rome), whose dates decide the working days: leave timezone out`},
		{"period", "period: previous_month", "period: month",
			`test.yml:24: reports[0].period: "month" is not a report period (want previous_month or previous_quarter)`},
		{"filter naming nothing", "filter: {service: desk}", "filter: {service: dsk}",
			`test.yml:25: reports[0].filter.service: no service named "dsk" (services: desk)`},
		{"customer naming nothing", "filter: {service: desk}", "filter: {customer: globex}",
			`test.yml:25: reports[0].filter.customer: no customer named "globex" (customer labels of the objectives: acme)`},
		{"no contract", "filter: {service: desk}", "filter: {contract: acme}",
			`test.yml:25: reports[0].filter.contract: no contract named "acme" (contracts: none)`},
		{"two filters", "filter: {service: desk}", "filter: {service: desk, customer: acme}",
			"test.yml:25: reports[0].filter: sets service and customer: a report is limited to one service, customer, supplier or contract"},
		{"unknown format", "formats: [html, pdf, csv]", "formats: [html, docx]",
			`test.yml:26: reports[0].formats[1]: "docx" is not a format (want html, pdf, csv, json)`},
		{"format twice", "formats: [html, pdf, csv]", "formats: [pdf, pdf]",
			"test.yml:26: reports[0].formats[1]: pdf is listed twice"},
		{"no formats", "formats: [html, pdf, csv]", "formats: []",
			"test.yml:26: reports[0].formats: at least one format is required"},
		{"starttls and tls", "port: 587,", "tls: true, starttls: true,",
			"test.yml:28: reports[0].email.smtp.starttls: starttls and tls exclude each other: tls is TLS from the first byte (port 465), starttls upgrades a plain connection (587)"},
		{"password in clear", "port: 587,", "starttls: false,",
			"test.yml:28: reports[0].email.smtp.username: the password is sent over TLS only: set starttls or tls"},
		{"username without password", ", password_file: smtp.pass}", "}",
			"test.yml:28: reports[0].email.smtp.username: password_file is required with a username"},
		{"no host", "host: smtp.example.org, ", "",
			"test.yml:28: reports[0].email.smtp.host: host is required"},
		{"bad port", "port: 587", "port: 70000",
			"test.yml:28: reports[0].email.smtp.port: 70000 is not a port"},
		{"secret reference", "password_file: smtp.pass}", "password_file: smtp.pass, tls_config: {ca_ref: vault}}",
			"test.yml:28: reports[0].email.smtp.tls_config.ca_ref: ca_ref is not supported: give the file (ca_file) or the text"},
		{"missing CA file", "password_file: smtp.pass}", "password_file: smtp.pass, tls_config: {ca_file: ca.pem}}",
			"test.yml:28: reports[0].email.smtp.tls_config: unable to read CA cert: unable to read file DIR/ca.pem: open DIR/ca.pem: no such file or directory"},
		{"bad from", `from: "SLA reports <sla@example.org>"`, `from: "SLA reports"`,
			`test.yml:29: reports[0].email.from: "SLA reports" is not an e-mail address: no angle-addr`},
		{"no recipient", "to: [cio@example.org]", "to: []",
			"test.yml:30: reports[0].email.to: to is required: at least one recipient"},
		{"bad cc", `cc: ["Service Desk <desk@example.org>"]`, `cc: [ok@example.org, "desk at example"]`,
			`test.yml:31: reports[0].email.cc[1]: "desk at example" is not an e-mail address: no angle-addr`},
		{"nowhere to go", "    email:\n", "    emails:\n",
			"test.yml:27: reports[0].emails: unknown field (known: name, schedule, period, filter, formats, email, folder)"},
		{"no destination", reportsBase[strings.Index(reportsBase, "    email:\n"):], "",
			"test.yml:22: reports[0]: email or folder is required: where the report goes"},
		{"same folder twice", "    folder: reports\n", "    folder: reports\n  - {name: again, folder: ./reports}\n",
			`test.yml:34: reports[1].folder: DIR/reports is the folder of report "monthly-management" too: their files would overwrite each other`},
		{"duplicate name", "    folder: reports\n", "    folder: reports\n  - {name: monthly-management, folder: other}\n",
			`test.yml:34: reports[1].name: "monthly-management" is used twice: first at test.yml:22`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(reportsBase, tc.old) {
				t.Fatalf("reportsBase has no %q", tc.old)
			}
			dir := t.TempDir()
			text := strings.Replace(reportsBase, tc.old, tc.new, 1)
			_, err := Load([]byte(text), "test.yml", dir)
			want := strings.ReplaceAll(tc.want, "DIR", dir)
			if err == nil || err.Error() != want {
				t.Errorf("error\n got: %v\nwant: %s", err, want)
			}
		})
	}
}
