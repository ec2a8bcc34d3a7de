package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/swr-exporter/swr_exporter/swr/swrtest"
)

// TestLoad scrapes an account of 10 000 repositories, behind 20 ms of
// upstream latency, with 50 concurrent clients for 30 seconds on loopback.
// It checks that every scrape is answered in full and that the scrapes
// share upstream reads; the latencies and the exporter's peak memory are
// logged for the record, not asserted.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("the load test takes 30 seconds")
	}
	t.Parallel()
	const (
		clients  = 50
		duration = 30 * time.Second
	)
	srv := swrtest.NewServer(swrtest.Generate(5000, 5000, time.Now()),
		swrtest.Account{AccessKey: testAccessKey, SecretKey: testSecretKey})
	srv.AddFault(swrtest.SharedRepositories, swrtest.Fault{Latency: 20 * time.Millisecond})
	upstream := httptestServer(t, srv)
	configPath := filepath.Join(t.TempDir(), "swr.yml")
	writeConfig(t, configPath, "accounts:\n"+accountYAML("load", upstream, testSecretKey)+
		"    share_deadlines: {enabled: false}\n")
	p := startExporter(t, "--config.file="+configPath, "--log.level=info",
		"--web.max-requests=100")

	var (
		mu        sync.Mutex
		latencies []time.Duration
		failures  []string
		wg        sync.WaitGroup
	)
	client := &http.Client{Timeout: 60 * time.Second}
	stop := time.Now().Add(duration)
	for range clients {
		wg.Go(func() {
			for time.Now().Before(stop) {
				start := time.Now()
				failure := scrapeOnce(client, p.url+"/probe?account=load")
				elapsed := time.Since(start)
				mu.Lock()
				latencies = append(latencies, elapsed)
				if failure != "" {
					failures = append(failures, failure)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()

	if len(failures) > 0 {
		t.Errorf("%d of %d scrapes failed; first: %s", len(failures), len(latencies),
			failures[0])
	}
	upstreamRequests := srv.Requests(swrtest.SharedRepositories)
	// One pass is ten pages (5 000 of each list, 1 000 a page).
	passes := upstreamRequests / 10
	if passes*5 > len(latencies) {
		t.Errorf("%d scrapes made %d upstream passes: scrapes were not shared",
			len(latencies), passes)
	}
	slices.Sort(latencies)
	t.Logf("%d scrapes in %v by %d clients; %d upstream requests (%d passes); "+
		"latency p50 %v, p99 %v, max %v; exporter peak RSS %s",
		len(latencies), duration, clients, upstreamRequests, passes,
		percentile(latencies, 0.50), percentile(latencies, 0.99), latencies[len(latencies)-1],
		peakRSS(t, p.cmd.Process.Pid))
}

// scrapeOnce returns why a scrape failed, or "" for a whole answer.
func scrapeOnce(client *http.Client, url string) string {
	resp, err := client.Get(url)
	if err != nil {
		return err.Error()
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err.Error()
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Sprintf("status %d: %.200s", resp.StatusCode, body)
	}
	if !strings.Contains(string(body), `swr_up{account="load"} 1`) {
		return "swr_up is not 1"
	}
	if n := strings.Count(string(body), "swr_shared_repository_size_bytes{"); n != 10000 {
		return fmt.Sprintf("%d repositories in the answer, want 10000", n)
	}
	return ""
}

func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[int(float64(len(sorted)-1)*q)]
}

// peakRSS reads the process's high-water resident set size from /proc.
func peakRSS(t *testing.T, pid int) string {
	t.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		if value, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(value)
		}
	}
	return "unknown"
}
