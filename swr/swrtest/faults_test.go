package swrtest

import (
	"cmp"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/swr-exporter/swr_exporter/swr"
)

// onOffset matches the list requests for one offset.
func onOffset(offset string) func(*http.Request) bool {
	return func(r *http.Request) bool { return r.URL.Query().Get("offset") == offset }
}

func TestFaultErrorAnswers(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name        string
		fault       Fault
		wantStatus  int
		wantCode    string
		wantMessage string
	}{
		{"400", Fault{Status: 400}, 400, "SVCSTG.SWR.4000001", "Invalid request"},
		{"401", Fault{Status: 401}, 401, "SVCSTG.SWR.4010000", "Authentication failed"},
		{"403", Fault{Status: 403}, 403, "SVCSTG.SWR.4030000", "Insufficient permissions"},
		{"404", Fault{Status: 404}, 404, "SVCSTG.SWR.4040000", "Not found"},
		{"429", Fault{Status: 429}, 429, "APIG.0308", "The request is throttled"},
		{"500", Fault{Status: 500}, 500, "SVCSTG.SWR.5000000", "Internal error"},
		{"503", Fault{Status: 503}, 503, "SVCSTG.SWR.5030000", "Service unavailable"},
		{"502, no default", Fault{Status: 502}, 502, "SVCSTG.SWR.5020000", "Bad Gateway"},
		{"own code and message", Fault{Status: 401, Code: "SVCSTG.SWR.4010001",
			Message: "token expired"}, 401, "SVCSTG.SWR.4010001", "token expired"},
	}
	for _, shape := range []ErrorShape{HuaweiCloud, OpenTelekomCloud} {
		for _, test := range tests {
			t.Run(shape.String()+"/"+test.name, func(t *testing.T) {
				t.Parallel()

				f := newFixture(t, Generate(3, 0, time.Now()))
				fault := test.fault
				fault.Shape = shape
				fault.RetryAfter = "7"
				f.server.AddFault(SharedRepositories, fault)

				response, body := get(t, f.client(), f.listURL(query("center", "self")))

				if response.StatusCode != test.wantStatus {
					t.Fatalf("status = %d, want %d", response.StatusCode, test.wantStatus)
				}
				if got := response.Header.Get("Retry-After"); got != "7" {
					t.Errorf("Retry-After = %q, want 7", got)
				}
				code, message := errorOf(t, shape, body)
				if code != test.wantCode || message != test.wantMessage {
					t.Errorf("error %q %q, want %q %q", code, message, test.wantCode,
						test.wantMessage)
				}
			})
		}
	}
}

// errorOf reads the code and message of an error body of the given shape.
func errorOf(t *testing.T, shape ErrorShape, body []byte) (code, message string) {
	t.Helper()

	if shape == OpenTelekomCloud {
		type element struct {
			Code    string `json:"errorCode"`
			Message string `json:"errorMessage"`
			Detail  string `json:"detail"`
		}
		elements := decode[[]element](t, body)
		if len(elements) != 1 || elements[0].Detail == "" {
			t.Fatalf("body %s is not one error with a detail", body)
		}
		return elements[0].Code, elements[0].Message
	}

	failure := decode[huaweiCloudErrorBody](t, body)
	if failure.RequestID == "" {
		t.Errorf("body %s has no request_id", body)
	}
	return failure.Code, failure.Message
}

