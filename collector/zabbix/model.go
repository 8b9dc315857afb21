package zabbix

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// The API's objects, as far as the source reads them (Zabbix 6.0 manual, "API → Method
// reference": event, host, hostgroup, maintenance). Zabbix writes ids, times and enumerations
// as strings ("10084", "1700000000", "4"); num takes numbers too.

// num is an id or a number the API writes as a string.
type num string

func (n *num) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*n = num(s)
		return nil
	}
	var f json.Number
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*n = num(f)
	return nil
}

// int reads n as an integer; field names it in the error.
func (n num) int(field string) (int64, error) {
	v, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s %q is not an integer", field, clip(string(n)))
	}
	return v, nil
}

// event is a trigger event of event.get.
type event struct {
	EventID  num       `json:"eventid"`
	Clock    num       `json:"clock"`
	NS       num       `json:"ns"`
	REventID num       `json:"r_eventid"`
	Severity num       `json:"severity"`
	Hosts    []hostRef `json:"hosts"`
}

// at is the event's instant, from clock and ns.
func (e event) at() (time.Time, error) {
	sec, err := e.Clock.int("clock")
	if err != nil {
		return time.Time{}, err
	}
	var ns int64
	if e.NS != "" {
		if ns, err = e.NS.int("ns"); err != nil {
			return time.Time{}, err
		}
	}
	if sec < 0 || sec > 1<<40 || ns < 0 || ns >= 1e9 {
		return time.Time{}, fmt.Errorf("clock %d.%09d is out of range", sec, ns)
	}
	return time.Unix(sec, ns), nil
}

// hostRef is a host as selectHosts returns it.
type hostRef struct {
	HostID num    `json:"hostid"`
	Host   string `json:"host"`
}

// groupRef is a host group as selectGroups (6.0) or selectHostGroups (6.2 and later) returns
// it.
type groupRef struct {
	GroupID num `json:"groupid"`
}

// host is a host of host.get.
type host struct {
	HostID num        `json:"hostid"`
	Host   string     `json:"host"`
	Groups []groupRef `json:"groups"`
	// HostGroups is 6.2's name of Groups.
	HostGroups []groupRef `json:"hostgroups"`
}

// group is a host group of hostgroup.get.
type group struct {
	GroupID num    `json:"groupid"`
	Name    string `json:"name"`
}

// maintenance is a maintenance of maintenance.get.
type maintenance struct {
	MaintenanceID num          `json:"maintenanceid"`
	Name          string       `json:"name"`
	ActiveSince   num          `json:"active_since"`
	ActiveTill    num          `json:"active_till"`
	Hosts         []hostRef    `json:"hosts"`
	Groups        []groupRef   `json:"groups"`
	HostGroups    []groupRef   `json:"hostgroups"`
	Tags          []any        `json:"tags"`
	Timeperiods   []timeperiod `json:"timeperiods"`
}

// timeperiod is a maintenance period: timeperiod_type 0 one time only, 2 daily, 3 weekly, 4
// monthly.
type timeperiod struct {
	Type      num `json:"timeperiod_type"`
	Every     num `json:"every"`
	Month     num `json:"month"`
	DayOfWeek num `json:"dayofweek"`
	Day       num `json:"day"`
	StartTime num `json:"start_time"`
	Period    num `json:"period"`
	StartDate num `json:"start_date"`
}
