// Package testtools builds the real programs the tests run against, such as
// Prometheus and promtool, at pinned versions, and caches them so that only
// the first run on a machine pays for the build.
package testtools

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
)

// PrometheusVersion is the Prometheus release every test runs against, as
// the Go module version of github.com/prometheus/prometheus.
const PrometheusVersion = "v0.316.0"

// HelmVersion is the Helm release the chart under charts/ is linted and
// rendered with.
const HelmVersion = "v4.3.2"

// tools maps a program to the package that builds it and its version.
var tools = map[string]struct{ pkg, version string }{
	"prometheus": {"github.com/prometheus/prometheus/cmd/prometheus", PrometheusVersion},
	"promtool":   {"github.com/prometheus/prometheus/cmd/promtool", PrometheusVersion},
	"helm":       {"helm.sh/helm/v4/cmd/helm", HelmVersion},
}

// Binary returns the path of a pinned tool, building it into the cache on
// first use. The cache is $SWR_EXPORTER_TOOLS, else .cache/tools at the top
// of the repository (which git ignores); each tool lives in a folder named
// after it and its version, <cache>/<name>-<version>/<name>, so that a new
// pinned version is built afresh. Concurrent test binaries wait for one
// another's build instead of building twice.
func Binary(t testing.TB, name string) string {
	t.Helper()
	tool, ok := tools[name]
	if !ok {
		t.Fatalf("testtools: no pinned version of %q", name)
	}
	cache, err := cacheDir()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(cache, name+"-"+tool.version)
	path := filepath.Join(dir, name)

	unlock, err := lock(cache)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	if _, err := os.Stat(path); err == nil {
		return path
	}

	pkg := tool.pkg + "@" + tool.version
	t.Logf("building %s into %s (minutes the first time)", pkg, dir)
	install := exec.CommandContext(t.Context(), "go", "install", pkg)
	install.Env = append(os.Environ(), "GOBIN="+dir, "CGO_ENABLED=0")
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("go install %s: %v\n%s", pkg, err, out)
	}
	return path
}

// cacheDir is where the pinned tools live, made if missing.
func cacheDir() (string, error) {
	dir := os.Getenv("SWR_EXPORTER_TOOLS")
	if dir == "" {
		_, file, _, ok := runtime.Caller(0)
		if !ok {
			return "", fmt.Errorf("testtools: cannot locate the repository")
		}
		root := filepath.Dir(filepath.Dir(filepath.Dir(file)))
		dir = filepath.Join(root, ".cache", "tools")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("testtools: %w", err)
	}
	return dir, nil
}

// lock takes an exclusive lock on the cache, held while a tool is built.
func lock(dir string) (func(), error) {
	file, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("testtools: %w", err)
	}
	if err := syscall.Flock(int(file.Fd()), syscall.LOCK_EX); err != nil {
		_ = file.Close()
		return nil, fmt.Errorf("testtools: locking %s: %w", dir, err)
	}
	return func() {
		_ = syscall.Flock(int(file.Fd()), syscall.LOCK_UN)
		_ = file.Close()
	}, nil
}
