//go:build unix

package collector

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/swr-exporter/swr_exporter/swr"
	"github.com/swr-exporter/swr_exporter/swr/swrtest"
)

// The grid of the scrape benchmarks: repositories split evenly between the
// self and thirdparty lists, read in pages of benchPageSize.
var (
	benchRepositories = []int{100, 1000, 10000, 100000}
	benchLatencies    = []time.Duration{0, 50 * time.Millisecond}
	benchConcurrency  = []int{1, 4, 8}
)

const benchPageSize = 1000

// BenchmarkScrape measures what serves /probe?account=: Collector.Gather,
// then the families encoded as text the way promhttp does, against the
// simulated service run in a process of its own (see startSimulator). Per
// scrape it reports the time, CPU time (user and system, of this process
// only, so the simulator's work is not counted) and bytes allocated, each
// per repository, and the size of the exposition.
//
// At a latency above zero it also scrapes the same repositories at no
// latency, before timing, and reports the difference as overhead-ms, next
// to the floor of floor-ms: the latency times the fewest round trips any
// client needs (see roundTrips).
func BenchmarkScrape(b *testing.B) {
	for _, repositories := range benchRepositories {
		simulators := map[time.Duration]string{}
		for _, latency := range benchLatencies {
			simulators[latency] = startSimulator(b, repositories, latency)
		}
		for _, latency := range benchLatencies {
			for _, concurrency := range benchConcurrency {
				name := fmt.Sprintf("repos=%d/latency=%s/concurrency=%d", repositories,
					latency, concurrency)
				b.Run(name, func(b *testing.B) {
					benchmarkScrape(b, repositories, latency, concurrency, simulators)
				})
			}
		}
	}
}

func benchmarkScrape(b *testing.B, repositories int, latency time.Duration, concurrency int,
	simulators map[time.Duration]string) {
	collector := benchCollector(b, simulators[latency], concurrency)
	exposition := scrapeChecked(b, collector, repositories)

	var reference time.Duration
	if latency > 0 {
		reference = meanScrapeTime(b, benchCollector(b, simulators[0], concurrency))
	}

	cost := measure(b, func() { scrape(b, collector) })

	cost.report(b, repositories)
	b.ReportMetric(float64(exposition), "expo-B")
	if latency > 0 {
		floor := latency * time.Duration(roundTrips(repositories, benchPageSize, concurrency))
		overhead := cost.wall - reference
		b.ReportMetric(float64(overhead)/1e6, "overhead-ms")
		b.ReportMetric(float64(floor)/1e6, "floor-ms")
		b.ReportMetric(float64(overhead)/float64(floor), "overhead/floor")
	}
}

// BenchmarkScrapePeakHeap measures the most heap a scrape of the largest
// account holds, above what was live before it, sampled every 200µs, and
// compares it with the size of the exposition it serves.
func BenchmarkScrapePeakHeap(b *testing.B) {
	repositories := benchRepositories[len(benchRepositories)-1]
	address := startSimulator(b, repositories, 0)
	for _, concurrency := range benchConcurrency {
		name := fmt.Sprintf("repos=%d/latency=0s/concurrency=%d", repositories, concurrency)
		b.Run(name, func(b *testing.B) {
			collector := benchCollector(b, address, concurrency)
			exposition := scrapeChecked(b, collector, repositories)

			reportPeakHeap(b, exposition, func() { scrape(b, collector) })
		})
	}
}

// BenchmarkClientGolangPeakHeap is BenchmarkScrapePeakHeap for
// client_golang alone gathering the same series through a registry, in
// label order, from label values made before the measure starts.
func BenchmarkClientGolangPeakHeap(b *testing.B) {
	repositories := benchRepositories[len(benchRepositories)-1]
	series := baselineSeries(repositories, time.Now())
	sortInLabelOrder(series)
	registry := prometheus.NewRegistry()
	registry.MustRegister(baselineCollector(series))
	gatherAndEncode := func() int64 {
		families, err := registry.Gather()
		if err != nil {
			b.Fatal(err)
		}
		return encodeText(b, families)
	}

	b.Run(fmt.Sprintf("repos=%d/order=label", repositories), func(b *testing.B) {
		reportPeakHeap(b, gatherAndEncode(), func() { gatherAndEncode() })
	})
}

