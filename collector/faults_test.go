package collector

import (
	"bytes"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"go.uber.org/goleak"

	"github.com/swr-exporter/swr_exporter/swr/swrtest"
)

// faultRow is one way the API can misbehave and what the exporter must make
// of it.
type faultRow struct {
	name     string
	endpoint swrtest.Endpoint
	fault    swrtest.Fault
	// settings are extra account keys, such as a page size.
	settings string
	// wantSuccess is swr_scrape_success per source; swr_up follows from it.
	wantSuccess map[string]float64
	// wantRepositories counts swr_shared_repository_size_bytes series and
	// wantShares swr_repository_share_info series.
	wantRepositories, wantShares int
	// wantLog must match the warnings logged; empty means none.
	wantLog string
	// timeout is the account's; 15s when empty. Only the rows about the
	// deadline set a short one: under the race detector, on a busy machine,
	// even a fault answered at once can take more than a second.
	timeout string
}

var allRead = map[string]float64{"self": 1, "thirdparty": 1, "share_deadlines": 1}

func only(failed ...string) map[string]float64 {
	success := map[string]float64{"self": 1, "thirdparty": 1, "share_deadlines": 1}
	for _, source := range failed {
		success[source] = 0
	}
	return success
}

func center(name string) func(*http.Request) bool {
	return func(r *http.Request) bool { return r.URL.Query().Get("center") == name }
}

// firstPageOf matches the first page of one list.
func firstPageOf(name string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		return r.URL.Query().Get("center") == name && r.URL.Query().Get("offset") == "0"
	}
}

// shrunk is the mixed data set without its first thirdparty repository.
func shrunk() swrtest.Data {
	data := mixedData()
	data.ThirdParty = data.ThirdParty[1:]
	return data
}

// grown is the mixed data set with a thirdparty repository added first.
func grown() swrtest.Data {
	data := mixedData()
	added := data.ThirdParty[0]
	added.Name = "added-while-reading"
	data.ThirdParty = append([]swrtest.Repo{added}, data.ThirdParty...)
	return data
}

