package config

import (
	"cmp"
	"errors"
	"fmt"
	"net/mail"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	commoncfg "github.com/prometheus/common/config"

	"github.com/sla-exporter/sla_exporter/collector/delivery"
	"github.com/sla-exporter/sla_exporter/slo/calendar"
)

// The reports section: scheduled deliveries of the report (collector/delivery). Its raw types,
// defaults and checks are here, apart from the rest of the file's.

// Report defaults.
const (
	DefaultReportDay    = "first_working_day"
	DefaultReportAt     = "08:00"
	DefaultReportPeriod = "previous_month"
	// DefaultSMTPPort is the submission port of STARTTLS; TLS from the first byte defaults to
	// DefaultSMTPSPort and plain SMTP to 25.
	DefaultSMTPPort  = 587
	DefaultSMTPSPort = 465
)

// DefaultReportFormats are the formats of a report that names none.
var DefaultReportFormats = []string{delivery.FormatHTML}

type rawReport struct {
	Name     string      `yaml:"name"`
	Schedule rawSchedule `yaml:"schedule"`
	Period   string      `yaml:"period"`
	Filter   rawFilter   `yaml:"filter"`
	Formats  []string    `yaml:"formats"`
	Email    *rawEmail   `yaml:"email"`
	Folder   string      `yaml:"folder"`
}

type rawSchedule struct {
	Day      string `yaml:"day"`
	At       string `yaml:"at"`
	Calendar string `yaml:"calendar"`
	Timezone string `yaml:"timezone"`
}

type rawFilter struct {
	Service  string `yaml:"service"`
	Customer string `yaml:"customer"`
	Supplier string `yaml:"supplier"`
	Contract string `yaml:"contract"`
}

type rawEmail struct {
	SMTP    rawSMTP  `yaml:"smtp"`
	From    string   `yaml:"from"`
	To      []string `yaml:"to"`
	Cc      []string `yaml:"cc"`
	Subject *string  `yaml:"subject"`
}

type rawSMTP struct {
	Host string `yaml:"host"`
	Port int    `yaml:"port"`
	// StartTLS is a pointer so that an explicit true beside tls: true is refused.
	StartTLS     *bool               `yaml:"starttls"`
	TLS          bool                `yaml:"tls"`
	Username     string              `yaml:"username"`
	PasswordFile string              `yaml:"password_file"`
	TLSConfig    commoncfg.TLSConfig `yaml:"tls_config"`
}

// reportTimeOfDay is a wall-clock time HH:MM.
var reportTimeOfDay = regexp.MustCompile(`^([01][0-9]|2[0-3]):([0-5][0-9])$`)

func (b *builder) reports(raw *rawConfig) error {
	seen := map[string]bool{}
	folders := map[string]string{}
	for i := range raw.Reports {
		rr := &raw.Reports[i]
		at := []any{"reports", i}
		field := func(f ...any) []any { return append(append([]any{}, at...), f...) }
		if err := b.checkName(rr.Name, seen, at...); err != nil {
			return err
		}
		spec := delivery.Spec{Name: rr.Name}
		var err error
		if spec.Schedule, err = b.reportSchedule(raw, rr, at); err != nil {
			return err
		}
		if spec.Filter, err = b.reportFilter(rr.Filter, field("filter")); err != nil {
			return err
		}
		if spec.Formats, err = b.reportFormats(rr.Formats, field("formats")); err != nil {
			return err
		}
		if rr.Email != nil {
			if spec.Email, err = b.reportEmail(rr.Email, field("email")); err != nil {
				return err
			}
		}
		if rr.Folder != "" {
			spec.Folder = b.reportPath(rr.Folder, at)
			if other, ok := folders[spec.Folder]; ok {
				return b.fail(fmt.Errorf("%s is the folder of report %q too: their files would overwrite each other", spec.Folder, other), field("folder")...)
			}
			folders[spec.Folder] = spec.Name
		}
		if spec.Email == nil && spec.Folder == "" {
			return b.fail(errors.New("email or folder is required: where the report goes"), at...)
		}
		b.cfg.Reports = append(b.cfg.Reports, spec)
	}
	return nil
}

// reportPath resolves a path written in the setting at path against the folder of the file
// holding it.
func (b *builder) reportPath(p string, at []any) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(b.dirOf(at...), p)
}