func TestFaultSelection(t *testing.T) {
	t.Parallel()

	first, last := onOffset("0"), onOffset("1000")
	tests := []struct {
		name     string
		faults   []Fault
		endpoint Endpoint
		offsets  []string
		want     []int
	}{
		{
			name:    "every request",
			faults:  []Fault{{Status: 500}},
			offsets: []string{"0", "0", "0"},
			want:    []int{500, 500, 500},
		},
		{
			name:    "next two requests",
			faults:  []Fault{{Times: 2, Status: 503}},
			offsets: []string{"0", "0", "0"},
			want:    []int{503, 503, 200},
		},
		{
			name:    "matching requests only",
			faults:  []Fault{{Match: last, Status: 500}},
			offsets: []string{"0", "1000", "0", "1000"},
			want:    []int{200, 500, 200, 500},
		},
		{
			name:    "first with uses left wins",
			faults:  []Fault{{Times: 1, Status: 429}, {Status: 503}},
			offsets: []string{"0", "0", "0"},
			want:    []int{429, 503, 503},
		},
		{
			name:    "a fault that does not match leaves its uses",
			faults:  []Fault{{Times: 1, Match: last, Status: 429}, {Times: 1, Status: 503}},
			offsets: []string{"0", "0", "1000", "1000"},
			want:    []int{503, 200, 429, 200},
		},
		{
			name:    "second matching fault",
			faults:  []Fault{{Match: last, Status: 429}, {Match: first, Status: 503}},
			offsets: []string{"0", "1000", "500"},
			want:    []int{503, 429, 200},
		},
		{
			name:     "another endpoint's fault",
			faults:   []Fault{{Status: 500}},
			endpoint: AccessDomains,
			offsets:  []string{"0", "0"},
			want:     []int{200, 200},
		},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			t.Parallel()

			f := newFixture(t, Generate(3, 0, time.Now()))
			endpoint := cmp.Or(test.endpoint, SharedRepositories)
			for _, fault := range test.faults {
				f.server.AddFault(endpoint, fault)
			}

			var got []int
			for _, offset := range test.offsets {
				params := query("center", "self", "offset", offset, "limit", "10")
				response, _ := get(t, f.client(), f.listURL(params))
				got = append(got, response.StatusCode)
			}

			if !slices.Equal(got, test.want) {
				t.Errorf("statuses %v, want %v", got, test.want)
			}
			if requests := f.server.Requests(SharedRepositories); requests != len(test.want) {
				t.Errorf("Requests = %d, want %d", requests, len(test.want))
			}
		})
	}
}

func TestClearFaults(t *testing.T) {
	t.Parallel()

	f := newFixture(t, Generate(3, 0, time.Now()))
	f.server.AddFault(SharedRepositories, Fault{Status: 500})
	address := f.listURL(query("center", "self"))

	before, _ := get(t, f.client(), address)
	f.server.ClearFaults()
	after, _ := get(t, f.client(), address)

	if before.StatusCode != 500 || after.StatusCode != 200 {
		t.Errorf("statuses %d then %d, want 500 then 200", before.StatusCode, after.StatusCode)
	}
}

func TestFaultsSpareRefusedRequests(t *testing.T) {
	t.Parallel()

	f := newFixture(t, Generate(3, 0, time.Now()))
	f.server.AddFault(SharedRepositories, Fault{Times: 1, Status: 503})
	address := f.listURL(query("center", "self"))
	intruder := f.clientAs(swr.Credentials{AccessKey: "UNKNOWN", SecretKey: "x"}, "", nil)

	refused, body := get(t, intruder, address)
	faulted, _ := get(t, f.client(), address)

	if refused.StatusCode != 401 || !strings.Contains(string(body), authFailureCode) {
		t.Errorf("unknown key: status %d, body %s; want 401 %s", refused.StatusCode, body,
			authFailureCode)
	}
	if faulted.StatusCode != 503 {
		t.Errorf("next request: status %d, want the fault's 503", faulted.StatusCode)
	}
}

