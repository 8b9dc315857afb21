package calendar

import (
	"math/rand/v2"
	"testing"
	"time"
)

// fuzzInterval encodes working hours for FuzzCalendar's week bytes: weekday, start minute, end
// minute.
func fuzzInterval(day time.Weekday, startMin, endMin int) []byte {
	return []byte{byte(day), byte(startMin >> 8), byte(startMin), byte(endMin >> 8), byte(endMin)}
}

func fuzzWeek(ivs ...[]byte) []byte {
	var out []byte
	for _, iv := range ivs {
		out = append(out, iv...)
	}
	return out
}

// FuzzCalendar builds a calendar from fuzzed working hours, holidays, zone and years, and checks
// the properties at fuzzed instants and the reference on a window around the first one.
func FuzzCalendar(f *testing.F) {
	var officeWeek, nightWeek []byte
	for d := time.Monday; d <= time.Friday; d++ {
		officeWeek = append(officeWeek, fuzzInterval(d, 9*60, 13*60)...)
		officeWeek = append(officeWeek, fuzzInterval(d, 14*60, 18*60)...)
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		nightWeek = append(nightWeek, fuzzInterval(d, 60, 240)...)
		nightWeek = append(nightWeek, fuzzInterval(d, 23*60, 24*60)...)
	}
	allDay := fuzzWeek(fuzzInterval(time.Sunday, 0, 1440), fuzzInterval(time.Saturday, 0, 1440), fuzzInterval(time.Wednesday, 0, 1440))
	// Zones index testZones: 1 Rome, 2 New York, 3 Santiago, 6 Apia.
	f.Add(uint8(1), uint16(66), uint8(0), officeWeek, []byte{0x80, 11, 24, 0, 1, 50}, int64(7_000_000), int64(8_000_000), int64(30_000))
	f.Add(uint8(2), uint16(66), uint8(1), nightWeek, []byte{}, int64(5_500_000), int64(27_000_000), int64(200_000))
	f.Add(uint8(3), uint16(66), uint8(0), nightWeek, []byte{}, int64(8_000_000), int64(-1), int64(7_200))
	f.Add(uint8(6), uint16(51), uint8(0), allDay, []byte{}, int64(31_000_000), int64(31_500_000), int64(86_400))
	f.Add(uint8(2), uint16(80), uint8(1), allDay, []byte{0x80, 1, 28}, int64(31_600_000), int64(32_000_000), int64(1))
	f.Add(uint8(4), uint16(5), uint8(2), officeWeek, []byte{0, 0, 0, 0, 0, 1}, int64(-1), int64(0), int64(1<<62))

	f.Fuzz(func(t *testing.T, zone uint8, year uint16, years uint8, week, holidays []byte, a, b, x int64) {
		first := 1960 + int(year%100)
		spec := Spec{
			Name:      "fuzz",
			Location:  loadZone(t, testZones[int(zone)%len(testZones)]),
			FirstYear: first,
			LastYear:  first + int(years%3),
		}
		for i := 0; i+5 <= len(week) && i < 5*30; i += 5 {
			day := week[i] % 7
			iv := Interval{
				Start: (int(week[i+1])<<8 | int(week[i+2])) % 1441 * minute,
				End:   (int(week[i+3])<<8 | int(week[i+4])) % 1441 * minute,
			}
			if iv.Start < iv.End && !overlaps(spec.Week[day], iv) {
				spec.Week[day] = append(spec.Week[day], iv)
			}
		}
		firstDay, days := civilDay(spec.FirstYear, 1, 1), civilDay(spec.LastYear+1, 1, 1)-civilDay(spec.FirstYear, 1, 1)
		for i := 0; i+3 <= len(holidays) && i < 3*20; i += 3 {
			if holidays[i]&0x80 != 0 {
				md := MonthDay{time.Month(1 + holidays[i+1]%12), 1 + int(holidays[i+2]%31)}
				if validDate(2000, md.Month, md.Day) {
					spec.Recurring = append(spec.Recurring, md)
				}
				continue
			}
			day := firstDay + (int64(holidays[i+1])<<8|int64(holidays[i+2]))%days
			y, m, d := time.Unix(day*secondsPerDay, 0).UTC().Date()
			spec.Holidays = append(spec.Holidays, Date{y, m, d})
		}
		c, err := New(spec)
		if err != nil {
			t.Fatalf("New rejected a valid spec: %v", err)
		}
		checkStructure(t, c)

		// Instants over the span and ten days either side; work up to twenty days.
		margin := int64(10 * secondsPerDay)
		inRange := func(u int64) int64 { return c.from - margin + floorMod(u, c.to-c.from+2*margin) }
		lo, hi := min(inRange(a), inRange(b)), max(inRange(a), inRange(b))
		work := floorMod(x, 20*secondsPerDay)
		checkProperties(t, c, lo, lo+(hi-lo)/2, hi, work, work+floorMod(x>>32, secondsPerDay))

		w0 := floorDiv(lo, secondsPerDay)*secondsPerDay - secondsPerDay
		ref := newReference(t, spec, w0, w0+3*secondsPerDay, minute)
		checkAgainstReference(t, rand.New(rand.NewPCG(uint64(a), uint64(b))), c, ref, 40)
	})
}

func overlaps(ivs []Interval, iv Interval) bool {
	for _, o := range ivs {
		if iv.Start < o.End && o.Start < iv.End {
			return true
		}
	}
	return false
}