func (b *builder) reportSchedule(raw *rawConfig, rr *rawReport, at []any) (delivery.Schedule, error) {
	field := func(f ...any) []any { return append(append([]any{}, at...), f...) }
	rs := rr.Schedule
	var s delivery.Schedule
	var err error
	if s.Period, err = delivery.ParsePeriod(cmp.Or(rr.Period, DefaultReportPeriod)); err != nil {
		return s, b.fail(err, field("period")...)
	}
	if s.Day, err = delivery.ParseDay(cmp.Or(rs.Day, DefaultReportDay)); err != nil {
		return s, b.fail(err, field("schedule", "day")...)
	}
	clock := reportTimeOfDay.FindStringSubmatch(cmp.Or(rs.At, DefaultReportAt))
	if clock == nil {
		return s, b.fail(fmt.Errorf("%q is not a time of day HH:MM (00:00 to 23:59)", rs.At), field("schedule", "at")...)
	}
	h, _ := strconv.Atoi(clock[1]) // two digits, by the pattern
	m, _ := strconv.Atoi(clock[2])
	s.At = time.Duration(h)*time.Hour + time.Duration(m)*time.Minute
	if s.Location, err = loadLocation(rs.Timezone, b.cfg.Global.Location); err != nil {
		return s, b.fail(err, field("schedule", "timezone")...)
	}
	if rs.Calendar == "" {
		return s, nil
	}
	if s.Calendar, err = b.calendarNamed(rs.Calendar); err != nil {
		return s, b.fail(err, field("schedule", "calendar")...)
	}
	if s.Calendar == calendar.AlwaysOn {
		return s, nil // every day works, in any timezone
	}
	// A working day is a date of the calendar: the schedule takes the calendar's timezone.
	calLoc := b.cfg.Global.Location
	for _, rc := range raw.Calendars {
		if rc.Name == rs.Calendar {
			calLoc, _ = loadLocation(rc.Timezone, b.cfg.Global.Location) // checked with the calendar
		}
	}
	if rs.Timezone != "" && s.Location.String() != calLoc.String() {
		return s, b.fail(fmt.Errorf("%s is not the timezone of calendar %q (%s), whose dates decide the working days: leave timezone out",
			s.Location, rs.Calendar, calLoc), field("schedule", "timezone")...)
	}
	s.Location = calLoc
	return s, nil
}

// reportFilter checks that a filter names one thing the configuration has, so that a report
// limited to a typo is refused rather than sent empty every month.
func (b *builder) reportFilter(rf rawFilter, at []any) (delivery.Filter, error) {
	var set []delivery.Filter
	for _, f := range []delivery.Filter{{Kind: delivery.FilterService, Value: rf.Service}, {Kind: delivery.FilterCustomer, Value: rf.Customer},
		{Kind: delivery.FilterSupplier, Value: rf.Supplier}, {Kind: delivery.FilterContract, Value: rf.Contract}} {
		if f.Value != "" {
			set = append(set, f)
		}
	}
	switch len(set) {
	case 0:
		return delivery.Filter{}, nil
	case 1:
	default:
		return delivery.Filter{}, b.fail(fmt.Errorf("sets %s and %s: a report is limited to one service, customer, supplier or contract", set[0].Kind, set[1].Kind), at...)
	}
	f := set[0]
	known := map[string]bool{}
	switch f.Kind {
	case delivery.FilterService:
		for name := range b.cfg.Services {
			known[name] = true
		}
		for _, o := range b.cfg.Objectives {
			known[o.Service] = true
		}
		for _, k := range b.cfg.KPIs {
			known[k.Service] = true
		}
	case delivery.FilterContract:
		for _, c := range b.cfg.Contracts {
			known[c.Spec.Name] = true
		}
	default:
		// Customers and suppliers are labels of the objectives (their own or their service's).
		for _, o := range b.cfg.Objectives {
			if v := o.Labels[f.Kind]; v != "" {
				known[v] = true
			}
		}
	}
	if known[f.Value] {
		return f, nil
	}
	what := map[string]string{delivery.FilterService: "services", delivery.FilterContract: "contracts",
		delivery.FilterCustomer: "customer labels of the objectives", delivery.FilterSupplier: "supplier labels of the objectives"}[f.Kind]
	names := make([]string, 0, len(known))
	for k := range known {
		names = append(names, k)
	}
	sort.Strings(names)
	list := "none"
	if len(names) > 0 {
		list = strings.Join(names, ", ")
	}
	return f, b.fail(fmt.Errorf("no %s named %q (%s: %s)", f.Kind, f.Value, what, list), append(at, f.Kind)...)
}

func (b *builder) reportFormats(formats []string, at []any) ([]string, error) {
	if formats == nil {
		return slices.Clone(DefaultReportFormats), nil
	}
	if len(formats) == 0 {
		return nil, b.fail(errors.New("at least one format is required"), at...)
	}
	for j, f := range formats {
		switch {
		case !slices.Contains(delivery.Formats, f):
			return nil, b.fail(fmt.Errorf("%q is not a format (want %s)", f, strings.Join(delivery.Formats, ", ")), append(at, j)...)
		case slices.Index(formats, f) < j:
			return nil, b.fail(fmt.Errorf("%s is listed twice", f), append(at, j)...)
		}
	}
	return formats, nil
}

