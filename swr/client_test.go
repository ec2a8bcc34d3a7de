package swr_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/swr-exporter/swr_exporter/swr"
	"github.com/swr-exporter/swr_exporter/swr/swrtest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

var (
	testAccount = swrtest.Account{AccessKey: "AKTEST0000000000000A", SecretKey: "test-secret"}
	testCreds   = swr.Credentials{AccessKey: testAccount.AccessKey,
		SecretKey: testAccount.SecretKey}
	testNow = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	// quickRetries keeps retry tests short; the policy's shape is the same.
	quickRetries = swr.RetryPolicy{MaxAttempts: 4, BaseDelay: 10 * time.Millisecond,
		MaxDelay: 40 * time.Millisecond, MaxRetryAfter: 5 * time.Second}
)

// newClient serves srv over loopback HTTP and returns a client of it that
// signs with creds.
func newClient(t *testing.T, srv *swrtest.Server, creds swr.Credentials, projectID string,
	opts ...swr.Option) *swr.Client {
	t.Helper()
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)

	transport := &swr.Transport{Credentials: swr.StaticCredentials(creds), ProjectID: projectID,
		Base: ts.Client().Transport}
	opts = append([]swr.Option{swr.WithRetryPolicy(quickRetries)}, opts...)
	client, err := swr.NewClient(ts.URL, &http.Client{Transport: transport}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// keys lists the repositories' namespace/name.
func keys(repositories []swr.Repository) []string {
	out := make([]string, 0, len(repositories))
	for _, r := range repositories {
		out = append(out, r.Key())
	}
	return out
}

func repoKeys(repos []swrtest.Repo) []string {
	out := make([]string, 0, len(repos))
	for _, r := range repos {
		out = append(out, r.Key())
	}
	return out
}

// offsets lists, in order, the offset of each shared-repositories request
// the server answered.
func offsets(srv *swrtest.Server) []int {
	var out []int
	for _, req := range srv.Log() {
		if req.Endpoint != swrtest.SharedRepositories {
			continue
		}
		offset, _ := strconv.Atoi(req.Query.Get("offset"))
		out = append(out, offset)
	}
	slices.Sort(out)
	return out
}

// TestClientAndServiceAgree sends every kind of authenticated request
// through the real transport to the simulated service, which checks each
// signature from the request as it arrived over the wire.
func TestClientAndServiceAgree(t *testing.T) {
	t.Parallel()
	data := swrtest.Generate(3, 2, testNow)
	data.Self[0].Name = "team/web app"
	for i := range data.Shares {
		if data.Shares[i].Repository == "app-00000" {
			data.Shares[i].Repository = "team/web app"
		}
	}

	tests := []struct {
		name      string
		account   swrtest.Account
		creds     swr.Credentials
		projectID string
	}{
		{name: "AK/SK", account: testAccount, creds: testCreds},
		{
			name: "temporary AK/SK with project",
			account: swrtest.Account{AccessKey: "AKTEMP", SecretKey: "temp-secret",
				SecurityToken: "session-token", ProjectID: "0123456789abcdef"},
			creds: swr.Credentials{AccessKey: "AKTEMP", SecretKey: "temp-secret",
				SecurityToken: "session-token"},
			projectID: "0123456789abcdef",
		},
		{
			name:    "IAM token",
			account: swrtest.Account{AuthToken: "iam-token-value"},
			creds:   swr.Credentials{AuthToken: "iam-token-value"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := swrtest.NewServer(data, tt.account)
			client := newClient(t, srv, tt.creds, tt.projectID)

			self, err := client.ListShared(t.Context(), swr.Self)
			if err != nil {
				t.Fatal(err)
			}
			thirdparty, err := client.ListShared(t.Context(), swr.ThirdParty)
			if err != nil {
				t.Fatal(err)
			}
			// A '/' and a space in the name: sent as '$' and %20, signed as
			// %24 and %20.
			domains, err := client.ListAccessDomains(t.Context(), data.Self[0].Namespace,
				"team/web app")
			if err != nil {
				t.Fatal(err)
			}

			if got, want := keys(self), repoKeys(data.Self); !slices.Equal(got, want) {
				t.Errorf("self = %v, want %v", got, want)
			}
			if got, want := keys(thirdparty), repoKeys(data.ThirdParty); !slices.Equal(got, want) {
				t.Errorf("thirdparty = %v, want %v", got, want)
			}
			if len(domains) == 0 || domains[0].Repository != "team/web app" {
				t.Errorf("access domains = %+v", domains)
			}
		})
	}
}

func TestWrongSecretKeyIsRefused(t *testing.T) {
	t.Parallel()
	srv := swrtest.NewServer(swrtest.Generate(1, 0, testNow), testAccount)
	client := newClient(t, srv, swr.Credentials{AccessKey: testAccount.AccessKey,
		SecretKey: "not-the-secret"}, "")

	_, err := client.ListShared(t.Context(), swr.Self)

	var errResp *swr.ErrorResponse
	if !errors.As(err, &errResp) || errResp.StatusCode != http.StatusUnauthorized ||
		errResp.Code != "APIG.0301" {
		t.Fatalf("error = %v, want a 401 APIG.0301", err)
	}
	if strings.Contains(err.Error(), "not-the-secret") {
		t.Errorf("error shows the secret key: %v", err)
	}
	if n := srv.Requests(swrtest.SharedRepositories); n != 1 {
		t.Errorf("%d requests, want 1: a 401 is not retried", n)
	}
}

func TestListSharedPaging(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		repos       int
		pageSize    int
		concurrency int
		faults      []swrtest.Fault
		// change, when set, alters the list once the first page is served.
		change      func(data *swrtest.Data)
		wantOffsets []int
		// wantRepos is how many of the original repositories, from the
		// first, must come back; 0 means all.
		wantRepos int
	}{
		{name: "empty list", repos: 0, pageSize: 1000, concurrency: 4, wantOffsets: []int{0}},
		{name: "one repository", repos: 1, pageSize: 1000, concurrency: 4, wantOffsets: []int{0}},
		{
			name: "exactly one page", repos: 1000, pageSize: 1000, concurrency: 4,
			wantOffsets: []int{0},
		},
		{
			name: "2501 over pages of 1000", repos: 2501, pageSize: 1000, concurrency: 4,
			wantOffsets: []int{0, 1000, 2000},
		},
		{
			name: "many pages, concurrency 4", repos: 95, pageSize: 10, concurrency: 4,
			wantOffsets: []int{0, 10, 20, 30, 40, 50, 60, 70, 80, 90},
		},
		{
			name: "total only in total_range", repos: 2501, pageSize: 1000, concurrency: 4,
			faults:      []swrtest.Fault{{ContentRange: swrtest.ContentRangeOmit}},
			wantOffsets: []int{0, 1000, 2000},
		},
		{
			name: "no total at all: read to the short page", repos: 2501, pageSize: 1000,
			concurrency: 4,
			faults: []swrtest.Fault{{ContentRange: swrtest.ContentRangeOmit,
				NoTotalRange: true}},
			wantOffsets: []int{0, 1000, 2000},
		},
		{
			name: "no total at all: read to the empty page", repos: 2000, pageSize: 1000,
			concurrency: 4,
			faults: []swrtest.Fault{{ContentRange: swrtest.ContentRangeOmit,
				NoTotalRange: true}},
			wantOffsets: []int{0, 1000, 2000},
		},
		{
			name: "garbage Content-Range falls back to total_range", repos: 1500,
			pageSize: 1000, concurrency: 4,
			faults:      []swrtest.Fault{{ContentRange: "bytes */*"}},
			wantOffsets: []int{0, 1000},
		},
		{
			name: "total lies larger: empty pages read, nothing invented", repos: 1000,
			pageSize: 1000, concurrency: 4,
			faults:      []swrtest.Fault{{TotalDelta: 1500}},
			wantOffsets: []int{0, 1000, 2000},
		},
		{
			name: "total lies smaller: full pages read on", repos: 2501, pageSize: 1000,
			concurrency: 4,
			faults:      []swrtest.Fault{{TotalDelta: -1400}},
			wantOffsets: []int{0, 1000, 2000},
		},
		{
			// A repository added at the front after the first page shifts the
			// tail: the last of page one shows again on page two, and the
			// larger total sends the reader one page further.
			name: "duplicates across pages as the list grows", repos: 2000, pageSize: 1000,
			concurrency: 4,
			change: func(data *swrtest.Data) {
				added := data.Self[0]
				added.Name = "added-late"
				data.Self = append([]swrtest.Repo{added}, data.Self...)
			},
			wantOffsets: []int{0, 1000, 2000},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := swrtest.Generate(tt.repos, 0, testNow)
			srv := swrtest.NewServer(data, testAccount)
			for _, fault := range tt.faults {
				srv.AddFault(swrtest.SharedRepositories, fault)
			}
			if tt.change != nil {
				changed := swrtest.Generate(tt.repos, 0, testNow)
				tt.change(&changed)
				srv.AddFault(swrtest.SharedRepositories, swrtest.Fault{Times: 1,
					After: func(s *swrtest.Server) { s.SetData(changed) }})
			}
			client := newClient(t, srv, testCreds, "", swr.WithPageSize(tt.pageSize),
				swr.WithConcurrency(tt.concurrency))

			got, err := client.ListShared(t.Context(), swr.Self)
			if err != nil {
				t.Fatal(err)
			}

			want := repoKeys(data.Self)
			if !slices.Equal(keys(got), want) {
				t.Errorf("got %d repositories, want the %d of the list in order",
					len(got), len(want))
			}
			if got := offsets(srv); !slices.Equal(got, tt.wantOffsets) {
				t.Errorf("requested offsets %v, want %v", got, tt.wantOffsets)
			}
		})
	}
}

