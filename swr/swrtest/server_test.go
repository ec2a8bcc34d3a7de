package swrtest

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/swr-exporter/swr_exporter/swr"
)

func TestRequestLog(t *testing.T) {
	t.Parallel()

	f := newFixture(t, Data{Self: []Repo{{Repository: swr.Repository{
		Namespace: "acme", Name: "team/web",
	}}}})
	f.server.AddFault(AccessDomains, Fault{Times: 1, Status: 503})
	unsigned := &http.Client{Transport: f.base}

	get(t, f.client(), f.listURL(query("center", "self", "limit", "10", "offset", "0")))
	get(t, f.client(), f.accessDomainsURL("acme", "team/web"))
	get(t, f.client(), f.accessDomainsURL("acme", "team/web"))
	get(t, unsigned, f.listURL(query("center", "thirdparty")))
	get(t, f.client(), f.url+"/v2/manage/namespaces")

	want := []Request{
		{SharedRepositories, "/v2/manage/shared-repositories",
			query("center", "self", "limit", "10", "offset", "0"), 200},
		{AccessDomains, "/v2/manage/namespaces/acme/repositories/team$web/access-domains",
			url.Values{}, 503},
		{AccessDomains, "/v2/manage/namespaces/acme/repositories/team$web/access-domains",
			url.Values{}, 200},
		{SharedRepositories, "/v2/manage/shared-repositories", query("center", "thirdparty"),
			401},
		{"", "/v2/manage/namespaces", url.Values{}, 404},
	}
	if got := f.server.Log(); !reflect.DeepEqual(got, want) {
		t.Errorf("Log() =\n%+v\nwant\n%+v", got, want)
	}
	counts := map[Endpoint]int{SharedRepositories: 2, AccessDomains: 2, "": 1}
	for endpoint, count := range counts {
		if got := f.server.Requests(endpoint); got != count {
			t.Errorf("Requests(%q) = %d, want %d", endpoint, got, count)
		}
	}

	f.server.ResetLog()

	if got := f.server.Log(); len(got) != 0 {
		t.Errorf("after ResetLog, Log() = %+v, want nothing", got)
	}
	if got := f.server.Requests(AccessDomains); got != 0 {
		t.Errorf("after ResetLog, Requests = %d, want 0", got)
	}
}

func TestRequestLogIsBounded(t *testing.T) {
	t.Parallel()

	server := NewServer(Data{})
	request, err := http.NewRequest(http.MethodGet, "/v2/manage/shared-repositories", nil)
	if err != nil {
		t.Fatal(err)
	}

	for range 2*logLimit + 10 {
		server.record(SharedRepositories, request)
	}

	if got := len(server.Log()); got != logLimit {
		t.Errorf("the log holds %d requests, want the latest %d", got, logLimit)
	}
	if got := server.Requests(SharedRepositories); got != 2*logLimit+10 {
		t.Errorf("Requests = %d, want every one counted", got)
	}
}

func TestCommonHeaders(t *testing.T) {
	t.Parallel()

	f := newFixture(t, Generate(2, 2, time.Now()))
	f.server.AddFault(SharedRepositories, Fault{Match: onOffset("7"), Status: 500})
	unsigned := &http.Client{Transport: f.base}

	tests := []struct {
		name       string
		client     *http.Client
		address    string
		wantStatus int
	}{
		{"list", f.client(), f.listURL(query("center", "thirdparty")), 200},
		{"access-domains", f.client(), f.accessDomainsURL("ns-000", "app-00000"), 200},
		{"bad query", f.client(), f.listURL(query("center", "nobody")), 400},
		{"refused", unsigned, f.listURL(query("center", "self")), 401},
		{"unknown path", f.client(), f.url + "/v1/repositories", 404},
		{"fault", f.client(), f.listURL(query("center", "self", "offset", "7")), 500},
	}
	seen := make(map[string]bool)
	for _, test := range tests {
		response, _ := get(t, test.client, test.address)

		if response.StatusCode != test.wantStatus {
			t.Errorf("%s: status = %d, want %d", test.name, response.StatusCode,
				test.wantStatus)
		}
		if got := response.Header.Get("Content-Type"); got != contentType {
			t.Errorf("%s: Content-Type = %q, want %q", test.name, got, contentType)
		}
		id := response.Header.Get("X-Request-Id")
		if id == "" || seen[id] {
			t.Errorf("%s: X-Request-Id = %q, want a new one", test.name, id)
		}
		seen[id] = true
	}
}

// TestConcurrentUse lets the race detector watch requests, data changes,
// faults and log reads happen at once.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()

	now := time.Now()
	f := newFixture(t, Generate(50, 50, now))

	var wg sync.WaitGroup
	for worker := range 8 {
		wg.Go(func() {
			client := f.client()
			for page := range 10 {
				offset := fmt.Sprint(page * 10)
				fetch(t, client, f.listURL(query("center", "self", "offset", offset,
					"limit", "10")))
				fetch(t, client, f.accessDomainsURL(fmt.Sprintf("ns-%03d", worker),
					fmt.Sprintf("app-%05d", worker)))
			}
		})
	}
	wg.Go(func() {
		for i := range 20 {
			f.server.SetData(Generate(50+i, 50, now))
			f.server.AddFault(SharedRepositories, Fault{Times: 1, Latency: time.Millisecond})
			f.server.SetClock(time.Now)
			_ = f.server.Log()
		}
		f.server.ClearFaults()
	})
	wg.Wait()

	if got := f.server.Requests(SharedRepositories); got != 80 {
		t.Errorf("Requests = %d, want 80", got)
	}
}

// fetch sends a GET from any goroutine, reporting a failure without stopping
// the test.
func fetch(t *testing.T, client *http.Client, address string) {
	t.Helper()

	response, err := client.Get(address)
	if err != nil {
		t.Errorf("GET %s: %v", address, err)
		return
	}
	_, _ = io.Copy(io.Discard, response.Body)
	_ = response.Body.Close()
}
