package holidays

import (
	"testing"
	"time"
	_ "time/tzdata" // Europe/Berlin without relying on the system zoneinfo

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/slo/calendar"
)

func d(y int, m time.Month, day int) calendar.Date { return calendar.Date{Year: y, Month: m, Day: day} }

func TestObserved(t *testing.T) {
	tests := []struct {
		name            string
		country, region string
		first, last     int
		want            []Holiday
	}{
		// Easter 2026 is 5 April: Good Friday is Easter-2, Easter Monday +1, Ascension +39, Whit
		// Monday +50, Corpus Christi +60. Bavaria adds Epiphany, Corpus Christi and All Saints to
		// the nine national days. 3 October is a Saturday and 1 November a Sunday: Germany moves
		// nothing.
		{"DE-BY 2026", "DE", "BY", 2026, 2026, []Holiday{
			{d(2026, 1, 1), "Neujahrstag"},
			{d(2026, 1, 6), "Heilige Drei Könige"},
			{d(2026, 4, 3), "Karfreitag"},
			{d(2026, 4, 6), "Ostermontag"},
			{d(2026, 5, 1), "Tag der Arbeit"},
			{d(2026, 5, 14), "Christi Himmelfahrt"},
			{d(2026, 5, 25), "Pfingstmontag"},
			{d(2026, 6, 4), "Fronleichnam"},
			{d(2026, 10, 3), "Tag der Deutschen Einheit"},
			{d(2026, 11, 1), "Allerheiligen"},
			{d(2026, 12, 25), "Weihnachtstag"},
			{d(2026, 12, 26), "Zweiter Weihnachtsfeiertag"},
		}},
		// The nine days a German office typed by hand.
		{"DE 2026", "de", "", 2026, 2026, []Holiday{
			{d(2026, 1, 1), "Neujahrstag"},
			{d(2026, 4, 3), "Karfreitag"},
			{d(2026, 4, 6), "Ostermontag"},
			{d(2026, 5, 1), "Tag der Arbeit"},
			{d(2026, 5, 14), "Christi Himmelfahrt"},
			{d(2026, 5, 25), "Pfingstmontag"},
			{d(2026, 10, 3), "Tag der Deutschen Einheit"},
			{d(2026, 12, 25), "Weihnachtstag"},
			{d(2026, 12, 26), "Zweiter Weihnachtsfeiertag"},
		}},
		// Easter 2031 is 13 April: Good Friday 11 April, Easter Monday 14 April, Ascension 22 May,
		// Whit Monday 2 June, Corpus Christi 12 June. Far from today, computed all the same.
		{"DE-BY 2031", "DE", "DE-BY", 2031, 2031, []Holiday{
			{d(2031, 1, 1), "Neujahrstag"},
			{d(2031, 1, 6), "Heilige Drei Könige"},
			{d(2031, 4, 11), "Karfreitag"},
			{d(2031, 4, 14), "Ostermontag"},
			{d(2031, 5, 1), "Tag der Arbeit"},
			{d(2031, 5, 22), "Christi Himmelfahrt"},
			{d(2031, 6, 2), "Pfingstmontag"},
			{d(2031, 6, 12), "Fronleichnam"},
			{d(2031, 10, 3), "Tag der Deutschen Einheit"},
			{d(2031, 11, 1), "Allerheiligen"},
			{d(2031, 12, 25), "Weihnachtstag"},
			{d(2031, 12, 26), "Zweiter Weihnachtsfeiertag"},
		}},
		// Easter Monday 6 April; Saint Francis (4 October) is a national holiday again from 2026.
		{"IT 2026", "IT", "", 2026, 2026, []Holiday{
			{d(2026, 1, 1), "Capodanno"},
			{d(2026, 1, 6), "Epifania"},
			{d(2026, 4, 6), "Pasquetta"},
			{d(2026, 4, 25), "Festa della Liberazione"},
			{d(2026, 5, 1), "Festa del Lavoro"},
			{d(2026, 6, 2), "Festa della Repubblica"},
			{d(2026, 8, 15), "Assunzione"},
			{d(2026, 10, 4), "San Francesco d'Assisi"},
			{d(2026, 11, 1), "Tutti i santi"},
			{d(2026, 12, 8), "Immacolata Concezione"},
			{d(2026, 12, 25), "Natale"},
			{d(2026, 12, 26), "Santo Stefano"},
		}},
		// England and Wales: first and last Monday of May, last Monday of August. Boxing Day is a
		// Saturday: the substitute day is Monday 28 December, and the Saturday is not returned.
		{"GB 2026", "GB", "", 2026, 2026, []Holiday{
			{d(2026, 1, 1), "New Year's Day"},
			{d(2026, 4, 3), "Good Friday"},
			{d(2026, 4, 6), "Easter Monday"},
			{d(2026, 5, 4), "Early May"},
			{d(2026, 5, 25), "Spring Bank Holiday"},
			{d(2026, 8, 31), "Summer Bank Holiday"},
			{d(2026, 12, 25), "Christmas Day"},
			{d(2026, 12, 28), "Boxing Day"},
		}},
		// 4 July 2026 is a Saturday: observed on Friday 3 July.
		{"US 2026", "US", "", 2026, 2026, []Holiday{
			{d(2026, 1, 1), "New Year's Day"},
			{d(2026, 1, 19), "Martin Luther King Jr. Day"},
			{d(2026, 2, 16), "Presidents' Day"},
			{d(2026, 5, 25), "Memorial Day"},
			{d(2026, 6, 19), "Juneteenth"},
			{d(2026, 7, 3), "Independence Day"},
			{d(2026, 9, 7), "Labor Day"},
			{d(2026, 10, 12), "Columbus Day"},
			{d(2026, 11, 11), "Veterans Day"},
			{d(2026, 11, 26), "Thanksgiving Day"},
			{d(2026, 12, 25), "Christmas Day"},
		}},
		// 1 January 2028 is a Saturday: observed on Friday 31 December 2027, inside 2027; 25
		// December 2027 is a Saturday too, observed on Friday 24 December.
		{"US late 2027", "US", "", 2027, 2027, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Observed(tt.country, tt.region, tt.first, tt.last)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == nil {
				var tail []Holiday
				for _, h := range got {
					if h.Date.Month == time.December {
						tail = append(tail, h)
					}
				}
				want := []Holiday{{d(2027, 12, 24), "Christmas Day"}, {d(2027, 12, 31), "New Year's Day"}}
				if diff := cmp.Diff(want, tail); diff != "" {
					t.Errorf("December 2027 (-want +got):\n%s", diff)
				}
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Observed(%s, %s, %d, %d) (-want +got):\n%s", tt.country, tt.region, tt.first, tt.last, diff)
			}
		})
	}
}