// TestListSharedConcurrencyBound checks that no more than the configured
// number of requests are in flight at once, across calls made together.
func TestListSharedConcurrencyBound(t *testing.T) {
	t.Parallel()
	srv := swrtest.NewServer(swrtest.Generate(200, 100, testNow), testAccount)
	srv.AddFault(swrtest.SharedRepositories, swrtest.Fault{Latency: 20 * time.Millisecond})
	srv.AddFault(swrtest.AccessDomains, swrtest.Fault{Latency: 20 * time.Millisecond})
	var (
		mu             sync.Mutex
		inflight, peak int
	)
	counting := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inflight++
		peak = max(peak, inflight)
		mu.Unlock()
		srv.ServeHTTP(w, r)
		mu.Lock()
		inflight--
		mu.Unlock()
	})
	ts := httptest.NewServer(counting)
	t.Cleanup(ts.Close)
	client, err := swr.NewClient(ts.URL, &http.Client{Transport: &swr.Transport{
		Credentials: swr.StaticCredentials(testCreds)}},
		swr.WithPageSize(10), swr.WithConcurrency(3))
	if err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	counts := make([]int, 2)
	for i, list := range []swr.SharedBy{swr.Self, swr.ThirdParty} {
		wg.Go(func() {
			got, err := client.ListShared(t.Context(), list)
			if err != nil {
				t.Error(err)
			}
			counts[i] = len(got)
		})
	}
	for range 10 {
		wg.Go(func() {
			if _, err := client.ListAccessDomains(t.Context(), "ns-000", "app-00000"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	if counts[0] != 200 || counts[1] != 100 || peak != 3 {
		t.Errorf("got %d and %d repositories with %d requests at once at most, "+
			"want 200 and 100 with 3", counts[0], counts[1], peak)
	}
}

func TestRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		faults       []swrtest.Fault
		timeout      time.Duration
		wantRequests int
		wantStatus   int // 0: success
		minElapsed   time.Duration
	}{
		{
			name:         "429 with Retry-After, then success",
			faults:       []swrtest.Fault{{Times: 1, Status: 429, RetryAfter: "1"}},
			wantRequests: 2,
			minElapsed:   time.Second,
		},
		{
			name:         "429 without Retry-After, then success",
			faults:       []swrtest.Fault{{Times: 2, Status: 429}},
			wantRequests: 3,
		},
		{
			name:         "503 then success",
			faults:       []swrtest.Fault{{Times: 1, Status: 503}},
			wantRequests: 2,
		},
		{
			name:         "500 every time: gives up after the attempts",
			faults:       []swrtest.Fault{{Status: 500}},
			wantRequests: 4,
			wantStatus:   500,
		},
		{
			name:         "connection reset, then success",
			faults:       []swrtest.Fault{{Times: 1, Reset: true}},
			wantRequests: 2,
		},
		{
			name:         "truncated body, then success",
			faults:       []swrtest.Fault{{Times: 1, Truncate: true}},
			wantRequests: 2,
		},
		{
			name:         "Retry-After past the deadline ends the retries",
			faults:       []swrtest.Fault{{Status: 429, RetryAfter: "30"}},
			timeout:      2 * time.Second,
			wantRequests: 1,
			wantStatus:   429,
		},
		{
			name:         "404 is not retried",
			faults:       []swrtest.Fault{{Status: 404}},
			wantRequests: 1,
			wantStatus:   404,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := swrtest.NewServer(swrtest.Generate(5, 0, testNow), testAccount)
			for _, fault := range tt.faults {
				srv.AddFault(swrtest.SharedRepositories, fault)
			}
			client := newClient(t, srv, testCreds, "")
			ctx := t.Context()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}

			start := time.Now()
			got, err := client.ListShared(ctx, swr.Self)
			elapsed := time.Since(start)

			if n := srv.Requests(swrtest.SharedRepositories); n != tt.wantRequests {
				t.Errorf("%d requests, want %d", n, tt.wantRequests)
			}
			if tt.wantStatus == 0 {
				if err != nil || len(got) != 5 {
					t.Fatalf("got %d repositories, %v; want 5", len(got), err)
				}
			} else {
				var errResp *swr.ErrorResponse
				if !errors.As(err, &errResp) || errResp.StatusCode != tt.wantStatus {
					t.Fatalf("error = %v, want status %d", err, tt.wantStatus)
				}
			}
			if elapsed < tt.minElapsed {
				t.Errorf("returned after %v, before the %v the server asked for", elapsed,
					tt.minElapsed)
			}
			if tt.timeout > 0 && elapsed >= tt.timeout {
				t.Errorf("returned after %v, past the %v deadline", elapsed, tt.timeout)
			}
		})
	}
}

