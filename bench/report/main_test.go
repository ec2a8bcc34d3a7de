package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const output = `goos: linux
BenchmarkScrape/repos=1000/latency=50ms/concurrency=4-2  10  120000000 ns/op  5 floor-ms
BenchmarkScrape/repos=100/latency=50ms/concurrency=4-2   10   60000000 ns/op  50 floor-ms
BenchmarkScrape/repos=100/latency=50ms/concurrency=4-2   10   80000000 ns/op  50 floor-ms
BenchmarkScrape/repos=100/latency=0s/concurrency=1-2     10    1000000 ns/op
BenchmarkClientGolang/repos=100/order=label-2            10    1000000 ns/op  2000 cpu-ns/repo
PASS
`

func TestRead(t *testing.T) {
	t.Parallel()
	r := results{}
	if err := read(r, strings.NewReader(output)); err != nil {
		t.Fatal(err)
	}

	want := results{
		"BenchmarkScrape/repos=1000/latency=50ms/concurrency=4": {
			"ns/op": {120000000}, "floor-ms": {5}},
		"BenchmarkScrape/repos=100/latency=50ms/concurrency=4": {
			"ns/op": {60000000, 80000000}, "floor-ms": {50, 50}},
		"BenchmarkScrape/repos=100/latency=0s/concurrency=1": {"ns/op": {1000000}},
		"BenchmarkClientGolang/repos=100/order=label": {
			"ns/op": {1000000}, "cpu-ns/repo": {2000}},
	}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("got %v, want %v", r, want)
	}

	gotSeries := scrapeSeries(r)
	wantSeries := map[string][]point{
		"latency 50ms, concurrency 4": {{100, 0.07}, {1000, 0.12}},
		"latency 0s, concurrency 1":   {{100, 0.001}},
	}
	if !reflect.DeepEqual(gotSeries, wantSeries) {
		t.Errorf("got series %v, want %v", gotSeries, wantSeries)
	}
}

func TestReadRefusesAValueWithoutUnit(t *testing.T) {
	t.Parallel()
	err := read(results{}, strings.NewReader("BenchmarkScrape-2  10  100 ns/op 7\n"))
	if err == nil || !strings.Contains(err.Error(), "a value without a unit") {
		t.Errorf("got %v, want an error about a value without a unit", err)
	}
}

func TestDrawWritesPNG(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "scrape.png")
	err := draw(map[string][]point{"latency 0s, concurrency 1": {{100, 0.01}, {1000, 0.1}}}, path)
	if err != nil {
		t.Fatal(err)
	}
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(content), "\x89PNG") {
		t.Errorf("%s is not a PNG file", path)
	}
}

func TestRewriteTables(t *testing.T) {
	t.Parallel()
	r := results{}
	if err := read(r, strings.NewReader(output)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "benchmarks.md")
	var doc strings.Builder
	doc.WriteString("# Benchmarks\n")
	for _, name := range []string{"scrape", "baseline", "peak-heap", "sdk"} {
		doc.WriteString("\n<!-- table " + name + " -->\nold\n<!-- end " + name + " -->\n")
	}
	if err := os.WriteFile(path, []byte(doc.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	if err := rewriteTables(path, r); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"# Benchmarks\n",
		"| 100 | 4 | – | 70.0 ms | – | 50 ms | – |\n",
		"| 100 | 1 | 1.0 ms | – | – | – | – |\n",
		"| 100 | 1 | – | 2.0 µs | – | – | – | – | – |\n",
	} {
		if !strings.Contains(string(got), want) {
			t.Errorf("the document lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(string(got), "old") {
		t.Errorf("the document still holds the old tables:\n%s", got)
	}

	if err := os.WriteFile(path, []byte("no markers\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := rewriteTables(path, r); err == nil {
		t.Error("a document without markers was accepted")
	}
}