var faultRows = []faultRow{
	{
		name: "401 on self", endpoint: swrtest.SharedRepositories,
		fault: swrtest.Fault{Match: center("self"), Status: 401,
			Code: "SVCSTG.SWR.4010000", Message: "token expired"},
		wantSuccess:      only("self", "share_deadlines"),
		wantRepositories: 2,
		wantLog:          `shared_by=self err=.*401 SVCSTG.SWR.4010000: token expired`,
	},
	{
		name: "403 on thirdparty", endpoint: swrtest.SharedRepositories,
		fault:            swrtest.Fault{Match: center("thirdparty"), Status: 403},
		wantSuccess:      only("thirdparty"),
		wantRepositories: 3, wantShares: 5,
		wantLog: `shared_by=thirdparty err=.*403 SVCSTG.SWR.4030000`,
	},
	{
		name: "404 on access-domains", endpoint: swrtest.AccessDomains,
		fault:            swrtest.Fault{Status: 404, Shape: swrtest.OpenTelekomCloud},
		wantSuccess:      only("share_deadlines"),
		wantRepositories: 5,
		wantLog:          `reading shares of 3 of 3 repositories .*404 SVCSTG.SWR.4040000`,
	},
	{
		name: "429 with Retry-After, then success", endpoint: swrtest.SharedRepositories,
		fault:            swrtest.Fault{Times: 1, Status: 429, RetryAfter: "1"},
		wantSuccess:      allRead,
		wantRepositories: 5, wantShares: 5,
	},
	{
		name: "429 without Retry-After, every time", endpoint: swrtest.SharedRepositories,
		fault:            swrtest.Fault{Match: center("thirdparty"), Status: 429},
		wantSuccess:      only("thirdparty"),
		wantRepositories: 3, wantShares: 5,
		wantLog: `429 APIG.0308: The request is throttled`,
	},
	{
		name: "500", endpoint: swrtest.SharedRepositories,
		fault:       swrtest.Fault{Status: 500},
		wantSuccess: only("self", "thirdparty", "share_deadlines"),
		wantLog:     `500 SVCSTG.SWR.5000000`,
	},
	{
		name: "503 on access-domains", endpoint: swrtest.AccessDomains,
		fault:            swrtest.Fault{Status: 503},
		wantSuccess:      only("share_deadlines"),
		wantRepositories: 5,
		wantLog:          `503 SVCSTG.SWR.5030000`,
	},
	{
		name: "connection reset", endpoint: swrtest.SharedRepositories,
		fault:            swrtest.Fault{Match: center("thirdparty"), Reset: true},
		wantSuccess:      only("thirdparty"),
		wantRepositories: 3, wantShares: 5,
		wantLog: `shared_by=thirdparty err=.*(reset|EOF)`,
	},
	{
		name: "slow headers past the deadline", endpoint: swrtest.SharedRepositories,
		fault:       swrtest.Fault{Latency: 10e9},
		timeout:     "1s",
		wantSuccess: only("self", "thirdparty", "share_deadlines"),
		wantLog:     `context deadline exceeded`,
	},
	{
		name: "slow body past the deadline", endpoint: swrtest.SharedRepositories,
		fault:            swrtest.Fault{Match: center("thirdparty"), BodyDelay: 10e9},
		timeout:          "1s",
		wantSuccess:      only("thirdparty"),
		wantRepositories: 3, wantShares: 5,
		wantLog: `context deadline exceeded`,
	},
	{
		name: "malformed JSON", endpoint: swrtest.SharedRepositories,
		fault: swrtest.Fault{Match: center("thirdparty"),
			Body: []byte(`[{"name": "web", "size": }]`)},
		wantSuccess:      only("thirdparty"),
		wantRepositories: 3, wantShares: 5,
		wantLog: `decoding thirdparty page at offset 0: malformed JSON at byte 26 of 27`,
	},
	{
		name: "truncated body", endpoint: swrtest.SharedRepositories,
		fault:            swrtest.Fault{Match: center("thirdparty"), Truncate: true},
		wantSuccess:      only("thirdparty"),
		wantRepositories: 3, wantShares: 5,
		wantLog: `reading response body: unexpected EOF`,
	},
	{
		name: "body over the size limit", endpoint: swrtest.SharedRepositories,
		fault:            swrtest.Fault{Match: center("thirdparty"), Pad: 65 << 20},
		wantSuccess:      only("thirdparty"),
		wantRepositories: 3, wantShares: 5,
		wantLog: `response body exceeds the size limit`,
	},
	{
		name: "Content-Range missing", endpoint: swrtest.SharedRepositories,
		fault:            swrtest.Fault{ContentRange: swrtest.ContentRangeOmit},
		wantSuccess:      allRead,
		wantRepositories: 5, wantShares: 5,
	},
	{
		name: "Content-Range garbage, no total_range", endpoint: swrtest.SharedRepositories,
		fault:            swrtest.Fault{ContentRange: "items 0-?/lots", NoTotalRange: true},
		settings:         "page_size: 1",
		wantSuccess:      allRead,
		wantRepositories: 5, wantShares: 5,
	},
	{
		name: "total lies larger", endpoint: swrtest.SharedRepositories,
		fault: swrtest.Fault{TotalDelta: 50}, settings: "page_size: 10",
		wantSuccess:      allRead,
		wantRepositories: 5, wantShares: 5,
	},
	{
		name: "total lies smaller", endpoint: swrtest.SharedRepositories,
		fault: swrtest.Fault{TotalDelta: -2}, settings: "page_size: 2",
		wantSuccess:      allRead,
		wantRepositories: 5, wantShares: 5,
	},
	{
		// A repository added at the front shifts the rest: the first page's
		// repository shows again on the second, and is exported once.
		name: "duplicates across pages", endpoint: swrtest.SharedRepositories,
		fault: swrtest.Fault{Match: firstPageOf("thirdparty"), Times: 1,
			After: func(s *swrtest.Server) { s.SetData(grown()) }},
		settings:         "page_size: 1",
		wantSuccess:      allRead,
		wantRepositories: 5, wantShares: 5,
	},
	{
		// A repository removed after the first page shifts the rest back:
		// one is missed on this scrape, none is invented.
		name: "list shrinks between pages", endpoint: swrtest.SharedRepositories,
		fault: swrtest.Fault{Match: firstPageOf("thirdparty"), Times: 1,
			After: func(s *swrtest.Server) { s.SetData(shrunk()) }},
		settings:         "page_size: 1",
		wantSuccess:      allRead,
		wantRepositories: 4, wantShares: 5,
	},
	{
		name: "empty names", endpoint: swrtest.SharedRepositories,
		fault: swrtest.Fault{Match: center("thirdparty"),
			Body: []byte(`[{"name":"","namespace":"","size":1},{"name":"x","namespace":""}]`)},
		wantSuccess:      allRead,
		wantRepositories: 5, wantShares: 5,
	},
	{
		// Both names decode to the same text once their bad bytes are
		// replaced: one series, not a duplicate that breaks the scrape.
		name: "names that are not UTF-8", endpoint: swrtest.SharedRepositories,
		fault: swrtest.Fault{Match: center("thirdparty"),
			Body: []byte("[{\"name\":\"bad\xffname\",\"namespace\":\"n\"}," +
				"{\"name\":\"bad\xfename\",\"namespace\":\"n\"}]")},
		wantSuccess:      allRead,
		wantRepositories: 4, wantShares: 5,
	},
	{
		name: "negative numbers", endpoint: swrtest.SharedRepositories,
		fault: swrtest.Fault{Match: center("thirdparty"),
			Body: []byte(`[{"name":"neg","namespace":"n","size":-5,"num_images":-1,` +
				`"num_download":-3}]`)},
		wantSuccess:      allRead,
		wantRepositories: 3, wantShares: 5,
	},
	{
		name: "numbers too large", endpoint: swrtest.SharedRepositories,
		fault: swrtest.Fault{Match: center("thirdparty"),
			Body: []byte(`[{"name":"huge","namespace":"n","size":1e30}]`)},
		wantSuccess:      only("thirdparty"),
		wantRepositories: 3, wantShares: 5,
		wantLog: `cannot unmarshal number 1e30 into Go struct field Repository.size`,
	},
	{
		name: "bad timestamps", endpoint: swrtest.SharedRepositories,
		fault: swrtest.Fault{Match: center("thirdparty"),
			Body: []byte(`[{"name":"t","namespace":"n","created_at":"31/12/2026",` +
				`"updated_at":"soon"}]`)},
		wantSuccess:      allRead,
		wantRepositories: 4, wantShares: 5,
	},
	{
		name: "forever and malformed deadlines", endpoint: swrtest.AccessDomains,
		fault: swrtest.Fault{Body: []byte(`[{"access_domain":"a","deadline":"forever",` +
			`"status":true},{"access_domain":"b","deadline":"next week","status":true}]`)},
		wantSuccess:      allRead,
		wantRepositories: 5, wantShares: 6,
	},
}

