package swrtest

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/swr-exporter/swr_exporter/swr"
)

func TestAccessDomains(t *testing.T) {
	t.Parallel()

	now := time.Now()
	share := func(repository, accessDomain, deadline string, valid bool) swr.AccessDomain {
		return swr.AccessDomain{
			Namespace: "acme", Repository: repository, AccessDomain: accessDomain,
			Permit: "read", Deadline: deadline, Status: valid,
		}
	}
	data := Data{
		Self: []Repo{
			{Repository: swr.Repository{Namespace: "acme", Name: "team/web"}},
			{Repository: swr.Repository{Namespace: "acme", Name: "api"}},
			{Repository: swr.Repository{Namespace: "acme", Name: "lonely"}},
			{Repository: swr.Repository{Namespace: "acme", Name: "popular"}},
		},
		ThirdParty: []Repo{
			{Repository: swr.Repository{Namespace: "vendor", Name: "lib"}},
		},
		Shares: []swr.AccessDomain{
			share("team/web", "partner-a", swr.DeadlineForever, true),
			share("api", "partner-a", deadline(now, 3), true),
			// The data says valid, but the deadline has passed.
			share("api", "partner-b", deadline(now, -2), true),
			share("team/web", "partner-b", deadline(now, -2), false),
		},
	}
	for i := range 150 {
		data.Shares = append(data.Shares, share("popular", fmt.Sprintf("tenant-%03d", i),
			swr.DeadlineForever, true))
	}
	f := newFixture(t, data)
	client := f.client()

	tests := []struct {
		name       string
		address    string
		wantStatus int
		wantCode   string
		// want lists access_domain:status of each share.
		want []string
	}{
		{
			name:       "'$' stands for '/'",
			address:    f.url + "/v2/manage/namespaces/acme/repositories/team$web/access-domains",
			wantStatus: http.StatusOK,
			want:       []string{"partner-a:true", "partner-b:false"},
		},
		{
			name:       "'$' escaped",
			address:    f.url + "/v2/manage/namespaces/acme/repositories/team%24web/access-domains",
			wantStatus: http.StatusOK,
			want:       []string{"partner-a:true", "partner-b:false"},
		},
		{
			name:       "passed deadline reported expired",
			address:    f.accessDomainsURL("acme", "api"),
			wantStatus: http.StatusOK,
			want:       []string{"partner-a:true", "partner-b:false"},
		},
		{
			name:       "shared with nobody",
			address:    f.accessDomainsURL("acme", "lonely"),
			wantStatus: http.StatusOK,
			want:       []string{},
		},
		{
			name:       "unknown repository",
			address:    f.accessDomainsURL("acme", "ghost"),
			wantStatus: http.StatusNotFound,
			wantCode:   "SVCSTG.SWR.4040002",
		},
		{
			name:       "repository of another account",
			address:    f.accessDomainsURL("vendor", "lib"),
			wantStatus: http.StatusNotFound,
			wantCode:   "SVCSTG.SWR.4040002",
		},
		{
			name:       "unknown namespace",
			address:    f.accessDomainsURL("other", "api"),
			wantStatus: http.StatusNotFound,
			wantCode:   "SVCSTG.SWR.4040002",
		},
		{
			name:       "unknown path",
			address:    f.url + "/v2/manage/namespaces/acme/repositories/api",
			wantStatus: http.StatusNotFound,
			wantCode:   "SVCSTG.SWR.4040000",
		},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			t.Parallel()

			response, body := get(t, client, test.address)

			if response.StatusCode != test.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", response.StatusCode,
					test.wantStatus, body)
			}
			if response.Header.Get("Content-Range") != "" {
				t.Errorf("Content-Range %q, want none", response.Header.Get("Content-Range"))
			}
			if test.wantCode != "" {
				if got := decode[huaweiCloudErrorBody](t, body).Code; got != test.wantCode {
					t.Errorf("error_code = %q, want %q", got, test.wantCode)
				}
				return
			}
			var got []string
			for _, share := range decode[[]swr.AccessDomain](t, body) {
				got = append(got, fmt.Sprintf("%s:%t", share.AccessDomain, share.Status))
			}
			if !slices.Equal(got, test.want) {
				t.Errorf("shares %q, want %q", got, test.want)
			}
		})
	}

	t.Run("at most 100 records", func(t *testing.T) {
		t.Parallel()

		_, body := get(t, client, f.accessDomainsURL("acme", "popular"))

		shares := decode[[]swr.AccessDomain](t, body)
		if len(shares) != 100 || shares[99].AccessDomain != "tenant-099" {
			t.Errorf("%d shares, want the first 100 of 150", len(shares))
		}
	})
}

func TestAccessDomainsRefusesOtherMethods(t *testing.T) {
	t.Parallel()

	f := newFixture(t, Data{Self: []Repo{{Repository: swr.Repository{
		Namespace: "acme", Name: "api",
	}}}})

	request, err := http.NewRequest(http.MethodDelete, f.accessDomainsURL("acme", "api"), nil)
	if err != nil {
		t.Fatal(err)
	}
	response, err := f.client().Do(request)
	if err != nil {
		t.Fatal(err)
	}
	_ = response.Body.Close()

	if response.StatusCode != http.StatusNotFound {
		t.Errorf("DELETE: status = %d, want 404", response.StatusCode)
	}
}