func TestFaultBodies(t *testing.T) {
	t.Parallel()

	paged := query("center", "self", "offset", "0", "limit", "2")
	// Not UTF-8, not an int64, and missing its closing bracket.
	const verbatim = "[{\"name\": \"caf\xe9\", \"size\": 1e400}"
	tests := []struct {
		name   string
		fault  Fault
		params []string
		check  func(t *testing.T, response *http.Response, body []byte)
	}{
		{
			name:  "verbatim body",
			fault: Fault{Body: []byte(verbatim)},
			check: func(t *testing.T, response *http.Response, body []byte) {
				if response.StatusCode != 200 || string(body) != verbatim {
					t.Errorf("status %d, body %q; want 200 and the fault's body",
						response.StatusCode, body)
				}
			},
		},
		{
			name:  "verbatim body with a status",
			fault: Fault{Status: 502, Body: []byte("<html>Bad Gateway</html>")},
			check: func(t *testing.T, response *http.Response, body []byte) {
				if response.StatusCode != 502 || string(body) != "<html>Bad Gateway</html>" {
					t.Errorf("status %d, body %q; want 502 and the fault's body",
						response.StatusCode, body)
				}
			},
		},
		{
			name:  "padded",
			fault: Fault{Pad: 1 << 20},
			check: func(t *testing.T, _ *http.Response, body []byte) {
				if len(body) != 1<<20 || len(decode[[]swr.Repository](t, body)) != 2 {
					t.Errorf("%d bytes, want 1 MiB of valid JSON", len(body))
				}
			},
		},
		{
			name:  "Content-Range omitted",
			fault: Fault{ContentRange: ContentRangeOmit},
			check: wantContentRange("", 3),
		},
		{
			name:  "Content-Range garbage",
			fault: Fault{ContentRange: "items */many"},
			check: wantContentRange("items */many", 3),
		},
		{
			name:   "Content-Range where the service sends none",
			fault:  Fault{ContentRange: "0-1/1"},
			params: []string{"center", "self"},
			check:  wantContentRange("0-1/1", 3),
		},
		{
			name:  "total larger",
			fault: Fault{TotalDelta: 5},
			check: wantContentRange("0-2/8", 8),
		},
		{
			name:  "total smaller",
			fault: Fault{TotalDelta: -2},
			check: wantContentRange("0-2/1", 1),
		},
		{
			name:  "no total_range",
			fault: Fault{NoTotalRange: true},
			check: wantContentRange("0-2/3", 0),
		},
		{
			name:   "shape of the server's own errors",
			fault:  Fault{Shape: OpenTelekomCloud},
			params: []string{"center", "self", "limit", "5000"},
			check: func(t *testing.T, response *http.Response, body []byte) {
				code, _ := errorOf(t, OpenTelekomCloud, body)
				if response.StatusCode != 400 || code != "SVCSTG.SWR.4000001" {
					t.Errorf("status %d, code %q; want 400 SVCSTG.SWR.4000001",
						response.StatusCode, code)
				}
			},
		},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			t.Parallel()

			f := newFixture(t, Generate(3, 0, time.Now()))
			f.server.AddFault(SharedRepositories, test.fault)
			params := paged
			if test.params != nil {
				params = query(test.params...)
			}

			response, body := get(t, f.client(), f.listURL(params))

			if got := response.Header.Get("Content-Type"); got != contentType {
				t.Errorf("Content-Type = %q, want %q", got, contentType)
			}
			test.check(t, response, body)
		})
	}
}

// wantContentRange checks a list page's Content-Range and total_range.
func wantContentRange(header string, totalRange int64) func(*testing.T, *http.Response,
	[]byte) {
	return func(t *testing.T, response *http.Response, body []byte) {
		t.Helper()

		if got := response.Header.Get("Content-Range"); got != header {
			t.Errorf("Content-Range = %q, want %q", got, header)
		}
		if _, ok := response.Header["Content-Range"]; header == "" && ok {
			t.Error("Content-Range is present, want it omitted")
		}
		for _, repo := range decode[[]swr.Repository](t, body) {
			if repo.TotalRange != totalRange {
				t.Errorf("%s: total_range = %d, want %d", repo.Key(), repo.TotalRange,
					totalRange)
			}
		}
	}
}

func TestFaultBrokenConnections(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name  string
		fault Fault
	}{
		{"truncated", Fault{Truncate: true}},
		{"truncated after a pause", Fault{Truncate: true, BodyDelay: 50 * time.Millisecond}},
		{"reset", Fault{Reset: true}},
		{"reset after a pause", Fault{Reset: true, Latency: 50 * time.Millisecond}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			t.Parallel()

			f := newFixture(t, Generate(30, 0, time.Now()))
			f.server.AddFault(SharedRepositories, test.fault)

			response, err := f.client().Get(f.listURL(query("center", "self")))
			if err == nil {
				_, err = io.ReadAll(response.Body)
				_ = response.Body.Close()
			}

			if test.fault.Truncate && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("reading the body: %v, want %v", err, io.ErrUnexpectedEOF)
			}
			if test.fault.Reset && (err == nil || response != nil) {
				t.Errorf("GET: %v, want no answer at all", err)
			}
		})
	}
}