func TestObservedSpan(t *testing.T) {
	// A century, as a calendar's default span asks: one Good Friday a year, each two days before
	// an Easter Sunday, and nothing outside the span (New Year 2101 is not moved into it, and
	// 2000's list does not reach back into 1999).
	got, err := Observed("GB", "", calendar.DefaultFirstYear, calendar.DefaultLastYear)
	if err != nil {
		t.Fatal(err)
	}
	goodFridays := 0
	for _, h := range got {
		if h.Date.Year < 2000 || h.Date.Year > 2100 {
			t.Errorf("%s %s is outside 2000..2100", h.Date, h.Name)
		}
		if h.Name == "Good Friday" {
			goodFridays++
			if wd := time.Date(h.Date.Year, h.Date.Month, h.Date.Day, 12, 0, 0, 0, time.UTC).Weekday(); wd != time.Friday {
				t.Errorf("Good Friday %s is a %s", h.Date, wd)
			}
		}
	}
	if goodFridays != 101 {
		t.Errorf("%d Good Fridays in 2000..2100, want 101", goodFridays)
	}
}

func TestCoverage(t *testing.T) {
	// The countries the exporter's users asked for, with the regions the library has. Spain's
	// autonomous communities (ES-MD) and the United Kingdom's nations (GB-SCT) have no lists of
	// their own in it: their holidays are listed as dates.
	for _, c := range []string{"DE", "IT", "FR", "ES", "GB", "US", "NL", "AT", "CH", "BE", "IE", "PT", "PL", "SE"} {
		got, err := Observed(c, "", 2026, 2026)
		if err != nil || len(got) < 8 {
			t.Errorf("%s 2026: %d holidays, error %v", c, len(got), err)
		}
	}
	wantRegions := map[string]int{"DE": 16, "CH": 26, "AU": 8, "ES": 0, "GB": 0, "IT": 0}
	for c, n := range wantRegions {
		if got := Regions(c); len(got) != n {
			t.Errorf("Regions(%s) = %v, want %d", c, got, n)
		}
		for _, r := range Regions(c) {
			if hs, err := Observed(c, r, 2026, 2026); err != nil || len(hs) < 5 {
				t.Errorf("%s-%s 2026: %d holidays, error %v", c, r, len(hs), err)
			}
		}
	}
}

