package config

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// munich is a Bavarian office: the DE-BY public holidays, Christmas Eve and New Year's Eve closed
// in 2026 and yearly, and two half days.
const munich = `global:
  timezone: Europe/Berlin
calendars:
  - name: munich
    hours:
      weekdays: ["08:00-17:00"]
    holidays:
      - {country: DE, region: BY}
      - 2026-12-24
      - "12-31"
    half_days:
      - {date: 2026-12-23, hours: "08:00-12:00"}
      - {date: "12-30", hours: ["08:00-12:00", "13:00-15:00"]}
sources:
  - name: desk
    type: demo
`

func TestLoadCalendarHolidays(t *testing.T) {
	cfg, err := Load([]byte(munich), "test.yml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cal := cfg.Calendars["munich"]
	berlin, _ := time.LoadLocation("Europe/Berlin")
	at := func(s string) time.Time {
		u, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	tests := []struct {
		name     string
		from, to string
		want     time.Duration
	}{
		// Thu 12:00-17:00 is 5h; Good Friday 04-03, the weekend and Easter Monday 04-06 are
		// off (Easter 2026 is 5 April); Tue 08:00-12:00 is 4h.
		{"across Easter 2026", "2026-04-02 12:00", "2026-04-07 12:00", 9 * time.Hour},
		// Easter 2031 is 13 April: the same 9h from Thu 04-10 to Tue 04-15.
		{"across Easter 2031", "2031-04-10 12:00", "2031-04-15 12:00", 9 * time.Hour},
		// Ascension Thu 05-14, Whit Monday 05-25 and Corpus Christi Thu 06-04 (Bavaria) are off.
		{"Ascension", "2026-05-14 00:00", "2026-05-15 00:00", 0},
		{"Whit Monday", "2026-05-25 00:00", "2026-05-26 00:00", 0},
		{"Corpus Christi", "2026-06-04 00:00", "2026-06-05 00:00", 0},
		// Mon 12-21 9h, Tue 9h, Wed 12-23 half day 4h, Thu 12-24 dated holiday, Fri 12-25 and the
		// 26th public holidays.
		{"Christmas week", "2026-12-21 00:00", "2026-12-28 00:00", 22 * time.Hour},
		// Wed 12-30 yearly half day: 4h + 2h; Thu 12-31 yearly holiday.
		{"New Year's Eve", "2026-12-30 00:00", "2027-01-01 00:00", 6 * time.Hour},
		{"the yearly half day in 2027", "2027-12-30 00:00", "2027-12-31 00:00", 6 * time.Hour},
	}
	for _, tt := range tests {
		if got := cal.Duration(at(tt.from), at(tt.to)); got != tt.want {
			t.Errorf("%s: Duration(%s, %s) = %s, want %s", tt.name, tt.from, tt.to, got, tt.want)
		}
	}
}

func TestLoadCalendarErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		old, new string
		want     string
	}{
		{"unknown country", "{country: DE, region: BY}", "{country: XX}",
			`test.yml:8: calendars[0].holidays[0].country: unknown country "XX" (known: AR, AT, AU, BE, BG, BR, CA, CH, CY, CZ, DE, DK, EE, ES, FI, FR, GB, GR, HR, HU, IE, IS, IT, JP, KE, LT, LU, LV, MT, MW, MX, NC, NL, NO, NZ, PL, PT, RO, RS, RU, SE, SI, SK, TH, UA, US, ZA)`},
		{"unknown region", "region: BY}", "region: BZ}",
			`test.yml:8: calendars[0].holidays[0].region: country DE has no region "BZ" (regions: BB, BE, BW, BY, HB, HE, HH, MV, NI, NW, RP, SH, SL, SN, ST, TH)`},
		{"a country without regions", "{country: DE, region: BY}", "{country: ES, region: MD}",
			`test.yml:8: calendars[0].holidays[0].region: country ES has no regional holidays in the tables (list a region's own holidays as dates)`},
		{"a region without a country", "{country: DE, region: BY}", "{region: BY}",
			`test.yml:8: calendars[0].holidays[0].region: country is required with a region`},
		{"unknown key in a holiday", "{country: DE, region: BY}", "{country: DE, state: BY}",
			`test.yml:8: calendars[0].holidays[0].state: unknown field (known: country, region)`},
		{"a list as a holiday", "{country: DE, region: BY}", "[DE, BY]",
			`test.yml:8: calendars[0].holidays[0]: a holiday is a date YYYY-MM-DD, a day of every year MM-DD or {country: XX, region: YY}`},
		{"a bad date", "- 2026-12-24", "- 2026-12-32",
			`test.yml:9: calendars[0].holidays[1]: holiday "2026-12-32" is not a date YYYY-MM-DD`},
		{"a half day without hours", `{date: 2026-12-23, hours: "08:00-12:00"}`, `{date: 2026-12-23}`,
			`test.yml:12: calendars[0].half_days[0]: hours is required, e.g. "09:00-13:00" (list the day as a holiday to close it)`},
		{"a half day without a date", `{date: 2026-12-23, hours: "08:00-12:00"}`, `{hours: "08:00-12:00"}`,
			`test.yml:12: calendars[0].half_days[0]: date is required: YYYY-MM-DD, or MM-DD for every year`},
		{"a half day's bad date", `{date: 2026-12-23,`, `{date: 2026-13-23,`,
			`test.yml:12: calendars[0].half_days[0].date: "2026-13-23" is not a date YYYY-MM-DD`},
		{"a half day's bad yearly date", `{date: "12-30"`, `{date: "12-32"`,
			`test.yml:13: calendars[0].half_days[1].date: "12-32" is not a day of the year MM-DD`},
		{"a half day's bad hours", `hours: "08:00-12:00"}`, `hours: "08:00-25:00"}`,
			`test.yml:12: calendars[0].half_days[0].hours: working hours "08:00-25:00": "25:00" is not a time of day between 00:00 and 24:00`},
		{"a half day's hours overlap", `["08:00-12:00", "13:00-15:00"]`, `["08:00-12:00", "11:00-15:00"]`,
			`test.yml:13: calendars[0].half_days[1].hours: working hours 08:00-12:00 and 11:00-15:00 overlap`},
		{"a half day twice", `{date: "12-30"`, `{date: "12-30", hours: "08:00-12:00"}
      - {date: "12-30"`,
			`test.yml:14: calendars[0].half_days[2].date: 12-30 is listed twice`},
		{"unknown key in a half day", `{date: 2026-12-23, hours: "08:00-12:00"}`, `{date: 2026-12-23, hour: "08:00-12:00"}`,
			`test.yml:12: calendars[0].half_days[0].hour: unknown field (known: date, hours)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(munich, tc.old) {
				t.Fatalf("munich has no %q", tc.old)
			}
			_, err := Load([]byte(strings.Replace(munich, tc.old, tc.new, 1)), "test.yml", t.TempDir())
			if err == nil {
				t.Fatal("loaded")
			}
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}