func TestFaultDelays(t *testing.T) {
	t.Parallel()

	const delay = 300 * time.Millisecond
	tests := []struct {
		name  string
		fault Fault
		// headersDelayed is whether the headers wait out the delay too.
		headersDelayed bool
	}{
		{"latency", Fault{Latency: delay}, true},
		{"slow body", Fault{BodyDelay: delay}, false},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			t.Parallel()

			f := newFixture(t, Generate(30, 0, time.Now()))
			f.server.AddFault(SharedRepositories, test.fault)

			start := time.Now()
			response, err := f.client().Get(f.listURL(query("center", "self")))
			if err != nil {
				t.Fatal(err)
			}
			headers := time.Since(start)
			body, err := io.ReadAll(response.Body)
			_ = response.Body.Close()
			whole := time.Since(start)

			if err != nil || len(decode[[]swr.Repository](t, body)) != 30 {
				t.Fatalf("reading the body: %v, want the 30 repositories", err)
			}
			if delayed := headers >= delay; delayed != test.headersDelayed {
				t.Errorf("headers after %s with a delay of %s, want them delayed: %t",
					headers, delay, test.headersDelayed)
			}
			if whole < delay {
				t.Errorf("body complete after %s, want at least %s", whole, delay)
			}
		})
	}
}

// TestFaultDelaysEndWithTheClient checks that a handler waiting out a delay
// stops when its client leaves: the listener then closes at once, and
// TestMain finds no goroutine left.
func TestFaultDelaysEndWithTheClient(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name  string
		fault Fault
	}{
		{"latency", Fault{Latency: time.Hour}},
		{"slow body", Fault{BodyDelay: time.Hour}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			t.Parallel()

			server := NewServer(Generate(30, 0, time.Now()), plainAccount)
			server.AddFault(SharedRepositories, test.fault)
			listener := httptest.NewServer(server)
			f := &fixture{server: server, url: listener.URL, base: listener.Client().Transport}
			ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
			defer cancel()

			err := getWithContext(ctx, f.client(), f.listURL(query("center", "self")))
			start := time.Now()
			listener.Close()

			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("GET: %v, want %v", err, context.DeadlineExceeded)
			}
			if closing := time.Since(start); closing > 5*time.Second {
				t.Errorf("closing the listener took %s: the handler outlived its client",
					closing)
			}
			if log := server.Log(); len(log) != 1 || log[0].Status != slowBodyStatus(test.fault) {
				t.Errorf("log %+v, want one request with status %d", log,
					slowBodyStatus(test.fault))
			}
		})
	}
}

// slowBodyStatus is what the log shows of a request whose client left: the
// status, if the headers were sent before the delay.
func slowBodyStatus(fault Fault) int {
	if fault.BodyDelay > 0 {
		return http.StatusOK
	}
	return 0
}

// getWithContext sends a GET and reads the whole body, returning the first
// error.
func getWithContext(ctx context.Context, client *http.Client, address string) error {
	request, err := http.NewRequestWithContext(ctx, http.MethodGet, address, nil)
	if err != nil {
		return err
	}
	response, err := client.Do(request)
	if err != nil {
		return err
	}
	defer func() { _ = response.Body.Close() }()

	_, err = io.ReadAll(response.Body)
	return err
}

// TestFaultAfter makes the list grow between two pages, as it can while a
// client reads it.
func TestFaultAfter(t *testing.T) {
	t.Parallel()

	now := time.Now()
	f := newFixture(t, Generate(3, 0, now))
	f.server.AddFault(SharedRepositories, Fault{
		Times: 1,
		Match: onOffset("0"),
		After: func(s *Server) { s.SetData(Generate(5, 0, now)) },
	})

	var ranges []string
	for _, offset := range []string{"0", "2", "4"} {
		params := query("center", "self", "offset", offset, "limit", "2")
		response, _ := get(t, f.client(), f.listURL(params))
		ranges = append(ranges, response.Header.Get("Content-Range"))
	}

	want := []string{"0-2/3", "2-2/5", "4-1/5"}
	if !slices.Equal(ranges, want) {
		t.Errorf("Content-Range %q, want %q", ranges, want)
	}
}
