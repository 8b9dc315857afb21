package statuspage

import (
	"fmt"
	"slices"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/apisource"
)

// The documents of Statuspage's public API v2, as a page serves them at /api/v2/*.json
// (https://metastatuspage.com/api/v2, the same on every page: https://www.githubstatus.com/api).
// Only the fields the source reads are decoded; the others are ignored, so that fields the
// vendor adds break nothing.

// Paths of the documents, relative to the page's address.
const (
	componentsPath   = "api/v2/components.json"
	incidentsPath    = "api/v2/incidents.json"
	maintenancesPath = "api/v2/scheduled-maintenances.json"
)

// listLimit is how many incidents (and scheduled maintenances) the API lists: "the 50 most
// recent", the unresolved ones included. A listing this long may not reach back to the last
// sync.
const listLimit = 50

// componentsDoc is components.json: every component of the page, groups included.
type componentsDoc struct {
	Components []component `json:"components"`
}

// component is a component, or a group of them (group true, its members in components).
type component struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
	// UpdatedAt changes with the component's status (and with any edit of it).
	UpdatedAt time.Time `json:"updated_at"`
	GroupID   *string   `json:"group_id"`
	Group     bool      `json:"group"`
	// Components lists a group's members by id.
	Components []string `json:"components"`
}

// incidentsDoc is incidents.json; maintenancesDoc scheduled-maintenances.json. A scheduled
// maintenance is an incident with scheduled_for and scheduled_until.
type incidentsDoc struct {
	Incidents []incident `json:"incidents"`
}

type maintenancesDoc struct {
	Maintenances []incident `json:"scheduled_maintenances"`
}

// incident is an incident or a scheduled maintenance.
type incident struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
	// Impact is none, minor, major, critical, or maintenance.
	Impact         string     `json:"impact"`
	CreatedAt      time.Time  `json:"created_at"`
	StartedAt      *time.Time `json:"started_at"`
	ResolvedAt     *time.Time `json:"resolved_at"`
	ScheduledFor   *time.Time `json:"scheduled_for"`
	ScheduledUntil *time.Time `json:"scheduled_until"`
	Updates        []update   `json:"incident_updates"`
	// Components are the components it affects, with their status now (not then).
	Components []struct {
		ID string `json:"id"`
	} `json:"components"`
}

// update is one of an incident's updates: its status then, and the component statuses it set.
type update struct {
	ID        string     `json:"id"`
	Status    string     `json:"status"`
	CreatedAt time.Time  `json:"created_at"`
	DisplayAt *time.Time `json:"display_at"`
	Affected  []affected `json:"affected_components"`
}

// affected is a component status change an update made; code is the component's id.
type affected struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	OldStatus string `json:"old_status"`
	NewStatus string `json:"new_status"`
}

// at is when the update shows on the page: display_at, which an author may set earlier than
// the update's creation, else created_at.
func (u *update) at() time.Time {
	if u.DisplayAt != nil && !u.DisplayAt.IsZero() {
		return *u.DisplayAt
	}
	return u.CreatedAt
}

// start is when the incident began: started_at (which its author may backdate), else its
// creation.
func (in *incident) start() time.Time {
	if in.StartedAt != nil && !in.StartedAt.IsZero() {
		return *in.StartedAt
	}
	return in.CreatedAt
}

// isMaintenance says whether an entry of incidents.json is a scheduled maintenance.
func (in *incident) isMaintenance() bool {
	return in.ScheduledFor != nil || in.Impact == "maintenance"
}

// updatesInOrder returns the updates oldest first (the API lists them newest first).
func (in *incident) updatesInOrder() []update {
	ups := slices.Clone(in.Updates)
	slices.SortStableFunc(ups, func(a, b update) int {
		if c := a.at().Compare(b.at()); c != 0 {
			return c
		}
		return a.CreatedAt.Compare(b.CreatedAt)
	})
	return ups
}

// decodeComponents decodes components.json and checks what the source relies on: every
// component has an id, a name and a status; ids are unique.
func decodeComponents(resp *apisource.Response) ([]component, error) {
	var doc componentsDoc
	if err := resp.DecodeJSON(&doc); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, c := range doc.Components {
		where := fmt.Sprintf("GET %s: component %d", resp.Endpoint, i+1)
		switch {
		case c.ID == "":
			return nil, fmt.Errorf("%s: id is missing", where)
		case seen[c.ID]:
			return nil, fmt.Errorf("%s: id %q is listed twice", where, c.ID)
		case c.Name == "":
			return nil, fmt.Errorf("%s (id %s): name is missing", where, c.ID)
		case c.Status == "" && !c.Group:
			return nil, fmt.Errorf("%s (id %s): status is missing", where, c.ID)
		}
		seen[c.ID] = true
	}
	return doc.Components, nil
}

// decodeIncidents decodes incidents.json or scheduled-maintenances.json (maintenances) and
// checks each entry: an id, a creation time, a time on each update that changes a component,
// and for a maintenance its scheduled window.
func decodeIncidents(resp *apisource.Response, maintenances bool) ([]incident, error) {
	var list []incident
	if maintenances {
		var doc maintenancesDoc
		if err := resp.DecodeJSON(&doc); err != nil {
			return nil, err
		}
		list = doc.Maintenances
	} else {
		var doc incidentsDoc
		if err := resp.DecodeJSON(&doc); err != nil {
			return nil, err
		}
		list = doc.Incidents
	}
	noun := "incident"
	if maintenances {
		noun = "scheduled maintenance"
	}
	for i := range list {
		in := &list[i]
		where := fmt.Sprintf("GET %s: %s %d", resp.Endpoint, noun, i+1)
		if in.ID == "" {
			return nil, fmt.Errorf("%s: id is missing", where)
		}
		where += " (id " + in.ID + ")"
		if in.CreatedAt.IsZero() {
			return nil, fmt.Errorf("%s: created_at is missing", where)
		}
		if maintenances || in.ScheduledFor != nil {
			switch {
			case in.ScheduledFor == nil || in.ScheduledFor.IsZero():
				return nil, fmt.Errorf("%s: scheduled_for is missing", where)
			case in.ScheduledUntil == nil || in.ScheduledUntil.IsZero():
				return nil, fmt.Errorf("%s: scheduled_until is missing", where)
			}
		}
		for j := range in.Updates {
			u := &in.Updates[j]
			if u.at().IsZero() {
				return nil, fmt.Errorf("%s: update %d: created_at is missing", where, j+1)
			}
			for k, a := range u.Affected {
				if a.Code == "" || a.NewStatus == "" {
					return nil, fmt.Errorf("%s: update %d: affected component %d: code or new_status is missing", where, j+1, k+1)
				}
			}
		}
	}
	return list, nil
}
