// Package swrtest is a simulated SWR service. It answers the two calls the
// exporter makes, authenticates requests the way the API gateway does, and
// can be told to misbehave in the ways the real service and the networks in
// front of it do.
//
// Tests and benchmarks of the client and the exporter run against it, and so
// does the exporter's --demo mode, which is why the package must not import
// "testing".
package swrtest

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/swr-exporter/swr_exporter/swr"
)

// Account is one set of credentials the server accepts: an access key and
// secret key, or an IAM token, or both.
type Account struct {
	AccessKey string
	SecretKey string
	// SecurityToken, when set, makes the access key a temporary one: its
	// requests must carry X-Security-Token with this value, and sign it.
	SecurityToken string
	// AuthToken is an IAM token accepted in X-Auth-Token.
	AuthToken string
	// ProjectID, when set, must be sent as X-Project-Id; a request naming
	// another project, or none, is refused with 403.
	ProjectID string
}

// Repo is a repository of the data set. DownloadsPerHour makes its
// num_download grow with the server's clock from the moment the server was
// created (or its clock set), so that rate() over the exporter's counter shows
// something in demo mode.
type Repo struct {
	swr.Repository
	DownloadsPerHour float64
}

// Data is what the simulated account holds.
type Data struct {
	// Self are the repositories the account shares with others.
	Self []Repo
	// ThirdParty are the repositories others share with the account.
	ThirdParty []Repo
	// Shares are the access-domains of the Self repositories, matched to
	// them by Namespace and Repository.
	Shares []swr.AccessDomain
}

// Request is the record of one request the server received.
type Request struct {
	// Endpoint is the call the path names, "" for any other path.
	Endpoint Endpoint
	// Path is the request's decoded path.
	Path string
	// Query is the request's decoded query.
	Query url.Values
	// Status is the status sent, 0 while the request is being served or
	// when no answer was sent (a reset connection, a client that left).
	Status int
}

// logLimit bounds the request log, so a demo server that runs for weeks
// does not grow without end.
const logLimit = 10000

// contentType is the header the service sends with every answer.
const contentType = "application/json;charset=utf-8"

// Server is the simulated SWR service, an http.Handler. It is safe for
// concurrent use, and its data, clock and faults may be changed while it
// serves.
//
// It serves:
//
//   - GET /v2/manage/shared-repositories, with the query parameters of the
//     API reference, paged by offset and limit (limit 1 to 1000, default
//     100), with Content-Range "offset-count/total" when the query has both
//     offset and limit, and total_range set in every element.
//   - GET /v2/manage/namespaces/{namespace}/repositories/{repository}/access-domains,
//     where a '$' in the repository stands for '/'. Like the real service,
//     it has no paging and answers at most 100 records, the default page of
//     the API reference: a repository shared with more accounts loses the
//     rest. A share whose deadline has passed by the server's clock is
//     reported expired (status false), as the service would.
//
// Every other path is a 404. Every request is authenticated first; see
// NewServer.
type Server struct {
	accounts []Account

	mu     sync.Mutex
	data   Data
	now    func() time.Time
	origin time.Time
	log    []*Request
	counts map[Endpoint]int

	faultsMu sync.Mutex
	faults   []*faultSlot

	lastRequestID atomic.Uint64
}

// NewServer returns a server holding data that accepts the given accounts.
//
// A request authenticates with X-Auth-Token, which must be one of the
// accounts' AuthToken, or else with an SDK-HMAC-SHA256 signature: the access
// key must be known, host and x-sdk-date signed, X-Sdk-Date within 15 minutes
// of the server's clock, the security token of a temporary key signed, and the
// signature, computed over the request as received, right. Failures are 401
// APIG.0301. An account with a ProjectID, however it authenticates, must also
// send it as X-Project-Id, or get 403.
//
// The clock is time.Now until SetClock changes it.
func NewServer(data Data, accounts ...Account) *Server {
	s := &Server{
		accounts: slices.Clone(accounts),
		now:      time.Now,
		counts:   make(map[Endpoint]int),
	}
	s.origin = s.now()
	s.SetData(data)
	return s
}

// SetData replaces the data set. An answer already being built keeps the
// data it started with; the next ones see the new set, which is how a test
// makes the list change between two pages.
func (s *Server) SetData(data Data) {
	copied := Data{
		Self:       slices.Clone(data.Self),
		ThirdParty: slices.Clone(data.ThirdParty),
		Shares:     slices.Clone(data.Shares),
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.data = copied
}

// SetClock makes now the server's clock, for checking X-Sdk-Date, expiring
// shares and growing download counts. The downloads grow from the new clock's
// present: what they had grown before is forgotten.
func (s *Server) SetClock(now func() time.Time) {
	origin := now()

	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
	s.origin = origin
}

// Requests returns how many requests to the endpoint arrived since the server
// was created or ResetLog was called, whatever their answer.
func (s *Server) Requests(e Endpoint) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[e]
}