// reportPeakHeap runs op in a benchmark loop, each time after a garbage
// collection, and reports the most heap it held above what was held
// before, sampled every 200µs, beside the exposition's size.
func reportPeakHeap(b *testing.B, exposition int64, op func()) {
	var peak uint64
	for b.Loop() {
		runtime.GC()
		before := heapObjectBytes()
		sampler := startHeapSampler(200 * time.Microsecond)
		op()
		if highest := sampler.stop(); highest > before {
			peak = max(peak, highest-before)
		}
	}

	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(exposition)/(1<<20), "expo-MiB")
	b.ReportMetric(float64(peak)/float64(exposition), "peak/expo")
}

// BenchmarkClientGolang is the floor of the exporter's own CPU and memory:
// client_golang alone gathering and encoding the series the exporter
// serves for the same repositories, with the exporter's descriptors, from
// label values ready in advance. Emitted in label order, the registry's
// sort of every family has nothing to do; that is its best case. In the
// order of the API's list, it has.
func BenchmarkClientGolang(b *testing.B) {
	for _, repositories := range benchRepositories {
		for _, order := range []string{"label", "api"} {
			b.Run(fmt.Sprintf("repos=%d/order=%s", repositories, order), func(b *testing.B) {
				series := baselineSeries(repositories, time.Now())
				if order == "label" {
					sortInLabelOrder(series)
				}
				registry := prometheus.NewRegistry()
				registry.MustRegister(baselineCollector(series))

				var exposition int64
				cost := measure(b, func() {
					families, err := registry.Gather()
					if err != nil {
						b.Fatal(err)
					}
					exposition = encodeText(b, families)
				})

				cost.report(b, repositories)
				b.ReportMetric(float64(exposition), "expo-B")
			})
		}
	}
}

