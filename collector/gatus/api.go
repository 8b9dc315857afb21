package gatus

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/apisource"
)

// statusesPath is Gatus' listing of every endpoint with its recent results (README, "API":
// GET /api/v1/endpoints/statuses; api/endpoint_status.go EndpointStatuses). page and pageSize
// page each endpoint's results from the newest: page 1 is the newest pageSize, in time order
// (storage/store/memory/util.go getStartAndEndIndex; the SQL stores alike), and is capped at
// storage.maximum-number-of-results (api/util.go).
const statusesPath = "api/v1/endpoints/statuses"

// endpointStatus is one endpoint of the listing (config/endpoint/status.go Status).
type endpointStatus struct {
	Name    string   `json:"name"`
	Group   string   `json:"group"`
	Key     string   `json:"key"`
	Results []result `json:"results"`
}

// result is one check (config/endpoint/result.go Result): success is whether every condition
// held; duration is in nanoseconds (a time.Duration).
type result struct {
	Status    int       `json:"status"`
	Duration  int64     `json:"duration"`
	Success   bool      `json:"success"`
	Timestamp time.Time `json:"timestamp"`
}

// statusesRequest asks for a page of the listing.
func statusesRequest(page, size int) apisource.Request {
	return apisource.Request{Path: statusesPath, Query: url.Values{"page": {strconv.Itoa(page)}, "pageSize": {strconv.Itoa(size)}}}
}

// decodeStatuses decodes a page of the listing and checks what the source relies on: every
// endpoint has a key, once; every result a timestamp. Results are put in time order.
func decodeStatuses(resp *apisource.Response) ([]endpointStatus, error) {
	var list []endpointStatus
	if err := resp.DecodeJSON(&list); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i := range list {
		ep := &list[i]
		where := fmt.Sprintf("GET %s: endpoint %d", resp.Endpoint, i+1)
		switch {
		case ep.Key == "":
			return nil, fmt.Errorf("%s: key is missing", where)
		case seen[ep.Key]:
			return nil, fmt.Errorf("%s: key %q is listed twice", where, ep.Key)
		}
		seen[ep.Key] = true
		for j, r := range ep.Results {
			if r.Timestamp.IsZero() {
				return nil, fmt.Errorf("%s (key %s): result %d: timestamp is missing", where, ep.Key, j+1)
			}
		}
		slices.SortStableFunc(ep.Results, func(a, b result) int { return a.Timestamp.Compare(b.Timestamp) })
	}
	return list, nil
}
