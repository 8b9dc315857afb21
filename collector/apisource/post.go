package apisource

import "net/http"

// Post makes one POST of body (a JSON-RPC call) with the given Content-Type, as Get makes a
// GET: the same retries, limits, cap, counting and scrubbing. Only requests that change nothing
// may be posted this way, since a 5xx or a network error is retried. secrets are credentials
// the body carries (JSON-RPC's "auth"), scrubbed from every message about the request.
func (s *Session) Post(path, contentType string, body []byte, secrets ...string) (*Response, error) {
	return s.Get(Request{Path: path, Method: http.MethodPost, Body: body, Secrets: secrets,
		Header: http.Header{"Content-Type": {contentType}}})
}

// method is the method that got the answer, as errors name it.
func (r *Response) method() string {
	if r.Method == "" {
		return http.MethodGet
	}
	return r.Method
}
