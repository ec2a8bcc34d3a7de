package swrtest

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/swr-exporter/swr_exporter/swr"
)

func TestSharedRepositoriesPages(t *testing.T) {
	t.Parallel()

	f := newFixture(t, Generate(250, 0, time.Now()))
	client := f.client()

	tests := []struct {
		name             string
		offset, limit    string // "" leaves the parameter out
		wantContentRange string
		wantFirst        string
		wantCount        int
	}{
		{"first page", "0", "100", "0-100/250", "ns-000/app-00000", 100},
		{"middle page", "100", "100", "100-100/250", "ns-000/app-00100", 100},
		{"last page", "200", "100", "200-50/250", "ns-000/app-00200", 50},
		{"empty page past the end", "300", "100", "300-0/250", "", 0},
		{"page of one", "249", "1", "249-1/250", "ns-009/app-00249", 1},
		{"largest page", "0", "1000", "0-250/250", "ns-000/app-00000", 250},
		{"limit alone", "", "10", "", "ns-000/app-00000", 10},
		{"offset alone", "245", "", "", "ns-005/app-00245", 5},
		{"neither: 100 from the start", "", "", "", "ns-000/app-00000", 100},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			t.Parallel()

			params := query("center", "self")
			if test.offset != "" {
				params.Set("offset", test.offset)
			}
			if test.limit != "" {
				params.Set("limit", test.limit)
			}
			response, body := get(t, client, f.listURL(params))

			if response.StatusCode != http.StatusOK {
				t.Fatalf("status = %d, want 200; body %s", response.StatusCode, body)
			}
			if got := response.Header.Get("Content-Range"); got != test.wantContentRange {
				t.Errorf("Content-Range = %q, want %q", got, test.wantContentRange)
			}
			page := decode[[]swr.Repository](t, body)
			if page == nil {
				t.Errorf("body %s is not an array", body)
			}
			if len(page) != test.wantCount {
				t.Fatalf("%d repositories, want %d", len(page), test.wantCount)
			}
			if len(page) > 0 && page[0].Key() != test.wantFirst {
				t.Errorf("first repository %s, want %s", page[0].Key(), test.wantFirst)
			}
			for _, repo := range page {
				if repo.TotalRange != 250 {
					t.Errorf("%s: total_range = %d, want 250", repo.Key(), repo.TotalRange)
				}
			}
		})
	}
}

func TestSharedRepositoriesRefusesBadQueries(t *testing.T) {
	t.Parallel()

	f := newFixture(t, Generate(3, 3, time.Now()))
	client := f.client()

	tests := []struct {
		name       string
		pairs      []string
		wantStatus int
	}{
		{"limit 1000", []string{"center", "self", "limit", "1000"}, http.StatusOK},
		{"limit 1001", []string{"center", "self", "limit", "1001"}, http.StatusBadRequest},
		{"limit 0", []string{"center", "self", "limit", "0"}, http.StatusBadRequest},
		{"negative limit", []string{"center", "self", "limit", "-5"}, http.StatusBadRequest},
		{"limit not a number", []string{"center", "self", "limit", "ten"}, http.StatusBadRequest},
		{"negative offset", []string{"center", "self", "offset", "-1"}, http.StatusBadRequest},
		{"offset a decimal", []string{"center", "self", "offset", "1.5"}, http.StatusBadRequest},
		{"no center", []string{"limit", "10"}, http.StatusBadRequest},
		{"unknown center", []string{"center", "public"}, http.StatusBadRequest},
		{"status not a boolean", []string{"center", "thirdparty", "status", "expired"},
			http.StatusBadRequest},
		{"unknown order column", []string{"center", "self", "order_column", "size"},
			http.StatusBadRequest},
		{"unknown order type", []string{"center", "self", "order_column", "name",
			"order_type", "random"}, http.StatusBadRequest},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			t.Parallel()

			response, body := get(t, client, f.listURL(query(test.pairs...)))

			if response.StatusCode != test.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", response.StatusCode,
					test.wantStatus, body)
			}
			if test.wantStatus == http.StatusOK {
				return
			}
			failure := decode[huaweiCloudErrorBody](t, body)
			if failure.Code != "SVCSTG.SWR.4000001" || failure.Message == "" {
				t.Errorf("error %+v, want code SVCSTG.SWR.4000001 and a message", failure)
			}
		})
	}
}

