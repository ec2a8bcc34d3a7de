package swrtest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/swr-exporter/swr_exporter/swr"
)

// demoNow is a moment for the demo data; any other would do.
var demoNow = time.Date(2026, 12, 3, 9, 30, 0, 0, time.UTC)

func TestDemoDataRepositories(t *testing.T) {
	t.Parallel()

	data := DemoData(demoNow)

	tests := []struct {
		sharedBy         swr.SharedBy
		repos            []Repo
		min, max         int
		wantDomains      int
		wantExpired      bool
		wantNamespacesAt int
	}{
		{swr.Self, data.Self, 25, 35, 1, false, 3},
		{swr.ThirdParty, data.ThirdParty, 20, 30, 3, true, 3},
	}
	for _, test := range tests {
		t.Run(string(test.sharedBy), func(t *testing.T) {
			t.Parallel()

			if len(test.repos) < test.min || len(test.repos) > test.max {
				t.Errorf("%d repositories, want %d to %d", len(test.repos), test.min, test.max)
			}
			domains, namespaces := make(map[string]bool), make(map[string]bool)
			keys := make(map[string]bool)
			expired, growing := 0, 0
			var smallest, largest int64 = 1 << 62, 0
			for _, repo := range test.repos {
				checkDemoRepo(t, repo, demoNow)
				if keys[repo.Key()] {
					t.Errorf("%s appears twice", repo.Key())
				}
				keys[repo.Key()] = true
				domains[repo.DomainName] = true
				namespaces[repo.Namespace] = true
				if !repo.Status {
					expired++
				}
				if repo.DownloadsPerHour > 0 {
					growing++
				}
				smallest, largest = min(smallest, repo.Size), max(largest, repo.Size)
			}

			if len(domains) != test.wantDomains {
				t.Errorf("%d domains, want %d", len(domains), test.wantDomains)
			}
			if len(namespaces) < test.wantNamespacesAt {
				t.Errorf("%d namespaces, want at least %d", len(namespaces),
					test.wantNamespacesAt)
			}
			if hasExpired := expired > 0 && expired < len(test.repos); test.wantExpired &&
				!hasExpired {
				t.Errorf("%d of %d expired, want some but not all", expired, len(test.repos))
			}
			if growing < len(test.repos)/2 {
				t.Errorf("%d repositories gain downloads, want most", growing)
			}
			if smallest >= 100<<20 || largest < 1<<30 {
				t.Errorf("sizes from %d to %d, want from megabytes to gigabytes", smallest,
					largest)
			}
		})
	}
}

// checkDemoRepo checks that a repository is complete and its times plausible.
func checkDemoRepo(t *testing.T, repo Repo, now time.Time) {
	t.Helper()

	if repo.Name == "" || repo.Namespace == "" || repo.DomainName == "" ||
		repo.Path == "" || repo.InternalPath == "" || repo.Category == "" {
		t.Errorf("%s lacks a field: %+v", repo.Key(), repo)
	}
	if len(repo.Tags) == 0 || repo.NumImages != int64(len(repo.Tags)) {
		t.Errorf("%s: tags %q, num_images %d", repo.Key(), repo.Tags, repo.NumImages)
	}
	created, errCreated := time.Parse(repositoryTimeLayout, repo.CreatedAt)
	updated, errUpdated := time.Parse(repositoryTimeLayout, repo.UpdatedAt)
	if errCreated != nil || errUpdated != nil || !created.Before(updated) ||
		!updated.Before(now) {
		t.Errorf("%s: created %s, updated %s; want both in the past, in order", repo.Key(),
			repo.CreatedAt, repo.UpdatedAt)
	}
}

func TestDemoDataShares(t *testing.T) {
	t.Parallel()

	data := DemoData(demoNow)
	self := make(map[string]bool)
	for _, repo := range data.Self {
		self[repo.Key()] = true
	}

	counts := make(map[string]int)
	perRepository := make(map[string]int)
	for _, share := range data.Shares {
		key := share.Namespace + "/" + share.Repository
		if !self[key] {
			t.Errorf("share of %s, which is not a self repository", key)
		}
		perRepository[key]++

		kind, err := shareKind(share, demoNow)
		if err != nil {
			t.Error(err)
		}
		counts[kind]++
	}

	for _, kind := range []string{"permanent", "within a day", "within a week", "later",
		"expired"} {
		if counts[kind] == 0 {
			t.Errorf("no share %s; shares by kind: %v", kind, counts)
		}
	}
	several := 0
	for _, count := range perRepository {
		if count >= 3 {
			several++
		}
	}
	if several < 2 {
		t.Errorf("%d repositories shared with three accounts or more, want a few", several)
	}
}

// shareKind classifies a share by when it ends, checking that its status
// agrees.
func shareKind(share swr.AccessDomain, now time.Time) (string, error) {
	end, ok, err := share.Expiry()
	if err != nil {
		return "", err
	}

	var kind string
	switch left := end.Sub(now); {
	case !ok:
		kind = "permanent"
	case left <= 0:
		kind = "expired"
	case left <= 24*time.Hour:
		kind = "within a day"
	case left <= 7*24*time.Hour:
		kind = "within a week"
	default:
		kind = "later"
	}
	if share.Status == (kind == "expired") {
		return kind, fmt.Errorf("%s/%s shared with %s (%s, deadline %s): status %t",
			share.Namespace, share.Repository, share.AccessDomain, kind, share.Deadline,
			share.Status)
	}
	return kind, nil
}

func TestDemoDataIsDeterministic(t *testing.T) {
	t.Parallel()

	if !reflect.DeepEqual(DemoData(demoNow), DemoData(demoNow)) {
		t.Error("DemoData gave two data sets for one moment")
	}
}

// TestDemoServer reads the demo server with the demo account, as --demo does,
// and sees the downloads grow as its clock moves.
func TestDemoServer(t *testing.T) {
	t.Parallel()

	clock := &manualClock{now: demoNow}
	server := NewDemoServer(clock.Now)
	listener := httptest.NewServer(server)
	t.Cleanup(listener.Close)
	f := &fixture{server: server, url: listener.URL, base: listener.Client().Transport}
	client := f.clientAs(swr.Credentials{AccessKey: DemoAccessKey, SecretKey: DemoSecretKey},
		"", clock.Now)
	totals := func() (repositories int, downloads int64) {
		t.Helper()
		for _, sharedBy := range []swr.SharedBy{swr.Self, swr.ThirdParty} {
			params := query("center", string(sharedBy), "offset", "0", "limit", "1000")
			response, body := get(t, client, f.listURL(params))
			if response.StatusCode != http.StatusOK {
				t.Fatalf("status = %d; body %s", response.StatusCode, body)
			}
			for _, repo := range decode[[]swr.Repository](t, body) {
				repositories++
				downloads += repo.NumDownload
			}
		}
		return repositories, downloads
	}

	repositories, before := totals()
	clock.Advance(2 * time.Hour)
	_, after := totals()

	data := DemoData(demoNow)
	if want := len(data.Self) + len(data.ThirdParty); repositories != want {
		t.Errorf("listed %d repositories, want %d", repositories, want)
	}
	if after <= before {
		t.Errorf("downloads went from %d to %d in two hours, want growth", before, after)
	}
}
