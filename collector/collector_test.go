package collector

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"
	"go.uber.org/goleak"

	"github.com/swr-exporter/swr_exporter/config"
	"github.com/swr-exporter/swr_exporter/swr"
	"github.com/swr-exporter/swr_exporter/swr/swrtest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// stableMetrics are the metrics whose values a test can know in advance;
// scrape durations are left out.
var stableMetrics = []string{
	"swr_up", "swr_scrape_success", "swr_shared_repositories",
	"swr_shared_repository_size_bytes", "swr_shared_repository_tags",
	"swr_shared_repository_downloads_total", "swr_shared_repository_expired",
	"swr_shared_repository_info", "swr_shared_repository_created_timestamp_seconds",
	"swr_shared_repository_updated_timestamp_seconds",
	"swr_repository_share_expiry_timestamp_seconds", "swr_repository_share_expired",
	"swr_repository_share_info",
}

// mixedData holds a little of everything the lists can say.
func mixedData() swrtest.Data {
	repo := func(namespace, name, owner string, size, tags, downloads int64, valid bool,
		created string) swrtest.Repo {
		return swrtest.Repo{Repository: swr.Repository{
			Name: name, Namespace: namespace, DomainName: owner, Category: "app",
			Path:         "swr.ap-southeast-3.myhuaweicloud.com/" + namespace + "/" + name,
			InternalPath: "10.125.0.198:20202/" + namespace + "/" + name,
			Size:         size, NumImages: tags, NumDownload: downloads, Status: valid,
			CreatedAt: created, UpdatedAt: "2026-11-30T08:00:00Z",
			Tags: []string{"v1"},
		}}
	}
	return swrtest.Data{
		Self: []swrtest.Repo{
			repo("acme", "web", "acme-corp", 52428800, 3, 1200, false, "2025-01-10T09:00:00Z"),
			repo("acme", "tools/builder", "acme-corp", 1073741824, 12, 7, false,
				"2025-06-01T00:00:00Z"),
			// A time the exporter cannot read: no timestamp series for it.
			repo("data", "etl", "acme-corp", 0, 0, 0, false, "yesterday"),
		},
		ThirdParty: []swrtest.Repo{
			repo("partner", "base-image", "partner-inc", 209715200, 5, 40, true,
				"2024-03-21T12:22:37Z"),
			repo("vendor", "agent", "vendor-ltd", 10485760, 2, 3, false, "2024-12-01T00:00:00Z"),
		},
		Shares: []swr.AccessDomain{
			share("acme", "web", "partner-inc", "forever", true),
			share("acme", "web", "vendor-ltd", "2099-12-10T16:00:00.000Z", true),
			share("acme", "web", "old-partner", "2026-11-01T16:00:00.000Z", false),
			// A bare date ends at midnight UTC after it.
			share("acme", "tools/builder", "partner-inc", "2099-06-30", true),
			// A deadline the exporter cannot read: no expiry series, the rest stays.
			share("acme", "tools/builder", "odd-partner", "soon", true),
		},
	}
}

func share(namespace, repository, accessDomain, deadline string, valid bool) swr.AccessDomain {
	return swr.AccessDomain{Namespace: namespace, Repository: repository,
		AccessDomain: accessDomain, Permit: "read", Deadline: deadline, Status: valid,
		CreatorName: "ops-admin", CreatorID: "0b1c2d", Created: "2026-01-05T10:00:00Z",
		Updated: "2026-01-05T10:00:00Z"}
}

const (
	testAccessKey = "AKCOLLECTORTEST00000"
	testSecretKey = "collector-secret-value"
)

// startAccount serves data as a simulated account and returns the config
// lines of an account of that name reading it.
func startAccount(t testing.TB, name string, data swrtest.Data) (*swrtest.Server, string) {
	t.Helper()
	srv := swrtest.NewServer(data, swrtest.Account{AccessKey: testAccessKey,
		SecretKey: testSecretKey})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return srv, fmt.Sprintf("  - {name: %s, endpoint: %q, access_key: %s, secret_key: %s}\n",
		name, ts.URL, testAccessKey, testSecretKey)
}