// filterData is a small data set whose order differs by every column.
func filterData() Data {
	repo := func(namespace, name, domain, updated string, tags int64, valid bool) Repo {
		return Repo{Repository: swr.Repository{
			Namespace: namespace, Name: name, DomainName: domain, UpdatedAt: updated,
			NumImages: tags, Status: valid,
		}}
	}
	return Data{
		Self: []Repo{
			repo("web", "team/web app", "owner", "2026-11-01T10:00:00Z", 3, true),
			repo("core", "api", "owner", "2026-12-01T10:00:00Z", 1, true),
			repo("web", "webhooks", "owner", "2026-10-01T10:00:00Z", 7, false),
		},
		ThirdParty: []Repo{
			repo("lib", "zlib", "beta", "2026-09-01T10:00:00Z", 2, true),
			repo("base", "alpine", "alpha", "2026-12-02T10:00:00Z", 9, false),
			repo("lib", "openssl", "gamma", "2026-08-01T10:00:00Z", 4, true),
		},
	}
}

func TestSharedRepositoriesFiltersAndOrder(t *testing.T) {
	t.Parallel()

	f := newFixture(t, filterData())
	client := f.client()

	tests := []struct {
		name  string
		pairs []string
		want  []string
	}{
		{"self in the data's order", []string{"center", "self"},
			[]string{"web/team/web app", "core/api", "web/webhooks"}},
		{"name is a substring", []string{"center", "self", "name", "web"},
			[]string{"web/team/web app", "web/webhooks"}},
		{"name with reserved characters", []string{"center", "self", "name", "team/web app"},
			[]string{"web/team/web app"}},
		{"namespace is exact", []string{"center", "self", "namespace", "we"}, []string{}},
		{"namespace", []string{"center", "self", "namespace", "core"},
			[]string{"core/api"}},
		{"domain_name", []string{"center", "thirdparty", "domain_name", "beta"},
			[]string{"lib/zlib"}},
		{"valid thirdparty", []string{"center", "thirdparty", "status", "true"},
			[]string{"lib/zlib", "lib/openssl"}},
		{"expired thirdparty", []string{"center", "thirdparty", "status", "false"},
			[]string{"base/alpine"}},
		{"status ignored for self", []string{"center", "self", "status", "true"},
			[]string{"web/team/web app", "core/api", "web/webhooks"}},
		{"by name", []string{"center", "thirdparty", "order_column", "name"},
			[]string{"base/alpine", "lib/openssl", "lib/zlib"}},
		{"by name descending", []string{"center", "thirdparty", "order_column", "name",
			"order_type", "desc"}, []string{"lib/zlib", "lib/openssl", "base/alpine"}},
		{"by update, newest first", []string{"center", "self", "order_column", "updated_at",
			"order_type", "desc"}, []string{"core/api", "web/team/web app", "web/webhooks"}},
		{"by tag count", []string{"center", "self", "order_column", "tag_count"},
			[]string{"core/api", "web/team/web app", "web/webhooks"}},
		{"by namespace, stable", []string{"center", "self", "order_column", "namespace"},
			[]string{"core/api", "web/team/web app", "web/webhooks"}},
		{"by domain_name", []string{"center", "thirdparty", "order_column", "domain_name"},
			[]string{"base/alpine", "lib/zlib", "lib/openssl"}},
		{"filter, order and page", []string{"center", "thirdparty", "status", "true",
			"order_column", "name", "offset", "1", "limit", "5"}, []string{"lib/zlib"}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			t.Parallel()

			response, body := get(t, client, f.listURL(query(test.pairs...)))

			if response.StatusCode != http.StatusOK {
				t.Fatalf("status = %d, want 200; body %s", response.StatusCode, body)
			}
			if got := keys(decode[[]swr.Repository](t, body)); !slices.Equal(got, test.want) {
				t.Errorf("repositories %q, want %q", got, test.want)
			}
		})
	}
}