// TestBaselineMirrorsExporter checks that BenchmarkClientGolang encodes
// the very series the exporter serves for the same repositories.
func TestBaselineMirrorsExporter(t *testing.T) {
	t.Parallel()
	const repositories = 40
	now := time.Now()
	_, account := startAccount(t, "bench",
		swrtest.Generate(repositories/2, repositories/2, now))
	exporter := newTestExporter(t, account, nil)
	c, err := exporter.Collector(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	families, err := c.Gather()
	if err != nil {
		t.Fatal(err)
	}

	registry := prometheus.NewRegistry()
	registry.MustRegister(baselineCollector(baselineSeries(repositories, now)))
	baseline, err := registry.Gather()
	if err != nil {
		t.Fatal(err)
	}

	var got, want strings.Builder
	for _, family := range families {
		if strings.HasPrefix(family.GetName(), "swr_shared_repository_") {
			_, _ = expfmt.MetricFamilyToText(&got, family)
		}
	}
	for _, family := range baseline {
		_, _ = expfmt.MetricFamilyToText(&want, family)
	}
	if got.String() != want.String() {
		t.Errorf("the exporter serves\n%s\nthe baseline\n%s", got.String(), want.String())
	}
}

// roundTrips is the fewest round trips any client needs to read the two
// lists of repositories split evenly between self and thirdparty, with at
// most concurrency requests of the account in flight, as swr.Client
// allows: the first page of each list, which tells its total, then the
// other pages concurrency at a time.
func roundTrips(repositories, pageSize, concurrency int) int {
	pagesOf := func(n int) int { return max(1, (n+pageSize-1)/pageSize) }
	pages := pagesOf(repositories/2) + pagesOf(repositories-repositories/2)
	firstPages := (2 + concurrency - 1) / concurrency
	return firstPages + (pages-2+concurrency-1)/concurrency
}

// benchCollector returns a collector of one account reading the simulator
// at address, without share deadlines.
func benchCollector(tb testing.TB, address string, concurrency int) *Collector {
	tb.Helper()
	account := fmt.Sprintf("  - {name: bench, endpoint: %q, access_key: %s, secret_key: %s, "+
		"timeout: 10m, page_size: %d, concurrency: %d, share_deadlines: {enabled: false}}\n",
		address, testAccessKey, testSecretKey, benchPageSize, concurrency)
	exporter := newTestExporter(tb, account, nil)
	tb.Cleanup(exporter.Close)
	c, err := exporter.Collector(context.Background(), "")
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// scrape gathers and encodes what the collector serves, and returns the
// size of the exposition.
func scrape(tb testing.TB, c *Collector) int64 {
	families, err := c.Gather()
	if err != nil {
		tb.Fatal(err)
	}
	return encodeText(tb, families)
}

// scrapeChecked scrapes once, which also opens the connections, and checks
// that every repository was read.
func scrapeChecked(tb testing.TB, c *Collector, repositories int) int64 {
	tb.Helper()
	families, err := c.Gather()
	if err != nil {
		tb.Fatal(err)
	}
	counts := map[string]float64{}
	for _, family := range families {
		switch family.GetName() {
		case "swr_up":
			counts["up"] = family.GetMetric()[0].GetGauge().GetValue()
		case "swr_shared_repository_size_bytes":
			counts["size"] = float64(len(family.GetMetric()))
		}
	}
	if counts["up"] != 1 || counts["size"] != float64(repositories) {
		tb.Fatalf("swr_up %v and %v size series, want 1 and %d", counts["up"], counts["size"],
			repositories)
	}
	return encodeText(tb, families)
}

// meanScrapeTime times scrapes for about a second, at least three.
func meanScrapeTime(tb testing.TB, c *Collector) time.Duration {
	tb.Helper()
	scrape(tb, c)
	start := time.Now()
	n := 0
	for n < 3 || time.Since(start) < time.Second && n < 100 {
		scrape(tb, c)
		n++
	}
	return time.Since(start) / time.Duration(n)
}

// encodeText writes families in the text format, as promhttp does for a
// client that asks for no particular format, and returns the bytes written.
func encodeText(tb testing.TB, families []*dto.MetricFamily) int64 {
	var out countingWriter
	encoder := expfmt.NewEncoder(&out, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, family := range families {
		if err := encoder.Encode(family); err != nil {
			tb.Fatal(err)
		}
	}
	return out.n
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

// cost is what one operation took on average.
type cost struct {
	wall, cpu time.Duration
	bytes     float64
}

// measure runs op in a benchmark loop and returns its mean cost. CPU time
// is the process's, user and system, garbage collection included.
func measure(b *testing.B, op func()) cost {
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	cpuBefore := processCPUTime(b)
	for b.Loop() {
		op()
	}
	cpu := processCPUTime(b) - cpuBefore
	var after runtime.MemStats
	runtime.ReadMemStats(&after)

	n := time.Duration(b.N)
	return cost{
		wall:  b.Elapsed() / n,
		cpu:   cpu / n,
		bytes: float64(after.TotalAlloc-before.TotalAlloc) / float64(b.N),
	}
}

func (c cost) report(b *testing.B, repositories int) {
	b.ReportMetric(float64(c.wall)/float64(repositories), "ns/repo")
	b.ReportMetric(float64(c.cpu)/float64(repositories), "cpu-ns/repo")
	b.ReportMetric(c.bytes/float64(repositories), "B/repo")
}

func processCPUTime(tb testing.TB) time.Duration {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
}

// heapObjectBytes is the heap held by objects, live or not yet swept: what
// runtime.MemStats calls HeapAlloc, read without stopping the world.
func heapObjectBytes() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

// heapSampler records the largest heapObjectBytes it sees.
type heapSampler struct {
	max  uint64
	done chan struct{}
	wg   sync.WaitGroup
}

func startHeapSampler(every time.Duration) *heapSampler {
	s := &heapSampler{max: heapObjectBytes(), done: make(chan struct{})}
	s.wg.Go(func() {
		ticker := time.NewTicker(every)
		defer ticker.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-ticker.C:
				s.max = max(s.max, heapObjectBytes())
			}
		}
	})
	return s
}

func (s *heapSampler) stop() uint64 {
	close(s.done)
	s.wg.Wait()
	return max(s.max, heapObjectBytes())
}

// The simulated service of the benchmarks runs in a child process, the
// test binary itself running TestBenchmarkSimulator, so that neither its
// work nor its memory counts as the exporter's.
const (
	simulatorRepositoriesEnv = "SWR_BENCH_SIMULATOR_REPOSITORIES"
	simulatorLatencyEnv      = "SWR_BENCH_SIMULATOR_LATENCY"
	simulatorReady           = "simulator listening on"
)

// startSimulator serves swrtest.Generate's repositories, split evenly
// between self and thirdparty, from a child process until the benchmark
// ends, and returns its URL.
func startSimulator(b *testing.B, repositories int, latency time.Duration) string {
	b.Helper()
	executable, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(executable, "-test.run=^TestBenchmarkSimulator$", "-test.count=1")
	cmd.Env = append(os.Environ(),
		simulatorRepositoriesEnv+"="+strconv.Itoa(repositories),
		simulatorLatencyEnv+"="+latency.String())
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = stdin.Close()
		_, _ = io.Copy(io.Discard, stdout)
		if err := cmd.Wait(); err != nil {
			b.Errorf("simulated service: %v", err)
		}
	})

	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if address, ok := strings.CutPrefix(lines.Text(), simulatorReady+" "); ok {
			return address
		}
	}
	b.Fatalf("the simulated service did not start: %v", lines.Err())
	return ""
}