// TestDeadlineEndsRetries lets the backoff outlast the context: the call
// must end at the deadline with the last upstream error, not wait on.
func TestDeadlineEndsRetries(t *testing.T) {
	t.Parallel()
	srv := swrtest.NewServer(swrtest.Generate(5, 0, testNow), testAccount)
	srv.AddFault(swrtest.SharedRepositories, swrtest.Fault{Status: 503})
	client := newClient(t, srv, testCreds, "", swr.WithRetryPolicy(swr.RetryPolicy{
		MaxAttempts: 100, BaseDelay: 50 * time.Millisecond, MaxDelay: 50 * time.Millisecond}))
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()

	start := time.Now()
	_, err := client.ListShared(ctx, swr.Self)
	elapsed := time.Since(start)

	var errResp *swr.ErrorResponse
	if !errors.As(err, &errResp) || errResp.StatusCode != 503 {
		t.Fatalf("error = %v, want the last 503", err)
	}
	if elapsed > 400*time.Millisecond {
		t.Errorf("returned after %v, well past the 300ms deadline", elapsed)
	}
	if n := srv.Requests(swrtest.SharedRepositories); n < 2 || n >= 100 {
		t.Errorf("%d requests, want retries that stopped short of the 100 attempts", n)
	}
}

func TestErrorShapesThroughClient(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault swrtest.Fault
		want  string
	}{
		{
			name: "Huawei Cloud object",
			fault: swrtest.Fault{Status: 403, Shape: swrtest.HuaweiCloud,
				Code: "SVCSTG.SWR.4030000", Message: "Insufficient permissions"},
			want: "403 SVCSTG.SWR.4030000: Insufficient permissions (request id ",
		},
		{
			name: "Open Telekom Cloud array",
			fault: swrtest.Fault{Status: 403, Shape: swrtest.OpenTelekomCloud,
				Code: "SVCSTG.SWR.4030000", Message: "Insufficient permissions"},
			want: "403 SVCSTG.SWR.4030000: Insufficient permissions",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := swrtest.NewServer(swrtest.Generate(1, 0, testNow), testAccount)
			srv.AddFault(swrtest.SharedRepositories, tt.fault)
			client := newClient(t, srv, testCreds, "")

			_, err := client.ListShared(t.Context(), swr.ThirdParty)

			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), "/v2/manage/shared-repositories?center=thirdparty") {
				t.Errorf("error does not name the request: %v", err)
			}
		})
	}
}