// TestFaultMatrix runs the exporter against each fault in turn. Every row
// checks what is exported, what is logged, that the next scrape without
// the fault is whole again, and that nothing is left running. It does not
// run in parallel, so that goleak sees only its own goroutines.
func TestFaultMatrix(t *testing.T) {
	for _, row := range faultRows {
		t.Run(row.name, func(t *testing.T) {
			runFaultRow(t, row)
		})
	}
}

func runFaultRow(t *testing.T, row faultRow) {
	t.Helper()
	srv, account := startAccount(t, "prod", mixedData())
	timeout := row.timeout
	if timeout == "" {
		timeout = "15s"
	}
	settings := "share_deadlines: {refresh_interval: 0s}, timeout: " + timeout
	if row.settings != "" {
		settings += ", " + row.settings
	}
	account = strings.Replace(account, "}", ", "+settings+"}", 1)
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	exporter := newTestExporter(t, account, logger)
	t.Cleanup(exporter.Close)

	srv.AddFault(row.endpoint, row.fault)
	faulty := gather(t, exporter)
	waitIdle(t, exporter)

	wantUp := 1.0
	for source, want := range row.wantSuccess {
		if got := value(faulty, "swr_scrape_success", "source", source); got != want {
			t.Errorf("swr_scrape_success{source=%q} = %v, want %v", source, got, want)
		}
		wantUp = min(wantUp, want)
	}
	if got := value(faulty, "swr_up", "", ""); got != wantUp {
		t.Errorf("swr_up = %v, want %v", got, wantUp)
	}
	if got := len(faulty["swr_shared_repository_size_bytes"]); got != row.wantRepositories {
		t.Errorf("%d repository series, want %d", got, row.wantRepositories)
	}
	if got := len(faulty["swr_repository_share_info"]); got != row.wantShares {
		t.Errorf("%d share series, want %d", got, row.wantShares)
	}
	checkLog(t, logs.String(), row.wantLog)

	srv.ClearFaults()
	srv.SetData(mixedData())
	whole := gather(t, exporter)
	if got := value(whole, "swr_up", "", ""); got != 1 {
		t.Errorf("after the fault cleared, swr_up = %v", got)
	}
	if got := len(whole["swr_shared_repository_size_bytes"]); got != 5 {
		t.Errorf("after the fault cleared, %d repository series, want 5", got)
	}

	exporter.Close()
	goleak.VerifyNone(t, goleak.IgnoreCurrent())
}

// waitIdle waits until no upstream pass is under way, so that its log lines
// are written and the next scrape starts a pass of its own.
func waitIdle(t *testing.T, exporter *Exporter) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		busy := false
		exporter.mu.RLock()
		for _, scraper := range exporter.scrapers {
			scraper.mu.Lock()
			busy = busy || scraper.inflight != nil
			scraper.mu.Unlock()
		}
		exporter.mu.RUnlock()
		if !busy {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("an upstream pass is still under way after 5s")
}

// gather collects one scrape of every account into metric families; a
// duplicate or malformed series fails the test here.
func gather(t *testing.T, exporter *Exporter) map[string][]*dto.Metric {
	t.Helper()
	c, err := exporter.Collector(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	registry := prometheus.NewPedanticRegistry()
	registry.MustRegister(c)
	families, err := registry.Gather()
	if err != nil {
		t.Fatalf("gathering: %v", err)
	}
	byName := map[string][]*dto.Metric{}
	for _, family := range families {
		byName[family.GetName()] = family.GetMetric()
	}
	return byName
}

// value returns the gauge of the series with label name=want (any series
// when name is empty), or -1 when there is none.
func value(families map[string][]*dto.Metric, metric, name, want string) float64 {
	for _, m := range families[metric] {
		for _, label := range m.GetLabel() {
			if name == "" || label.GetName() == name && label.GetValue() == want {
				return m.GetGauge().GetValue()
			}
		}
	}
	return -1
}

func checkLog(t *testing.T, logs, want string) {
	t.Helper()
	if want == "" {
		if logs != "" {
			t.Errorf("warnings logged for a fault the exporter should absorb:\n%s", logs)
		}
		return
	}
	if !regexp.MustCompile(want).MatchString(logs) {
		t.Errorf("log does not match %s:\n%s", want, logs)
	}
}