func TestObservedErrors(t *testing.T) {
	tests := []struct{ country, region, want string }{
		{"XX", "", `unknown country "XX" (known: AR, AT, AU, BE, BG, BR, CA, CH, CY, CZ, DE, DK, EE, ES, FI, FR, GB, GR, HR, HU, IE, IS, IT, JP, KE, LT, LU, LV, MT, MW, MX, NC, NL, NO, NZ, PL, PT, RO, RS, RU, SE, SI, SK, TH, UA, US, ZA)`},
		{"DE", "BZ", `country DE has no region "BZ" (regions: BB, BE, BW, BY, HB, HE, HH, MV, NI, NW, RP, SH, SL, SN, ST, TH)`},
		{"ES", "MD", `country ES has no regional holidays in the tables (list a region's own holidays as dates)`},
		{"AU", "", `country AU has only regional holidays: set a region (ACT, NSW, NT, QLD, SA, TAS, VIC, WA)`},
	}
	for _, tt := range tests {
		_, err := Observed(tt.country, tt.region, 2026, 2026)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Observed(%q, %q) error = %v, want %s", tt.country, tt.region, err, tt.want)
		}
	}
}

func TestBusinessTimeAcrossEaster(t *testing.T) {
	// A Munich office, Mon-Fri 08:00-17:00, with the DE-BY holidays. From Thursday 2 April 2026
	// 12:00 to Tuesday 7 April 12:00: Thursday 12:00-17:00 is 5h; Good Friday 3 April, the
	// weekend and Easter Monday 6 April are off; Tuesday 08:00-12:00 is 4h. 9h in all, where the
	// same week without holidays would hold 5 + 9 + 9 + 4 = 27h.
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	hs, err := Observed("DE", "BY", calendar.DefaultFirstYear, calendar.DefaultLastYear)
	if err != nil {
		t.Fatal(err)
	}
	var dates []calendar.Date
	for _, h := range hs {
		dates = append(dates, h.Date)
	}
	day := []calendar.Interval{{Start: 8 * 3600, End: 17 * 3600}}
	c, err := calendar.New(calendar.Spec{
		Name: "munich", Location: berlin, Holidays: dates,
		Week: [7][]calendar.Interval{time.Monday: day, time.Tuesday: day, time.Wednesday: day, time.Thursday: day, time.Friday: day},
	})
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 4, 2, 12, 0, 0, 0, berlin)
	to := time.Date(2026, 4, 7, 12, 0, 0, 0, berlin)
	if got := c.Duration(from, to); got != 9*time.Hour {
		t.Errorf("Duration across Easter = %s, want 9h", got)
	}
	// One working day from Thursday: Good Friday to Easter Monday are off, Tuesday ends at 17:00.
	if got, want := c.DaysDeadline(from, 1), time.Date(2026, 4, 7, 17, 0, 0, 0, berlin); !got.Equal(want) {
		t.Errorf("DaysDeadline(Thursday, 1) = %s, want %s", got, want)
	}
	// Easter 2031 (13 April): Thursday 10 April 12:00 to Tuesday 15 April 12:00 is 9h too.
	if got := c.Duration(time.Date(2031, 4, 10, 12, 0, 0, 0, berlin), time.Date(2031, 4, 15, 12, 0, 0, 0, berlin)); got != 9*time.Hour {
		t.Errorf("Duration across Easter 2031 = %s, want 9h", got)
	}
}