func TestBadBodies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault swrtest.Fault
		opts  []swr.Option
		want  string
		is    error
	}{
		{
			name:  "malformed JSON",
			fault: swrtest.Fault{Body: []byte(`[{"name":"a",}]`)},
			want:  "decoding self page at offset 0: malformed JSON at byte 14 of 15",
		},
		{
			name:  "object instead of array",
			fault: swrtest.Fault{Body: []byte(`{"name":"a"}`)},
			want:  "decoding self page at offset 0: unexpected JSON at byte 1 of 12",
		},
		{
			name:  "body over the limit",
			fault: swrtest.Fault{Pad: 4096},
			opts:  []swr.Option{swr.WithMaxBodyBytes(1024)},
			is:    swr.ErrBodyTooLarge,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := swrtest.NewServer(swrtest.Generate(3, 0, testNow), testAccount)
			srv.AddFault(swrtest.SharedRepositories, tt.fault)
			client := newClient(t, srv, testCreds, "", tt.opts...)

			_, err := client.ListShared(t.Context(), swr.Self)

			if err == nil {
				t.Fatal("no error")
			}
			if tt.want != "" && !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to start with %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error = %v, want errors.Is %v", err, tt.is)
			}
			if n := srv.Requests(swrtest.SharedRepositories); n != 1 {
				t.Errorf("%d requests, want 1: a bad body is not retried", n)
			}
		})
	}
}

