package file

import (
	"net/url"

	"github.com/sla-exporter/sla_exporter/collector/apisource"
)

// scrubber collects the secrets of the fetch: the URL's user information and query (and those of
// the URLs given: where a redirect led), and http_client_config's credentials, inline or in files
// (read now, since they may have changed). The scrubber is the one every HTTP source shares.
func (f *fetchPlan) scrubber(more ...*url.URL) *apisource.Scrubber {
	return apisource.NewScrubber(&f.client, append([]*url.URL{f.url}, more...)...)
}
