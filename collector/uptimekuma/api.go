package uptimekuma

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/apisource"
)

// The status-page endpoints of Uptime Kuma (server/routers/status-page-router.js of
// louislam/uptime-kuma 2.x): its only HTTP API with monitor history, the rest being socket.io.
//
//   - GET /api/status-page/<slug>: the page's configuration, incidents, maintenance list and
//     publicGroupList, each group with its monitorList ({id, name, type ...};
//     server/model/group.js, server/model/monitor.js toPublicJSON). Cached 5 minutes; an
//     unknown slug answers 404 {"status":"fail","msg":"Status Page Not Found"}.
//   - GET /api/status-page/heartbeat/<slug>: heartbeatList, the last 100 heartbeats of each
//     public monitor of the page by monitor id, oldest first ({status, time, msg (always ""),
//     ping}; server/model/heartbeat.js toPublicJSON), and uptimeList (the 24-hour uptime by
//     "<id>_24"). Cached 1 minute. An unknown slug answers empty lists.
//
// A heartbeat's status is 0 down, 1 up, 2 pending, 3 maintenance (src/util.ts); its time is
// the UTC "YYYY-MM-DD HH:MM:SS.SSS" that R.isoDateTimeMillis writes (server/model/monitor.js),
// without the milliseconds for old rows.

// heartbeatLimit is how many heartbeats of a monitor the endpoint lists (LIMIT 100).
const heartbeatLimit = 100

// Heartbeat statuses.
const (
	statusDown        = 0
	statusUp          = 1
	statusPending     = 2
	statusMaintenance = 3
)

func pagePath(slug string) string      { return "api/status-page/" + url.PathEscape(slug) }
func heartbeatPath(slug string) string { return "api/status-page/heartbeat/" + url.PathEscape(slug) }

// pageDoc is the part of /api/status-page/<slug> the source reads.
type pageDoc struct {
	PublicGroupList []struct {
		Name        string    `json:"name"`
		MonitorList []monitor `json:"monitorList"`
	} `json:"publicGroupList"`
}

type monitor struct {
	ID   json.Number `json:"id"`
	Name string      `json:"name"`
}

// heartbeatDoc is /api/status-page/heartbeat/<slug>.
type heartbeatDoc struct {
	HeartbeatList map[string][]heartbeat `json:"heartbeatList"`
}

type heartbeat struct {
	Status *int     `json:"status"`
	Time   string   `json:"time"`
	Ping   *float64 `json:"ping"`
	at     time.Time
}

// decodePage decodes the page and lists its monitors, each once (a monitor may sit in two
// groups), in the page's order.
func decodePage(resp *apisource.Response) ([]monitor, error) {
	var doc pageDoc
	if err := resp.DecodeJSON(&doc); err != nil {
		return nil, err
	}
	var out []monitor
	seen := map[string]bool{}
	for _, g := range doc.PublicGroupList {
		for i, m := range g.MonitorList {
			if _, err := strconv.ParseInt(m.ID.String(), 10, 64); err != nil {
				return nil, fmt.Errorf("GET %s: group %q monitor %d: id %q is not a number", resp.Endpoint, g.Name, i+1, m.ID)
			}
			if m.Name == "" {
				return nil, fmt.Errorf("GET %s: group %q monitor %s: name is missing", resp.Endpoint, g.Name, m.ID)
			}
			if !seen[m.ID.String()] {
				seen[m.ID.String()] = true
				out = append(out, m)
			}
		}
	}
	return out, nil
}

// decodeHeartbeats decodes the heartbeat lists and checks each heartbeat: a status of 0 to 3,
// a time Uptime Kuma writes; they are kept in the order listed (oldest first), which the
// times must follow.
func decodeHeartbeats(resp *apisource.Response) (map[string][]heartbeat, error) {
	var doc heartbeatDoc
	if err := resp.DecodeJSON(&doc); err != nil {
		return nil, err
	}
	for id, list := range doc.HeartbeatList {
		for i := range list {
			h := &list[i]
			where := fmt.Sprintf("GET %s: monitor %s heartbeat %d", resp.Endpoint, id, i+1)
			switch {
			case h.Status == nil:
				return nil, fmt.Errorf("%s: status is missing", where)
			case *h.Status < statusDown || *h.Status > statusMaintenance:
				return nil, fmt.Errorf("%s: status %d is not 0 (down), 1 (up), 2 (pending) or 3 (maintenance)", where, *h.Status)
			}
			at, err := parseTime(h.Time)
			if err != nil {
				return nil, fmt.Errorf("%s: time %q is not YYYY-MM-DD HH:MM:SS[.SSS]", where, h.Time)
			}
			h.at = at
			if i > 0 && at.Before(list[i-1].at) {
				return nil, fmt.Errorf("%s: time %s is before the heartbeat listed before it", where, h.Time)
			}
		}
	}
	return doc.HeartbeatList, nil
}

// parseTime reads a heartbeat's time: UTC "2006-01-02 15:04:05" with an optional fraction
// (Go accepts one after the seconds when parsing), or RFC 3339 should a database driver give
// one.
func parseTime(s string) (time.Time, error) {
	if t, err := time.ParseInLocation(time.DateTime, s, time.UTC); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}
