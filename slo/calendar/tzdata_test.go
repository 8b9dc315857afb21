package calendar

// The tz database is embedded in the test binary only. The package itself stays free of it: which
// database a process uses (the system's, updated with the operating system, or a snapshot frozen
// into the binary) is the daemon's decision, made once in its main package, and the 450 kB should
// not be forced on every importer of the engine. Tests need the zones to exist on any machine,
// including minimal containers without /usr/share/zoneinfo. time.LoadLocation still prefers a
// system database when there is one; the transitions tested here have had the same rules for
// decades, so the hand-worked values hold for any recent database.
import _ "time/tzdata"