func newTestExporter(t testing.TB, accounts string, logger *slog.Logger) *Exporter {
	t.Helper()
	cfg, err := config.Load([]byte("defaults: {timeout: 5s}\naccounts:\n"+accounts), ".")
	if err != nil {
		t.Fatal(err)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	exporter := NewExporter(NewAPIMetrics(prometheus.NewRegistry()), logger)
	if err := exporter.Apply(cfg); err != nil {
		t.Fatal(err)
	}
	return exporter
}

// compareGolden compares the collector's stable metrics with a file under
// testdata/, rewriting it with -update.
func compareGolden(t *testing.T, c prometheus.Collector, golden string) {
	t.Helper()
	path := filepath.Join("testdata", golden)
	if *update {
		registry := prometheus.NewPedanticRegistry()
		registry.MustRegister(c)
		var out bytes.Buffer
		families, err := registry.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, family := range families {
			for _, name := range stableMetrics {
				if family.GetName() == name {
					if _, err := expfmt.MetricFamilyToText(&out, family); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	expected, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = expected.Close() }()
	if err := testutil.CollectAndCompare(c, expected, stableMetrics...); err != nil {
		t.Error(err)
	}
	problems, err := testutil.CollectAndLint(c)
	if err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", problems, err)
	}
}

func TestCollectMixedData(t *testing.T) {
	t.Parallel()
	_, account := startAccount(t, "prod", mixedData())
	exporter := newTestExporter(t, account, nil)

	c, err := exporter.Collector(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, c, "mixed.prom")
}

func TestCollectFailedSource(t *testing.T) {
	t.Parallel()
	srv, account := startAccount(t, "prod", mixedData())
	srv.AddFault(swrtest.SharedRepositories, swrtest.Fault{
		Match:   func(r *http.Request) bool { return r.URL.Query().Get("center") == "thirdparty" },
		Status:  401,
		Code:    "SVCSTG.SWR.4010000",
		Message: "token expired",
	})
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	exporter := newTestExporter(t, account, logger)

	c, err := exporter.Collector(t.Context(), "prod")
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, c, "failed_source.prom")

	if !strings.Contains(logs.String(), `level=WARN msg="reading SWR source failed" `+
		`account=prod shared_by=thirdparty `+
		`err="listing thirdparty shares of account \"prod\": GET`) ||
		!strings.Contains(logs.String(), `401 SVCSTG.SWR.4010000: token expired`) {
		t.Errorf("log does not say which source failed and why:\n%s", logs.String())
	}
	status := exporter.Statuses()[0]
	if status.Success || len(status.Errors) != 1 || status.Repositories[swr.Self] != 3 {
		t.Errorf("status = %+v", status)
	}
}

func TestCollectTwoAccountsOneFails(t *testing.T) {
	t.Parallel()
	_, good := startAccount(t, "prod", mixedData())
	broken, bad := startAccount(t, "staging", mixedData())
	broken.AddFault(swrtest.SharedRepositories, swrtest.Fault{Status: 500})
	exporter := newTestExporter(t, good+bad, nil)

	c, err := exporter.Collector(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, c, "two_accounts.prom")
}

// TestRepositoryThatDisappearsDisappears scrapes twice across a change of
// the list: nothing of the first scrape may linger.
func TestRepositoryThatDisappearsDisappears(t *testing.T) {
	t.Parallel()
	srv, account := startAccount(t, "prod", mixedData())
	exporter := newTestExporter(t, account, nil)
	c, err := exporter.Collector(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	before := testutil.CollectAndCount(c, "swr_shared_repository_size_bytes")

	shrunk := mixedData()
	shrunk.Self = shrunk.Self[:1]
	srv.SetData(shrunk)
	after := testutil.CollectAndCount(c, "swr_shared_repository_size_bytes")

	if before != 5 || after != 3 {
		t.Errorf("size series: %d then %d, want 5 then 3", before, after)
	}
}

func TestUnknownAccount(t *testing.T) {
	t.Parallel()
	_, account := startAccount(t, "prod", mixedData())
	exporter := newTestExporter(t, account, nil)

	_, err := exporter.Collector(t.Context(), "http://169.254.169.254/")
	if err == nil || err.Error() != `unknown account "http://169.254.169.254/"` {
		t.Errorf("error = %v", err)
	}
}

// TestConcurrentScrapesShareOnePass sends 20 scrapes of one account at once
// against a slow upstream: the API must see one pass, not twenty.
func TestConcurrentScrapesShareOnePass(t *testing.T) {
	t.Parallel()
	srv, account := startAccount(t, "prod", mixedData())
	srv.AddFault(swrtest.SharedRepositories, swrtest.Fault{Latency: 200 * time.Millisecond})
	exporter := newTestExporter(t, account, nil)

	var wg sync.WaitGroup
	counts := make([]int, 20)
	for i := range counts {
		wg.Go(func() {
			c, err := exporter.Collector(context.Background(), "prod")
			if err != nil {
				t.Error(err)
				return
			}
			counts[i] = testutil.CollectAndCount(c, "swr_shared_repository_size_bytes")
		})
	}
	wg.Wait()

	for i, n := range counts {
		if n != 5 {
			t.Errorf("scrape %d saw %d repositories, want 5", i, n)
		}
	}
	if n := srv.Requests(swrtest.SharedRepositories); n != 2 {
		t.Errorf("%d upstream requests for 20 scrapes, want 2 (one per list)", n)
	}
}

// TestScrapeDeadlineBoundsSlowAccount gives the scrape less time than the
// upstream takes: the scrape must end on time with the source failed.
func TestScrapeDeadlineBoundsSlowAccount(t *testing.T) {
	t.Parallel()
	srv, account := startAccount(t, "prod", mixedData())
	srv.AddFault(swrtest.SharedRepositories, swrtest.Fault{Latency: 5 * time.Second})
	exporter := newTestExporter(t, account, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	c, err := exporter.Collector(ctx, "prod")
	if err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	err = testutil.CollectAndCompare(c, strings.NewReader(`
# HELP swr_up Whether every source of the account was read on this scrape (1) or not (0).
# TYPE swr_up gauge
swr_up{account="prod"} 0
`), "swr_up", "swr_shared_repository_size_bytes")
	if err != nil {
		t.Error(err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("scrape took %v despite a 300ms deadline", elapsed)
	}
}

// TestShareDeadlinesReused scrapes twice within the refresh interval: the
// access-domains of each repository are read once.
func TestShareDeadlinesReused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		refresh      string
		wantRequests int
	}{
		{name: "within the interval", refresh: "15m", wantRequests: 3},
		{name: "interval zero reads every time", refresh: "0s", wantRequests: 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, account := startAccount(t, "prod", mixedData())
			account = strings.Replace(account, "}", ", share_deadlines: {refresh_interval: "+
				tt.refresh+"}}", 1)
			exporter := newTestExporter(t, account, nil)
			c, err := exporter.Collector(t.Context(), "prod")
			if err != nil {
				t.Fatal(err)
			}

			first := testutil.CollectAndCount(c, "swr_repository_share_info")
			second := testutil.CollectAndCount(c, "swr_repository_share_info")

			if first != 5 || second != 5 {
				t.Errorf("share series: %d then %d, want 5 both times", first, second)
			}
			if n := srv.Requests(swrtest.AccessDomains); n != tt.wantRequests {
				t.Errorf("%d access-domains requests, want %d", n, tt.wantRequests)
			}
		})
	}
}

// TestShareDeadlinesPartialFailure fails the access-domains of one
// repository: the source fails, the other repositories' shares stay.
func TestShareDeadlinesPartialFailure(t *testing.T) {
	t.Parallel()
	srv, account := startAccount(t, "prod", mixedData())
	srv.AddFault(swrtest.AccessDomains, swrtest.Fault{
		Match:  func(r *http.Request) bool { return strings.Contains(r.URL.Path, "/web/") },
		Status: 503,
	})
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	exporter := newTestExporter(t, account, logger)
	c, err := exporter.Collector(t.Context(), "prod")
	if err != nil {
		t.Fatal(err)
	}

	expected, err := os.Open("testdata/share_partial_failure.prom")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = expected.Close() }()
	err = testutil.CollectAndCompare(c, expected, "swr_repository_share_expired",
		"swr_scrape_success", "swr_up")
	if err != nil {
		t.Error(err)
	}
	want := `reading shares of 1 of 3 repositories of account \"prod\": GET`
	if !strings.Contains(logs.String(), want) || !strings.Contains(logs.String(), "503") {
		t.Errorf("log lacks %s:\n%s", want, logs.String())
	}
}

// TestShareDeadlinesWithoutSelfList reads deadlines for an account that
// exports only the thirdparty list: the self list is read but not exported.
func TestShareDeadlinesWithoutSelfList(t *testing.T) {
	t.Parallel()
	_, account := startAccount(t, "prod", mixedData())
	account = strings.Replace(account, "}", ", shared_by: [thirdparty]}", 1)
	exporter := newTestExporter(t, account, nil)
	c, err := exporter.Collector(t.Context(), "prod")
	if err != nil {
		t.Fatal(err)
	}

	if n := testutil.CollectAndCount(c, "swr_repository_share_info"); n != 5 {
		t.Errorf("%d share series, want 5", n)
	}
	if n := testutil.CollectAndCount(c, "swr_shared_repository_size_bytes"); n != 2 {
		t.Errorf("%d repository series, want the 2 thirdparty ones", n)
	}
}

// TestGatherMatchesCollect checks the path the HTTP endpoints take, the
// Gatherer with its families built once per pass and merged across
// accounts, against the plain Collector with the golden file of two
// accounts.
func TestGatherMatchesCollect(t *testing.T) {
	t.Parallel()
	_, good := startAccount(t, "prod", mixedData())
	broken, bad := startAccount(t, "staging", mixedData())
	broken.AddFault(swrtest.SharedRepositories, swrtest.Fault{Status: 500})
	exporter := newTestExporter(t, good+bad, nil)
	c, err := exporter.Collector(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}

	expected, err := os.Open("testdata/two_accounts.prom")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = expected.Close() }()
	gatherer := Concat(c, prometheus.NewRegistry())
	if err := testutil.GatherAndCompare(gatherer, expected, stableMetrics...); err != nil {
		t.Error(err)
	}
	if problems, err := testutil.GatherAndLint(gatherer); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", problems, err)
	}
}