func TestSlowAnswerStopsAtDeadline(t *testing.T) {
	t.Parallel()
	for _, fault := range []swrtest.Fault{
		{Latency: 10 * time.Second},
		{BodyDelay: 10 * time.Second},
	} {
		srv := swrtest.NewServer(swrtest.Generate(3, 0, testNow), testAccount)
		srv.AddFault(swrtest.SharedRepositories, fault)
		client := newClient(t, srv, testCreds, "")
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)

		start := time.Now()
		_, err := client.ListShared(ctx, swr.Self)
		cancel()

		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%+v: error = %v, want the deadline", fault, err)
		}
		if elapsed := time.Since(start); elapsed > 5*time.Second {
			t.Errorf("%+v: returned after %v", fault, elapsed)
		}
	}
}

func TestListAccessDomains(t *testing.T) {
	t.Parallel()
	data := swrtest.Generate(9, 0, testNow)
	srv := swrtest.NewServer(data, testAccount)
	client := newClient(t, srv, testCreds, "")

	var want int
	for _, share := range data.Shares {
		if share.Namespace == data.Self[0].Namespace && share.Repository == data.Self[0].Name {
			want++
		}
	}
	got, err := client.ListAccessDomains(t.Context(), data.Self[0].Namespace, data.Self[0].Name)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != want || want == 0 {
		t.Errorf("got %d shares, want %d", len(got), want)
	}

	_, err = client.ListAccessDomains(t.Context(), "nobody", "nothing")
	var errResp *swr.ErrorResponse
	if !errors.As(err, &errResp) || errResp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown repository: error = %v, want a 404", err)
	}
	log := srv.Log()
	if last := log[len(log)-1]; last.Endpoint != swrtest.AccessDomains {
		t.Errorf("last request went to %q", last.Endpoint)
	}
}

func TestEndpointInContext(t *testing.T) {
	t.Parallel()
	srv := swrtest.NewServer(swrtest.Generate(1, 0, testNow), testAccount)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	var seen []string
	recorder := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		seen = append(seen, swr.EndpointFromContext(req.Context()))
		return http.DefaultTransport.RoundTrip(req)
	})
	client, err := swr.NewClient(ts.URL, &http.Client{Transport: &swr.Transport{
		Credentials: swr.StaticCredentials(testCreds), Base: recorder}})
	if err != nil {
		t.Fatal(err)
	}

	if _, err := client.ListShared(t.Context(), swr.Self); err != nil {
		t.Fatal(err)
	}
	if _, err := client.ListAccessDomains(t.Context(), "ns-000", "app-00000"); err != nil {
		t.Fatal(err)
	}
	want := []string{swr.EndpointSharedRepositories, swr.EndpointAccessDomains}
	if !slices.Equal(seen, want) {
		t.Errorf("endpoints = %v, want %v", seen, want)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

func TestNewClientRefusesBadSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		endpoint string
		opts     []swr.Option
		want     string
	}{
		{"swr.example", nil, `endpoint "swr.example" is not an http(s) URL with a host`},
		{
			"ftp://swr.example", nil,
			`endpoint "ftp://swr.example" is not an http(s) URL with a host`,
		},
		{"https://swr.example", []swr.Option{swr.WithPageSize(1001)},
			"page size 1001 is not within 1..1000"},
		{"https://swr.example", []swr.Option{swr.WithConcurrency(0)}, "concurrency 0 is below 1"},
	}
	for _, tt := range tests {
		_, err := swr.NewClient(tt.endpoint, http.DefaultClient, tt.opts...)
		if err == nil || err.Error() != tt.want {
			t.Errorf("NewClient(%q) error = %v, want %q", tt.endpoint, err, tt.want)
		}
	}
}

func TestRegionEndpoint(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"ap-southeast-3": "https://swr-api.ap-southeast-3.myhuaweicloud.com",
		"cn-north-4":     "https://swr-api.cn-north-4.myhuaweicloud.com",
		"eu-west-101":    "https://swr-api.eu-west-101.myhuaweicloud.eu",
		"eu-de":          "https://swr-api.eu-de.otc.t-systems.com",
		"eu-nl":          "https://swr-api.eu-nl.otc.t-systems.com",
	}
	for region, want := range tests {
		if got, err := swr.RegionEndpoint(region); err != nil || got != want {
			t.Errorf("RegionEndpoint(%q) = %q, %v; want %q", region, got, err, want)
		}
	}
	for _, bad := range []string{"", "Singapore", "eu_de", "eu-de/../x", "https://x"} {
		if _, err := swr.RegionEndpoint(bad); err == nil {
			t.Errorf("RegionEndpoint(%q) accepted", bad)
		}
	}
}