// TestBenchmarkSimulator is the simulated service of the benchmarks when
// startSimulator runs it; in a test run it is skipped. It serves until its
// standard input is closed.
func TestBenchmarkSimulator(t *testing.T) {
	repositories, err := strconv.Atoi(os.Getenv(simulatorRepositoriesEnv))
	if err != nil {
		t.Skip("only the benchmarks run it, as their simulated service")
	}
	latency, err := time.ParseDuration(os.Getenv(simulatorLatencyEnv))
	if err != nil {
		t.Fatal(err)
	}

	data := swrtest.Generate(repositories/2, repositories-repositories/2, time.Now())
	simulator := swrtest.NewServer(data, swrtest.Account{AccessKey: testAccessKey,
		SecretKey: testSecretKey})
	server := httptest.NewServer(&replayingFront{simulator: simulator, latency: latency})
	defer server.Close()

	fmt.Println(simulatorReady, server.URL)
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// replayingFront holds every answer for the latency, as a swrtest.Fault's
// Latency would, then sends what the simulator answered the first time it
// was asked the same thing. The simulator takes about 2 ms of CPU to
// render a page of 1000 repositories; on a machine of few cores that would
// slow the exporter down, and be counted as its own time.
type replayingFront struct {
	simulator http.Handler
	latency   time.Duration

	mu      sync.Mutex
	answers map[string]*httptest.ResponseRecorder
}

func (f *replayingFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.latency > 0 {
		timer := time.NewTimer(f.latency)
		select {
		case <-timer.C:
		case <-r.Context().Done():
			timer.Stop()
			return
		}
	}

	key := r.URL.RequestURI()
	f.mu.Lock()
	answer, ok := f.answers[key]
	f.mu.Unlock()
	if !ok {
		answer = httptest.NewRecorder()
		f.simulator.ServeHTTP(answer, r)
		if answer.Code == http.StatusOK {
			f.mu.Lock()
			if f.answers == nil {
				f.answers = map[string]*httptest.ResponseRecorder{}
			}
			f.answers[key] = answer
			f.mu.Unlock()
		}
	}

	maps.Copy(w.Header(), answer.Header())
	w.WriteHeader(answer.Code)
	_, _ = w.Write(answer.Body.Bytes())
}

// series is one series of the baseline: its descriptor, value and label
// values in the descriptor's order.
type series struct {
	desc      *prometheus.Desc
	valueType prometheus.ValueType
	value     float64
	labels    []string
}

// baselineSeries returns the series the exporter serves for swrtest's
// generated repositories, as the API lists them, grouped by family.
func baselineSeries(repositories int, now time.Time) [][]series {
	data := swrtest.Generate(repositories/2, repositories-repositories/2, now)
	families := make([][]series, 7)
	add := func(family int, desc *prometheus.Desc, valueType prometheus.ValueType,
		value float64, labels []string) {
		families[family] = append(families[family], series{desc, valueType, value, labels})
	}
	for _, list := range []struct {
		sharedBy swr.SharedBy
		repos    []swrtest.Repo
	}{{swr.Self, data.Self}, {swr.ThirdParty, data.ThirdParty}} {
		for _, repo := range list.repos {
			labels := []string{"bench", string(list.sharedBy), repo.Namespace, repo.Name}
			created, _ := swr.ParseTime(repo.CreatedAt)
			updated, _ := swr.ParseTime(repo.UpdatedAt)
			add(0, repositorySize.desc, prometheus.GaugeValue, float64(repo.Size), labels)
			add(1, repositoryTags.desc, prometheus.GaugeValue, float64(repo.NumImages), labels)
			add(2, repositoryDownloads.desc, prometheus.CounterValue,
				float64(repo.NumDownload), labels)
			if list.sharedBy == swr.ThirdParty {
				add(3, repositoryExpired.desc, prometheus.GaugeValue, boolValue(!repo.Status),
					labels)
			}
			add(4, repositoryInfo.desc, prometheus.GaugeValue, 1, append(labels[:4:4],
				repo.DomainName, repo.Category, strconv.FormatBool(repo.IsPublic), repo.Path,
				repo.InternalPath))
			add(5, repositoryCreated.desc, prometheus.GaugeValue, float64(created.Unix()),
				labels)
			add(6, repositoryUpdated.desc, prometheus.GaugeValue, float64(updated.Unix()),
				labels)
		}
	}
	return families
}

// sortInLabelOrder sorts each family's series the way the registry sorts
// them: by label values, the labels taken in the order of their names.
func sortInLabelOrder(families [][]series) {
	for _, family := range families {
		if len(family) == 0 {
			continue
		}
		order := labelOrder(family[0].desc)
		slices.SortFunc(family, func(a, b series) int {
			for _, i := range order {
				if c := cmp.Compare(a.labels[i], b.labels[i]); c != 0 {
					return c
				}
			}
			return 0
		})
	}
}

// labelOrder returns the indexes of the descriptor's variable labels in
// the order of their names.
func labelOrder(desc *prometheus.Desc) []int {
	var names []string
	switch desc {
	case repositoryInfo.desc:
		names = slices.Concat(repositoryLabels, repositoryInfoLabels)
	default:
		names = repositoryLabels
	}
	order := make([]int, len(names))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(names[a], names[b]) })
	return order
}

