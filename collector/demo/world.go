package demo

import (
	"fmt"
	"sync"
	"time"
	_ "time/tzdata" // the demo must run in a scratch container with no zoneinfo

	"github.com/sla-exporter/sla_exporter/slo/calendar"
	"github.com/sla-exporter/sla_exporter/slo/period"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// Names of the demo world, for the built-in demo configuration to refer to.
const (
	// Timezone is the organization's time zone: business hours, days and maintenance windows
	// are on its wall clock.
	Timezone = "Europe/Rome"

	// SeriesWebshop, SeriesAPI and SeriesHosting are the uptime series (one sample a minute).
	SeriesWebshop = "webshop"
	SeriesAPI     = "api"
	SeriesHosting = "hosting"
	// SeriesAPIRequests is the event series of the api: good and total requests per minute.
	SeriesAPIRequests = "api_requests"

	// Status names of the service desk.
	StatusNew              = "New"
	StatusInProgress       = "In Progress"
	StatusAwaitingCustomer = "Awaiting Customer"
	StatusResolved         = "Resolved"
	StatusClosed           = "Closed"
	StatusCancelled        = "Cancelled"

	// Ticket types.
	TypeIncident = "incident"
	TypeRequest  = "request"
	TypeChange   = "change"

	// Fields: every ticket has a customer and a category; a closed change has a close code.
	FieldCustomer  = "customer"
	FieldCategory  = "category"
	FieldCloseCode = "close_code"

	// Close codes of changes.
	CloseSuccessful       = "successful"
	CloseSuccessfulIssues = "successful_issues"
	CloseUnsuccessful     = "unsuccessful"
)

// The values tickets take (priorities apply to incidents and requests; changes have none).
var (
	groups     = [...]string{"network", "apps", "workplace"}
	customers  = [...]string{"acme", "globex", "initech"}
	priorities = [...]string{"P1", "P2", "P3", "P4"}
)

// Maintenance is the hosting platform's weekly maintenance window: it opens when the clocks in
// Timezone read MaintenanceStart on MaintenanceWeekday (the first time, on the night clocks go
// back; at the jump, on the night they skip it) and lasts MaintenanceDuration of elapsed time,
// which is how availability.Recurring reads a window, so an objective declaring the same window
// excludes exactly the downtime the demo generates for it.
const (
	MaintenanceWeekday  = time.Sunday
	MaintenanceStart    = 2 * time.Hour
	MaintenanceDuration = 2 * time.Hour
)

// BusinessHours are the service desk's working hours, Monday to Friday in Timezone; there are no
// holidays.
const (
	BusinessOpen  = 8 * time.Hour
	BusinessClose = 18 * time.Hour
)

// Statuses maps the demo's status names to their categories.
func Statuses() map[string]ticket.Category {
	m := make(map[string]ticket.Category, len(statusNames))
	for i, n := range statusNames {
		m[n] = statusCategories[i]
	}
	return m
}

// status indexes statusNames; a ticket's simulated history stores it in a byte.
type status uint8

const (
	stNew status = iota
	stInProgress
	stAwaiting
	stResolved
	stClosed
	stCancelled
)

var statusNames = [...]string{StatusNew, StatusInProgress, StatusAwaitingCustomer, StatusResolved, StatusClosed, StatusCancelled}

var statusCategories = [...]ticket.Category{ticket.Open, ticket.Open, ticket.Paused, ticket.Resolved, ticket.Closed, ticket.Cancelled}

// location is the organization's time zone, loaded once.
var location = sync.OnceValues(func() (*time.Location, error) {
	loc, err := time.LoadLocation(Timezone)
	if err != nil {
		return nil, fmt.Errorf("demo: time zone %s: %w", Timezone, err)
	}
	return loc, nil
})

// businessCalendar is the service desk's calendar, flattened once (a few milliseconds) the first
// time a source syncs, not when one is built: building a source only validates its settings.
var businessCalendar = sync.OnceValues(func() (*calendar.Calendar, error) {
	loc, err := location()
	if err != nil {
		return nil, err
	}
	day := []calendar.Interval{{Start: int(BusinessOpen / time.Second), End: int(BusinessClose / time.Second)}}
	var week [7][]calendar.Interval
	for d := time.Monday; d <= time.Friday; d++ {
		week[d] = day
	}
	return calendar.New(calendar.Spec{Name: "demo business hours", Location: loc, Week: week})
})

// The calendar's default span bounds the instants the simulation can compute deadlines for; the
// clock must stay inside it with room for a ticket's whole life.
var (
	minClock = time.Date(calendar.DefaultFirstYear+1, 1, 1, 0, 0, 0, 0, time.UTC)
	maxClock = time.Date(calendar.DefaultLastYear-1, 1, 1, 0, 0, 0, 0, time.UTC)
)

// civilDay numbers the civil date (y, m, d): days since 1970-01-01.
func civilDay(y int, m time.Month, d int) int64 {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// dayOf is the civil day in loc of the Unix second u.
func dayOf(u int64, loc *time.Location) int64 {
	return civilDay(time.Unix(u, 0).In(loc).Date())
}

// dateOf is the civil date of a civil day number.
func dateOf(day int64) (int, time.Month, int) {
	return time.Unix(day*86400, 0).UTC().Date()
}

// wallClock is the first instant at which clocks in loc read civil day plus off: the engine's own
// reading of wall-clock times (period.WallClock), so the demo's maintenance lines up with an
// objective's window to the second, DST nights included.
func wallClock(day int64, off time.Duration, loc *time.Location) time.Time {
	y, m, d := dateOf(day)
	return period.WallClock(y, m, d, off, loc)
}