func TestSharedRepositoriesFields(t *testing.T) {
	t.Parallel()

	f := newFixture(t, filterData())
	client := f.client()

	tests := []struct {
		sharedBy   swr.SharedBy
		wantStatus []bool
	}{
		// status means nothing for self and the service always sends false.
		{swr.Self, []bool{false, false, false}},
		{swr.ThirdParty, []bool{true, false, true}},
	}
	for _, test := range tests {
		t.Run(string(test.sharedBy), func(t *testing.T) {
			t.Parallel()

			_, body := get(t, client, f.listURL(query("center", string(test.sharedBy))))

			page := decode[[]map[string]any](t, body)
			for i, element := range page {
				if element["status"] != test.wantStatus[i] {
					t.Errorf("element %d: status = %v, want %v", i, element["status"],
						test.wantStatus[i])
				}
				if tags, ok := element["tags"].([]any); !ok || len(tags) != 0 {
					t.Errorf("element %d: tags = %#v, want an empty array", i, element["tags"])
				}
				for _, field := range []string{"name", "category", "description", "path",
					"internal_path", "domain_name", "namespace", "url", "logo", "created_at",
					"updated_at", "size", "num_images", "num_download", "total_range",
					"is_public"} {
					if _, ok := element[field]; !ok {
						t.Errorf("element %d lacks %s", i, field)
					}
				}
			}
		})
	}
}

// manualClock is a clock a test moves by hand.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestSharedRepositoriesDownloadsGrow(t *testing.T) {
	t.Parallel()

	clock := &manualClock{now: time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)}
	f := newFixture(t, Data{ThirdParty: []Repo{
		{Repository: swr.Repository{Namespace: "lib", Name: "steady", NumDownload: 10}},
		{Repository: swr.Repository{Namespace: "lib", Name: "busy", NumDownload: 10},
			DownloadsPerHour: 2},
	}})
	f.server.SetClock(clock.Now)
	client := f.clientAs(credentials(plainAccount), "", clock.Now)
	address := f.listURL(query("center", "thirdparty"))

	tests := []struct {
		advance time.Duration
		want    []int64
	}{
		{0, []int64{10, 10}},
		{29 * time.Minute, []int64{10, 10}},
		{time.Minute, []int64{10, 11}},
		{90 * time.Minute, []int64{10, 14}},
		{48 * time.Hour, []int64{10, 110}},
	}
	for _, test := range tests {
		clock.Advance(test.advance)

		_, body := get(t, client, address)

		var got []int64
		for _, repo := range decode[[]swr.Repository](t, body) {
			got = append(got, repo.NumDownload)
		}
		if !slices.Equal(got, test.want) {
			t.Errorf("at %s: num_download %v, want %v", clock.Now().Format(time.TimeOnly), got,
				test.want)
		}
	}
}

// BenchmarkSharedRepositoriesPage measures what the server costs a benchmark
// of the client: one page of 1000 out of 10000 repositories.
func BenchmarkSharedRepositoriesPage(b *testing.B) {
	server := NewServer(Generate(10000, 0, time.Now()), plainAccount)
	request := httptest.NewRequest(http.MethodGet,
		"/v2/manage/shared-repositories?center=self&offset=5000&limit=1000", nil)
	if err := swr.Sign(request, plainAccount.AccessKey, plainAccount.SecretKey,
		time.Now()); err != nil {
		b.Fatal(err)
	}

	for b.Loop() {
		recorder := httptest.NewRecorder()
		server.ServeHTTP(recorder, request)
		if recorder.Code != http.StatusOK {
			b.Fatalf("status = %d", recorder.Code)
		}
	}
}