// Log returns the requests received, in the order they arrived: all of them
// since the server was created or ResetLog was called, up to the latest
// 10000.
func (s *Server) Log() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()

	// The log is trimmed only now and then, to keep record cheap.
	kept := s.log[max(0, len(s.log)-logLimit):]
	log := make([]Request, len(kept))
	for i, entry := range kept {
		log[i] = *entry
		log[i].Query = cloneValues(entry.Query)
	}
	return log
}

// ResetLog empties the request log and sets every endpoint's request count
// back to zero.
func (s *Server) ResetLog() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
	clear(s.counts)
}

// ServeHTTP answers one request to the simulated API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := parseRoute(r)
	entry := s.record(target.endpoint, r)
	rec := &statusRecorder{ResponseWriter: w}
	defer s.finish(entry, rec)

	requestID := s.newRequestID()
	rec.Header().Set("X-Request-Id", requestID)
	rec.Header().Set("Content-Type", contentType)

	if failure := s.authenticate(r); failure != nil {
		send(rec, r, failure.answer(HuaweiCloud, requestID), Fault{})
		return
	}

	fault := s.takeFault(target.endpoint, r)
	if !wait(r, fault.Latency) {
		return
	}

	ans := s.answer(target, r, fault, requestID)
	if fault.After != nil {
		fault.After(s)
	}

	if fault.Reset {
		abort(rec, true)
		return
	}
	send(rec, r, ans, fault)
}

// answer builds the whole response to an authenticated request, the fault's
// alterations included, before anything is sent.
func (s *Server) answer(target route, r *http.Request, fault Fault, requestID string) answer {
	var ans answer
	var failure *apiError
	switch {
	case target.endpoint == "" || r.Method != http.MethodGet:
		failure = newAPIError(http.StatusNotFound, "", "")
	case target.endpoint == SharedRepositories:
		ans, failure = s.listSharedRepositories(r.URL.Query(), fault)
	case target.endpoint == AccessDomains:
		ans, failure = s.listAccessDomains(target.namespace, target.repository)
	}
	if failure != nil {
		ans = failure.answer(fault.Shape, requestID)
	}

	return fault.alter(ans, requestID)
}

// snapshot returns the data and the time elapsed on the server's clock since
// its origin. The data's slices are replaced, never changed, so they may be
// read without the lock.
func (s *Server) snapshot() (data Data, now time.Time, elapsed time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now = s.now()
	return s.data, now, now.Sub(s.origin)
}

func (s *Server) clock() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

// record logs and counts a request on arrival, so a test can see a request
// that is still being served.
func (s *Server) record(endpoint Endpoint, r *http.Request) *Request {
	entry := &Request{Endpoint: endpoint, Path: r.URL.Path, Query: r.URL.Query()}

	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.log) >= 2*logLimit {
		s.log = slices.Clone(s.log[len(s.log)-logLimit+1:])
	}
	s.log = append(s.log, entry)
	s.counts[endpoint]++
	return entry
}

func (s *Server) finish(entry *Request, rec *statusRecorder) {
	s.mu.Lock()
	defer s.mu.Unlock()
	entry.Status = rec.status
}

// newRequestID returns an id unique within the server, shaped like the
// gateway's 32 hex digits.
func (s *Server) newRequestID() string {
	return fmt.Sprintf("%032x", s.lastRequestID.Add(1))
}

// route is what the path of a request names.
type route struct {
	endpoint   Endpoint
	namespace  string
	repository string
}

// parseRoute finds the endpoint a request is for. It splits the path as sent,
// so that an escaped '/' inside a segment stays inside it.
func parseRoute(r *http.Request) route {
	path := r.URL.EscapedPath()
	if path == "/v2/manage/shared-repositories" {
		return route{endpoint: SharedRepositories}
	}

	segments := strings.Split(path, "/")
	if len(segments) != 8 || segments[0] != "" || segments[1] != "v2" ||
		segments[2] != "manage" || segments[3] != "namespaces" ||
		segments[5] != "repositories" || segments[7] != "access-domains" {
		return route{}
	}
	namespace, errNamespace := url.PathUnescape(segments[4])
	repository, errRepository := url.PathUnescape(segments[6])
	if errNamespace != nil || errRepository != nil || namespace == "" || repository == "" {
		return route{}
	}
	return route{
		endpoint:   AccessDomains,
		namespace:  namespace,
		repository: strings.ReplaceAll(repository, "$", "/"),
	}
}

// statusRecorder remembers the status sent, for the log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusRecorder) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection, to flush and
// hijack it.
func (w *statusRecorder) Unwrap() http.ResponseWriter {
	return w.ResponseWriter
}

func cloneValues(values url.Values) url.Values {
	cloned := make(url.Values, len(values))
	for key, list := range values {
		cloned[key] = slices.Clone(list)
	}
	return cloned
}