// baselineCollector emits the series with MustNewConstMetric, in order.
type baselineCollector [][]series

func (c baselineCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, desc := range allDescs {
		ch <- desc
	}
}

func (c baselineCollector) Collect(ch chan<- prometheus.Metric) {
	for _, family := range c {
		for _, s := range family {
			//nolint:promlinter // the descriptors are the exporter's, linted in its tests
			ch <- prometheus.MustNewConstMetric(s.desc, s.valueType, s.value, s.labels...)
		}
	}
}

func TestRoundTrips(t *testing.T) {
	t.Parallel()
	tests := []struct{ repositories, concurrency, want int }{
		{100, 1, 2},         // one page each, one at a time
		{100, 4, 1},         // both first pages at once
		{2000, 1, 2},        // one full page each
		{10000, 1, 10},      // five pages each
		{10000, 4, 3},       // two first pages, then 8 pages 4 at a time
		{10000, 8, 2},       // two first pages, then 8 at once
		{100000, 4, 1 + 25}, // 100 pages: 2, then 98 four at a time
		{100000, 8, 1 + 13},
	}
	for _, tt := range tests {
		if got := roundTrips(tt.repositories, benchPageSize, tt.concurrency); got != tt.want {
			t.Errorf("roundTrips(%d, %d, %d) = %d, want %d", tt.repositories, benchPageSize,
				tt.concurrency, got, tt.want)
		}
	}
}
