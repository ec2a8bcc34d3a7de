// Command report turns the output of the benchmarks into the figures of
// docs/benchmarks.md: a PNG plot of the scrape time of BenchmarkScrape
// against the number of repositories, one line per upstream latency and
// concurrency, and the tables between the markers of the document. A
// benchmark run several times (-count) counts with the mean of its runs.
//
//	go run ./report -png ../docs/benchmarks/scrape.png -doc ../docs/benchmarks.md \
//		../docs/benchmarks/exporter.txt ../docs/benchmarks/sdk.txt
package main

import (
	"bufio"
	"bytes"
	"cmp"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

func main() {
	png := flag.String("png", "", "the PNG plot of scrape time to write")
	doc := flag.String("doc", "", "the Markdown document whose tables to rewrite")
	flag.Parse()

	results := results{}
	for _, path := range flag.Args() {
		if err := readFile(results, path); err != nil {
			log.Fatal(err)
		}
	}
	if *png != "" {
		if err := draw(scrapeSeries(results), *png); err != nil {
			log.Fatal(err)
		}
	}
	if *doc != "" {
		if err := rewriteTables(*doc, results); err != nil {
			log.Fatal(err)
		}
	}
}

// results holds every value read, by benchmark name (without the -N of
// GOMAXPROCS), then by unit.
type results map[string]map[string][]float64

// mean is the mean of a benchmark's values in unit, and whether there are any.
func (r results) mean(name, unit string) (float64, bool) {
	values := r[name][unit]
	if len(values) == 0 {
		return 0, false
	}
	var sum float64
	for _, v := range values {
		sum += v
	}
	return sum / float64(len(values)), true
}

var resultLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

func readFile(r results, path string) error {
	file, err := os.Open(path) //nolint:gosec // G304: the files named on the command line
	if err != nil {
		return err
	}
	defer func() { _ = file.Close() }()
	if err := read(r, file); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// read adds the result lines of `go test -bench` output to r: a name, the
// iterations, then pairs of a value and its unit.
func read(r results, in io.Reader) error {
	lines := bufio.NewScanner(in)
	for lines.Scan() {
		match := resultLine.FindStringSubmatch(lines.Text())
		if match == nil {
			continue
		}
		fields := strings.Fields(match[2])
		if len(fields)%2 != 0 {
			return fmt.Errorf("reading %q: a value without a unit", lines.Text())
		}
		if r[match[1]] == nil {
			r[match[1]] = map[string][]float64{}
		}
		for i := 0; i < len(fields); i += 2 {
			value, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				return fmt.Errorf("reading %q: %w", lines.Text(), err)
			}
			r[match[1]][fields[i+1]] = append(r[match[1]][fields[i+1]], value)
		}
	}
	return lines.Err()
}

// The grid of BenchmarkScrape, as collector/bench_test.go runs it.
var (
	gridRepositories = []int{100, 1000, 10000, 100000}
	gridLatencies    = []string{"0s", "50ms"}
	gridConcurrency  = []int{1, 4, 8}
)

func scrapeName(repositories int, latency string, concurrency int) string {
	return fmt.Sprintf("BenchmarkScrape/repos=%d/latency=%s/concurrency=%d", repositories,
		latency, concurrency)
}

// point is one measured scrape.
type point struct {
	repositories float64
	seconds      float64
}

// scrapeSeries is the mean scrape time of each cell of the grid, a line per
// latency and concurrency.
func scrapeSeries(r results) map[string][]point {
	series := map[string][]point{}
	for _, latency := range gridLatencies {
		for _, concurrency := range gridConcurrency {
			line := fmt.Sprintf("latency %s, concurrency %d", latency, concurrency)
			for _, repositories := range gridRepositories {
				ns, ok := r.mean(scrapeName(repositories, latency, concurrency), "ns/op")
				if ok {
					series[line] = append(series[line], point{float64(repositories), ns / 1e9})
				}
			}
		}
	}
	return series
}

func draw(series map[string][]point, path string) error {
	if len(series) == 0 {
		return fmt.Errorf("no BenchmarkScrape results to plot")
	}
	p := plot.New()
	p.Title.Text = "swr_exporter: scrape time against repositories (page size 1000)"
	p.X.Label.Text = "repositories (self and thirdparty together)"
	p.Y.Label.Text = "scrape time (s)"
	p.X.Scale = plot.LogScale{}
	p.Y.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Legend.Top = true
	p.Legend.Left = true
	p.Add(plotter.NewGrid())

	names := make([]string, 0, len(series))
	for name := range series {
		names = append(names, name)
	}
	slices.SortFunc(names, compareNames)

	var lines []any
	for _, name := range names {
		xys := make(plotter.XYs, len(series[name]))
		for i, pt := range series[name] {
			xys[i] = plotter.XY{X: pt.repositories, Y: pt.seconds}
		}
		lines = append(lines, name, xys)
	}
	if err := plotutil.AddLinePoints(p, lines...); err != nil {
		return fmt.Errorf("drawing the lines: %w", err)
	}

	if err := p.Save(9*vg.Inch, 6*vg.Inch, path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// compareNames orders the lines by latency, then by concurrency as a number.
func compareNames(a, b string) int {
	latencyA, concurrencyA, _ := strings.Cut(a, ", concurrency ")
	latencyB, concurrencyB, _ := strings.Cut(b, ", concurrency ")
	if latencyA != latencyB {
		return strings.Compare(latencyA, latencyB)
	}
	x, _ := strconv.Atoi(concurrencyA)
	y, _ := strconv.Atoi(concurrencyB)
	return cmp.Compare(x, y)
}

// rewriteTables replaces, in the document at path, the text between each
// pair of markers "<!-- table NAME -->" and "<!-- end NAME -->" with the
// table of that name.
func rewriteTables(path string, r results) error {
	doc, err := os.ReadFile(path) //nolint:gosec // G304: the document named on the command line
	if err != nil {
		return err
	}
	for name, table := range map[string]func(results) string{
		"scrape":    scrapeTable,
		"baseline":  baselineTable,
		"peak-heap": peakHeapTable,
		"sdk":       sdkTable,
	} {
		begin, end := "<!-- table "+name+" -->\n", "<!-- end "+name+" -->"
		i := bytes.Index(doc, []byte(begin))
		j := bytes.Index(doc, []byte(end))
		if i < 0 || j < i {
			return fmt.Errorf("%s has no markers %q and %q", path, begin, end)
		}
		doc = slices.Concat(doc[:i+len(begin)], []byte(table(r)), doc[j:])
	}
	return os.WriteFile(path, doc, 0o644) //nolint:gosec // G306: a document of the repository
}

// cell formats a mean, or a dash where the benchmark did not run.
func cell(r results, name, unit, format string, scale float64) string {
	v, ok := r.mean(name, unit)
	if !ok {
		return "–"
	}
	return fmt.Sprintf(format, v*scale)
}

func ratio(r results, name, unit, baseName, baseUnit string) string {
	v, ok := r.mean(name, unit)
	base, baseOK := r.mean(baseName, baseUnit)
	if !ok || !baseOK || base == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", v/base)
}

func scrapeTable(r results) string {
	var b strings.Builder
	b.WriteString("| repositories | concurrency | scrape at 0 ms | scrape at 50 ms | " +
		"beyond 0 ms | round-trip floor | beyond / floor |\n")
	b.WriteString("|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, repositories := range gridRepositories {
		for _, concurrency := range gridConcurrency {
			fast := scrapeName(repositories, "0s", concurrency)
			slow := scrapeName(repositories, "50ms", concurrency)
			fmt.Fprintf(&b, "| %d | %d | %s | %s | %s | %s | %s |\n", repositories, concurrency,
				cell(r, fast, "ns/op", "%.1f ms", 1e-6), cell(r, slow, "ns/op", "%.1f ms", 1e-6),
				cell(r, slow, "overhead-ms", "%.1f ms", 1), cell(r, slow, "floor-ms", "%.0f ms", 1),
				cell(r, slow, "overhead/floor", "%.2f", 1))
		}
	}
	return b.String()
}

func baselineTable(r results) string {
	var b strings.Builder
	b.WriteString("| repositories | concurrency | exporter CPU / repository | " +
		"client_golang, label order | ratio | exporter bytes / repository | " +
		"client_golang, label order | ratio | client_golang, API order |\n")
	b.WriteString("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, repositories := range gridRepositories {
		best := fmt.Sprintf("BenchmarkClientGolang/repos=%d/order=label", repositories)
		unsorted := fmt.Sprintf("BenchmarkClientGolang/repos=%d/order=api", repositories)
		for _, concurrency := range gridConcurrency {
			scrape := scrapeName(repositories, "0s", concurrency)
			fmt.Fprintf(&b, "| %d | %d | %s | %s | %s | %s | %s | %s | %s |\n", repositories,
				concurrency,
				cell(r, scrape, "cpu-ns/repo", "%.1f µs", 1e-3),
				cell(r, best, "cpu-ns/repo", "%.1f µs", 1e-3),
				ratio(r, scrape, "cpu-ns/repo", best, "cpu-ns/repo"),
				cell(r, scrape, "B/repo", "%.0f B", 1),
				cell(r, best, "B/repo", "%.0f B", 1),
				ratio(r, scrape, "B/repo", best, "B/repo"),
				cell(r, unsorted, "cpu-ns/repo", "%.1f µs", 1e-3))
		}
	}
	return b.String()
}

func peakHeapTable(r results) string {
	var b strings.Builder
	b.WriteString("| 100 000 repositories | peak heap | exposition | peak / exposition |\n")
	b.WriteString("|---|---:|---:|---:|\n")
	row := func(label, name string) {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", label,
			cell(r, name, "peak-heap-MiB", "%.0f MiB", 1), cell(r, name, "expo-MiB", "%.1f MiB", 1),
			cell(r, name, "peak/expo", "%.2f", 1))
	}
	for _, concurrency := range gridConcurrency {
		row(fmt.Sprintf("exporter, concurrency %d", concurrency), fmt.Sprintf(
			"BenchmarkScrapePeakHeap/repos=100000/latency=0s/concurrency=%d", concurrency))
	}
	row("client_golang alone, label order",
		"BenchmarkClientGolangPeakHeap/repos=100000/order=label")
	return b.String()
}

func sdkTable(r results) string {
	var b strings.Builder
	b.WriteString("| repositories | swr_exporter | official SDK | ratio | " +
		"swr_exporter bytes | official SDK bytes |\n")
	b.WriteString("|---:|---:|---:|---:|---:|---:|\n")
	for _, repositories := range []int{1000, 10000, 100000} {
		ours := fmt.Sprintf("BenchmarkListShared/repos=%d/client=swr_exporter", repositories)
		sdk := fmt.Sprintf("BenchmarkListShared/repos=%d/client=huaweicloud-sdk", repositories)
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s |\n", repositories,
			cell(r, ours, "ns/repo", "%.1f µs", 1e-3), cell(r, sdk, "ns/repo", "%.1f µs", 1e-3),
			ratio(r, ours, "ns/repo", sdk, "ns/repo"),
			cell(r, ours, "B/op", "%.0f B", 1/float64(repositories)),
			cell(r, sdk, "B/op", "%.0f B", 1/float64(repositories)))
	}
	return b.String()
}
