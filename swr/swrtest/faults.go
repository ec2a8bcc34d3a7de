package swrtest

import (
	"bytes"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Endpoint names one of the calls the server answers.
type Endpoint string

const (
	// SharedRepositories is GET /v2/manage/shared-repositories.
	SharedRepositories Endpoint = "shared-repositories"
	// AccessDomains is GET
	// /v2/manage/namespaces/{namespace}/repositories/{repository}/access-domains.
	AccessDomains Endpoint = "access-domains"
)

// ContentRangeOmit is the Fault.ContentRange that drops the Content-Range header.
const ContentRangeOmit = "omit"

// Fault alters the answers to the requests that match it. Several alterations
// may be combined; a fault only ever applies to authenticated requests, and
// its Times count only those.
type Fault struct {
	// Times is how many of the next matching requests the fault applies
	// to; 0 means every one.
	Times int
	// Match selects the requests the fault applies to, nil meaning every
	// request to the endpoint. It must not call AddFault or ClearFaults.
	Match func(*http.Request) bool

	// Status, when 400 or more, answers an API error of this status,
	// shaped by Shape, with Code and Message or else the status's
	// defaults. With Body, or below 400, it only replaces the status.
	Status int
	// Shape is the layout of error bodies, the server's own (a bad query,
	// an unknown repository) included.
	Shape ErrorShape
	// Code and Message are the error's; empty means the status's default.
	Code, Message string
	// RetryAfter is sent as the Retry-After header.
	RetryAfter string

	// Latency delays the whole answer, the headers included.
	Latency time.Duration
	// BodyDelay sends the headers and the first half of the body, then the
	// rest after this delay.
	BodyDelay time.Duration

	// Body replaces the body verbatim, to send malformed JSON, names that
	// are not UTF-8, numbers too large for an int64 and the like.
	Body []byte
	// Truncate sends half of the body with the Content-Length of all of
	// it, then closes the connection.
	Truncate bool
	// Pad makes the body at least this many bytes long with leading
	// whitespace, so it stays valid JSON yet exceeds a client's limit
	// before the JSON even starts.
	Pad int
	// ContentRange replaces the Content-Range header: "" keeps the true
	// one, ContentRangeOmit drops it, and anything else is sent verbatim,
	// even where the service would send none.
	ContentRange string
	// TotalDelta is added to the total the list reports, in Content-Range
	// and in total_range alike, to make it lie.
	TotalDelta int
	// NoTotalRange sets total_range to 0 in every element.
	NoTotalRange bool
	// Reset closes the connection without an answer, and with a TCP reset
	// where the connection allows it. Go's http.Transport sends a GET
	// again, once, when a connection it reused is reset, so a client may
	// never see a reset that applies only once.
	Reset bool

	// After runs once the answer is built, before it is sent, so the next
	// request the client makes sees what it did: for instance After can
	// call SetData so that the list changes between two pages. It does not
	// run when the client left during Latency.
	After func(s *Server)
}

// faultSlot is a fault added to the server and how often it was used.
type faultSlot struct {
	endpoint Endpoint
	fault    Fault
	used     int
}

// AddFault makes the server alter its answers to requests to the endpoint
// that f matches. Faults apply in the order they were added: a request gets
// the first matching fault that has uses left, and only that one.
func (s *Server) AddFault(e Endpoint, f Fault) {
	s.faultsMu.Lock()
	defer s.faultsMu.Unlock()
	s.faults = append(s.faults, &faultSlot{endpoint: e, fault: f})
}

// ClearFaults removes every fault: the server answers truthfully again.
func (s *Server) ClearFaults() {
	s.faultsMu.Lock()
	defer s.faultsMu.Unlock()
	s.faults = nil
}

// takeFault returns the fault for a request, using one of its Times, or the
// zero Fault, which alters nothing.
func (s *Server) takeFault(e Endpoint, r *http.Request) Fault {
	s.faultsMu.Lock()
	defer s.faultsMu.Unlock()

	for _, slot := range s.faults {
		if slot.endpoint != e || slot.fault.Times > 0 && slot.used >= slot.fault.Times {
			continue
		}
		if slot.fault.Match != nil && !slot.fault.Match(r) {
			continue
		}
		slot.used++
		return slot.fault
	}
	return Fault{}
}

// alter applies the fault's changes of status, body and headers to a built
// answer.
func (f Fault) alter(ans answer, requestID string) answer {
	switch {
	case f.Body != nil:
		ans.body = f.Body
		if f.Status != 0 {
			ans.status = f.Status
		}
	case f.Status >= http.StatusBadRequest:
		ans = newAPIError(f.Status, f.Code, f.Message).answer(f.Shape, requestID)
	case f.Status != 0:
		ans.status = f.Status
	}

	switch f.ContentRange {
	case "":
	case ContentRangeOmit:
		ans.contentRange = ""
	default:
		ans.contentRange = f.ContentRange
	}

	if len(ans.body) < f.Pad {
		padding := bytes.Repeat([]byte(" "), f.Pad-len(ans.body))
		ans.body = append(padding, ans.body...)
	}
	return ans
}

// send writes an answer as the fault says: in one go, in two parts with a
// pause, or cut short.
func send(w http.ResponseWriter, r *http.Request, ans answer, f Fault) {
	header := w.Header()
	header.Set("Content-Length", strconv.Itoa(len(ans.body)))
	if ans.contentRange != "" {
		header.Set("Content-Range", ans.contentRange)
	}
	if f.RetryAfter != "" {
		header.Set("Retry-After", f.RetryAfter)
	}
	w.WriteHeader(ans.status)

	body := ans.body
	if f.Truncate {
		body = body[:len(body)/2]
	}

	if f.BodyDelay > 0 {
		head := body[:(len(body)+1)/2]
		if _, err := w.Write(head); err != nil {
			return
		}
		if err := http.NewResponseController(w).Flush(); err != nil {
			return
		}
		if !wait(r, f.BodyDelay) {
			return
		}
		body = body[len(head):]
	}

	if _, err := w.Write(body); err != nil {
		return
	}
	if f.Truncate {
		_ = http.NewResponseController(w).Flush()
		abort(w, false)
	}
}

// wait pauses for d, or less if the client goes away first, which it
// reports with false. It keeps a test whose client gave up from leaving a
// handler behind.
func wait(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}

	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// abort closes the connection under the answer. With reset, the close is a
// TCP reset rather than an orderly end, as a crashing proxy would do.
func abort(w http.ResponseWriter, reset bool) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// HTTP/2 and recorders cannot be hijacked; this makes net/http
		// drop the stream or connection instead.
		panic(http.ErrAbortHandler)
	}

	if tcp, ok := conn.(*net.TCPConn); ok && reset {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}