func (b *builder) reportEmail(re *rawEmail, at []any) (*delivery.Email, error) {
	field := func(f ...any) []any { return append(append([]any{}, at...), f...) }
	rs := re.SMTP
	e := &delivery.Email{Host: rs.Host, Port: rs.Port, TLS: rs.TLS, StartTLS: !rs.TLS, Username: rs.Username, TLSConfig: rs.TLSConfig}
	if rs.Host == "" {
		return nil, b.fail(errors.New("host is required"), field("smtp", "host")...)
	}
	if rs.StartTLS != nil {
		if *rs.StartTLS && rs.TLS {
			return nil, b.fail(errors.New("starttls and tls exclude each other: tls is TLS from the first byte (port 465), starttls upgrades a plain connection (587)"), field("smtp", "starttls")...)
		}
		e.StartTLS = *rs.StartTLS
	}
	if e.Port == 0 {
		e.Port = 25
		switch {
		case e.TLS:
			e.Port = DefaultSMTPSPort
		case e.StartTLS:
			e.Port = DefaultSMTPPort
		}
	}
	if e.Port < 1 || e.Port > 65535 {
		return nil, b.fail(fmt.Errorf("%d is not a port", e.Port), field("smtp", "port")...)
	}
	switch {
	case rs.Username != "" && rs.PasswordFile == "":
		return nil, b.fail(errors.New("password_file is required with a username"), field("smtp", "username")...)
	case rs.Username == "" && rs.PasswordFile != "":
		return nil, b.fail(errors.New("username is required with a password_file"), field("smtp", "password_file")...)
	case rs.Username != "" && !e.TLS && !e.StartTLS:
		return nil, b.fail(errors.New("the password is sent over TLS only: set starttls or tls"), field("smtp", "username")...)
	}
	if rs.PasswordFile != "" {
		// Read at each sending, never at load: a rotated password needs no reload.
		e.PasswordFile = b.reportPath(rs.PasswordFile, at)
	}
	if err := b.smtpTLS(&e.TLSConfig, field("smtp", "tls_config")); err != nil {
		return nil, err
	}
	var err error
	if re.From == "" {
		return nil, b.fail(errors.New(`from is required, e.g. "SLA reports <sla@example.org>"`), field("from")...)
	}
	if e.From, err = mailAddress(re.From); err != nil {
		return nil, b.fail(err, field("from")...)
	}
	if len(re.To) == 0 {
		return nil, b.fail(errors.New("to is required: at least one recipient"), field("to")...)
	}
	for j, s := range re.To {
		a, err := mailAddress(s)
		if err != nil {
			return nil, b.fail(err, field("to", j)...)
		}
		e.To = append(e.To, a)
	}
	for j, s := range re.Cc {
		a, err := mailAddress(s)
		if err != nil {
			return nil, b.fail(err, field("cc", j)...)
		}
		e.Cc = append(e.Cc, a)
	}
	subject := delivery.DefaultSubject
	if re.Subject != nil {
		subject = *re.Subject
	}
	if e.Subject, err = delivery.ParseSubject(subject); err != nil {
		return nil, b.fail(err, field("subject")...)
	}
	return e, nil
}

// smtpTLS checks tls_config as prometheus/common reads it, files included, with relative files
// resolved against the configuration's folder. Secret references need a secret manager the
// exporter does not have.
func (b *builder) smtpTLS(tc *commoncfg.TLSConfig, at []any) error {
	for _, ref := range []struct{ key, value string }{{"ca_ref", tc.CARef}, {"cert_ref", tc.CertRef}, {"key_ref", tc.KeyRef}} {
		if ref.value != "" {
			return b.fail(fmt.Errorf("%s is not supported: give the file (%s_file) or the text", ref.key, strings.TrimSuffix(ref.key, "_ref")), append(at, ref.key)...)
		}
	}
	tc.SetDirectory(b.dirOf(at...))
	if _, err := commoncfg.NewTLSConfig(tc); err != nil {
		return b.fail(err, at...)
	}
	return nil
}

// mailAddress reads one address, "Name <user@example.org>" or "user@example.org".
func mailAddress(s string) (*mail.Address, error) {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, fmt.Errorf("%q is not an e-mail address: %s", s, strings.TrimPrefix(err.Error(), "mail: "))
	}
	return a, nil
}
