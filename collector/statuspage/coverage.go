package statuspage

import (
	"encoding/json"
	"log/slog"
	"time"
)

// Coverage: the time a series' outages describe, inside which time in no outage counts as up.
// It must claim only time for which every incident is known, and a status page's API does not
// give its whole history:
//
//   - incidents.json lists the 50 most recent incidents (all unresolved ones included, as the
//     API documents): older ones are not listed, and an older one may have lasted into the time
//     the listing seems to cover;
//   - a component's status may be changed without an incident (by hand, or by a monitoring
//     integration's automation): the API shows only its status now, so such a change is seen
//     only while it lasts, at each sync.
//
// So a series is covered from the source's first sync (or the component's creation, when
// later): at that sync every unresolved incident was listed, and every incident since was
// created after it. The outages read from older incidents are kept, and count, but the time
// before the first sync is missing for the objectives (their gap policy applies, and the
// coverage figure says how much). Coverage then grows to each sync's time, as long as each
// listing reaches back to the sync before it: when a listing is full (50) and its oldest entry
// was created after the previous sync, incidents created in between may be missing, and
// coverage stops at the previous sync for good (a warning is logged). A change of status
// outside incidents lasting less than the interval between syncs is not seen: keep the
// interval short (1m).
//
// The kind is live (collector.Kind.Live): a change of its settings keeps the stored outages,
// which the API may no longer list, and the source starts over without a checkpoint, its
// coverage from that sync on.

// checkpointVersion is the checkpoint's format; another one starts over.
const checkpointVersion = 1

// checkpoint is the source's state between syncs, as JSON so that an operator can read it.
type checkpoint struct {
	V int `json:"v"`
	// First is the first sync's time: coverage starts there.
	First time.Time `json:"first"`
	// Synced is the last sync's time: coverage reaches it.
	Synced time.Time `json:"synced"`
	// Broken, when set, is where coverage stopped: a later listing did not reach back to it.
	Broken time.Time `json:"broken,omitzero"`
}

func parseCheckpoint(cp []byte) checkpoint {
	var st checkpoint
	if len(cp) > 0 && json.Unmarshal(cp, &st) == nil && st.V == checkpointVersion && !st.First.IsZero() {
		return st
	}
	return checkpoint{V: checkpointVersion}
}

func (st checkpoint) encode() []byte {
	out, err := json.Marshal(st)
	if err != nil { // times always marshal
		panic(err)
	}
	return out
}

// advance moves the checkpoint to a sync at now that read the listings given, and returns when
// coverage ends: now, or where it broke.
func (st *checkpoint) advance(now time.Time, logger *slog.Logger, listings ...[]incident) time.Time {
	if st.First.IsZero() {
		st.First = now
	} else if floor := listingFloor(listings...); st.Broken.IsZero() && floor.After(st.Synced) {
		st.Broken = st.Synced
		logger.Warn("the status page's listing no longer reaches back to the previous sync: more incidents or maintenances were created since than the API lists; coverage stops there",
			"previous_sync", st.Synced, "oldest_listed", floor)
	}
	st.Synced = now
	if !st.Broken.IsZero() {
		return st.Broken
	}
	return now
}

// listingFloor is the latest of the oldest creation times of the full listings (zero when none
// is full): a full listing holds every entry created since its oldest one, and maybe not those
// created before.
func listingFloor(listings ...[]incident) time.Time {
	var floor time.Time
	for _, list := range listings {
		if len(list) < listLimit {
			continue
		}
		oldest := list[0].CreatedAt
		for _, in := range list[1:] {
			if in.CreatedAt.Before(oldest) {
				oldest = in.CreatedAt
			}
		}
		if oldest.After(floor) {
			floor = oldest
		}
	}
	return floor
}
