package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/swr-exporter/swr_exporter/swr/swrtest"
)

// These tests build the exporter and run it as a user would: a process with
// flags and a config file, talked to over HTTP.

var exporterBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "swr_exporter-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	exporterBinary = filepath.Join(dir, "swr_exporter")
	build := exec.Command("go", "build", "-o", exporterBinary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the exporter:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

const (
	testAccessKey = "AKMAINTEST0000000000"
	// testSecretKey and the token below must never be seen in any output.
	testSecretKey = "sk-must-never-be-seen-7f3a"
	testToken     = "iam-token-must-never-be-seen-9c2e"
)

// upstream is a simulated SWR account served over loopback.
func upstream(t *testing.T) (*swrtest.Server, string) {
	t.Helper()
	srv := swrtest.NewServer(swrtest.Generate(12, 8, time.Now()),
		swrtest.Account{AccessKey: testAccessKey, SecretKey: testSecretKey},
		swrtest.Account{AuthToken: testToken})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return srv, ts.URL
}

// exporterProcess is a running exporter and what it logged.
type exporterProcess struct {
	cmd  *exec.Cmd
	url  string
	mu   sync.Mutex
	logs bytes.Buffer
}

func (p *exporterProcess) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.Write(b)
}

func (p *exporterProcess) Logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

// startExporter runs the exporter with args on a free loopback port and
// waits until it is ready.
func startExporter(t *testing.T, args ...string) *exporterProcess {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	address := listener.Addr().String()
	_ = listener.Close()

	p := &exporterProcess{url: "http://" + address}
	p.cmd = execExporter(t, append([]string{"--web.listen-address=" + address}, args...), p)
	t.Cleanup(func() { stopProcess(p) })

	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if resp, err := http.Get(p.url + "/-/ready"); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("exporter did not become ready; it logged:\n%s", p.Logs())
	return nil
}

// execExporter starts the exporter binary with debug logging into p.
func execExporter(t *testing.T, args []string, p *exporterProcess) *exec.Cmd {
	t.Helper()
	if !slices.ContainsFunc(args, func(arg string) bool {
		return strings.HasPrefix(arg, "--log.level=")
	}) {
		args = append([]string{"--log.level=debug"}, args...)
	}
	cmd := exec.Command(exporterBinary, args...)
	cmd.Stdout, cmd.Stderr = p, p
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", exporterBinary, err)
	}
	return cmd
}

// stopProcess ends the exporter as systemd would.
func stopProcess(p *exporterProcess) {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	_ = p.cmd.Wait()
}

// get fetches a path of the exporter and returns the status and body.
func get(t *testing.T, p *exporterProcess, path string, header http.Header) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, p.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, values := range header {
		req.Header[name] = values
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func writeConfig(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func accountYAML(name, endpoint, secretKey string) string {
	return fmt.Sprintf("  - name: %s\n    endpoint: %s\n    access_key: %s\n    secret_key: %s\n",
		name, endpoint, testAccessKey, secretKey)
}

func TestDemoMode(t *testing.T) {
	t.Parallel()
	p := startExporter(t, "--demo")

	status, body := get(t, p, "/metrics", nil)

	if status != http.StatusOK || !strings.Contains(body,
		`swr_shared_repository_size_bytes{account="demo",`) {
		t.Fatalf("GET /metrics = %d without demo repositories:\n%.2000s", status, body)
	}
	for _, want := range []string{`swr_up{account="demo"} 1`, "swr_exporter_build_info{",
		"go_goroutines ", "swr_api_requests_total{account=\"demo\",code=\"200\"," +
			"endpoint=\"shared-repositories\"}"} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// TestNoSecretInAnyOutput runs the exporter with credentials that work and
// one account whose secret is refused, then reads every output a user or an
// attacker could see and looks for the secrets.
func TestNoSecretInAnyOutput(t *testing.T) {
	t.Parallel()
	_, endpoint := upstream(t)
	dir := t.TempDir()
	writeConfig(t, filepath.Join(dir, "token"), testToken)
	writeConfig(t, filepath.Join(dir, "bad-sk"), "sk-wrong-but-secret-too-4d1b")
	configPath := filepath.Join(dir, "swr.yml")
	writeConfig(t, configPath, "accounts:\n"+accountYAML("good", endpoint, testSecretKey)+
		fmt.Sprintf("  - {name: token, endpoint: %s, auth_token_file: token}\n", endpoint)+
		fmt.Sprintf("  - {name: refused, endpoint: %s, access_key: %s, secret_key_file: bad-sk}\n",
			endpoint, testAccessKey))
	p := startExporter(t, "--config.file="+configPath)

	var outputs []string
	for _, path := range []string{"/metrics", "/probe?account=good", "/probe?account=refused",
		"/probe?account=token", "/", "/probe?account=nobody"} {
		_, body := get(t, p, path, nil)
		outputs = append(outputs, path+":\n"+body)
	}
	reload, err := http.NewRequest(http.MethodPost, p.url+"/-/reload", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, body := do(t, reload)
	outputs = append(outputs, "reload:\n"+body)

	check := exec.Command(exporterBinary, "--config.check", "--config.file="+configPath)
	out, err := check.CombinedOutput()
	if err != nil {
		t.Fatalf("--config.check: %v\n%s", err, out)
	}
	outputs = append(outputs, "config.check:\n"+string(out))
	writeConfig(t, configPath, "accounts:\n  - {name: x, endpoint: "+endpoint+
		", access_key: A, secret_key: "+testSecretKey+", page_size: 0}\n")
	out, _ = exec.Command(exporterBinary, "--config.check", "--config.file="+configPath).
		CombinedOutput()
	outputs = append(outputs, "config.check bad:\n"+string(out))
	outputs = append(outputs, "logs:\n"+p.Logs())

	all := strings.Join(outputs, "\n")
	for _, secret := range []string{testSecretKey, testToken, "sk-wrong-but-secret-too-4d1b"} {
		if strings.Contains(all, secret) {
			t.Errorf("a secret appears in the outputs:\n%s", all)
		}
	}
	// The outputs must still say what failed, or the test proves nothing.
	for _, want := range []string{`swr_up{account="refused"} 0`, `swr_up{account="good"} 1`,
		`swr_up{account="token"} 1`, "401 APIG.0301", "3 account(s): good, token, refused",
		"page_size: 0 is not within 1..1000"} {
		if !strings.Contains(all, want) {
			t.Errorf("outputs lack %q", want)
		}
	}
}

func TestReloadKeepsGoodConfig(t *testing.T) {
	t.Parallel()
	_, endpoint := upstream(t)
	configPath := filepath.Join(t.TempDir(), "swr.yml")
	writeConfig(t, configPath, "accounts:\n"+accountYAML("first", endpoint, testSecretKey))
	p := startExporter(t, "--config.file="+configPath)

	steps := []struct {
		name, config string
		signal       bool
		wantStatus   int
		wantMetrics  []string
	}{
		{
			name:       "bad config is refused",
			config:     "accounts:\n  - {name: first, endpoint: " + endpoint + "}\n",
			wantStatus: http.StatusInternalServerError,
			wantMetrics: []string{"swr_exporter_config_last_reload_successful 0",
				`swr_up{account="first"} 1`},
		},
		{
			name:       "good config replaces the old one",
			config:     "accounts:\n" + accountYAML("second", endpoint, testSecretKey),
			wantStatus: http.StatusOK,
			wantMetrics: []string{"swr_exporter_config_last_reload_successful 1",
				`swr_up{account="second"} 1`},
		},
		{
			name:   "SIGHUP reloads too",
			config: "accounts:\n" + accountYAML("third", endpoint, testSecretKey),
			signal: true,
			wantMetrics: []string{"swr_exporter_config_last_reload_successful 1",
				`swr_up{account="third"} 1`},
		},
	}
	for _, step := range steps {
		writeConfig(t, configPath, step.config)
		if step.signal {
			if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
				t.Fatal(err)
			}
			waitForLog(t, p, "accounts=third")
		} else {
			req, err := http.NewRequest(http.MethodPost, p.url+"/-/reload", nil)
			if err != nil {
				t.Fatal(err)
			}
			if status, body := do(t, req); status != step.wantStatus {
				t.Errorf("%s: reload = %d %s, want %d", step.name, status, body, step.wantStatus)
			}
		}

		_, metrics := get(t, p, "/metrics", nil)
		for _, want := range step.wantMetrics {
			if !strings.Contains(metrics, want) {
				t.Errorf("%s: /metrics lacks %s", step.name, want)
			}
		}
	}
	if status, _ := get(t, p, "/-/reload", nil); status != http.StatusMethodNotAllowed {
		t.Errorf("GET /-/reload = %d, want 405", status)
	}
}

func waitForLog(t *testing.T, p *exporterProcess, want string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		if strings.Contains(p.Logs(), want) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the log never said %q:\n%s", want, p.Logs())
}

func TestProbe(t *testing.T) {
	t.Parallel()
	_, endpoint := upstream(t)
	configPath := filepath.Join(t.TempDir(), "swr.yml")
	writeConfig(t, configPath, "accounts:\n"+accountYAML("one", endpoint, testSecretKey)+
		accountYAML("two", endpoint, testSecretKey))
	p := startExporter(t, "--config.file="+configPath)

	tests := []struct {
		path       string
		wantStatus int
		want       string
		notWant    string
	}{
		{"/probe?account=two", 200, `swr_up{account="two"} 1`, `account="one"`},
		{"/probe?account=nobody", 400, `unknown account "nobody"`, ""},
		{"/probe?account=http%3A%2F%2F127.0.0.1%3A1%2F", 400, "unknown account", ""},
		{"/probe", 400, "the account parameter is missing", ""},
	}
	for _, tt := range tests {
		status, body := get(t, p, tt.path, nil)
		if status != tt.wantStatus || !strings.Contains(body, tt.want) ||
			(tt.notWant != "" && strings.Contains(body, tt.notWant)) {
			t.Errorf("GET %s = %d\n%.500s\nwant %d with %q", tt.path, status, body,
				tt.wantStatus, tt.want)
		}
	}
	// The probe output holds the account's series only, not the exporter's.
	if _, body := get(t, p, "/probe?account=one", nil); strings.Contains(body, "go_goroutines") {
		t.Error("/probe includes the exporter's own metrics")
	}
}

// TestScrapeTimeoutHeader has Prometheus announce a 2s timeout for an
// account whose API takes 10s: the answer must come in time, with the
// account marked down.
func TestScrapeTimeoutHeader(t *testing.T) {
	t.Parallel()
	srv, endpoint := upstream(t)
	srv.AddFault(swrtest.SharedRepositories, swrtest.Fault{Latency: 10 * time.Second})
	configPath := filepath.Join(t.TempDir(), "swr.yml")
	writeConfig(t, configPath, "accounts:\n"+accountYAML("slow", endpoint, testSecretKey))
	p := startExporter(t, "--config.file="+configPath)

	start := time.Now()
	status, body := get(t, p, "/probe?account=slow",
		http.Header{"X-Prometheus-Scrape-Timeout-Seconds": {"2"}})
	elapsed := time.Since(start)

	if status != http.StatusOK || !strings.Contains(body, `swr_up{account="slow"} 0`) {
		t.Errorf("GET /probe = %d:\n%s", status, body)
	}
	if elapsed > 2*time.Second {
		t.Errorf("answered after %v, past the 2s Prometheus allows", elapsed)
	}
	waitForLog(t, p, "context deadline exceeded")
}

func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	p := startExporter(t, "--demo")

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := p.cmd.Wait()
	if err != nil {
		t.Errorf("exit after SIGTERM: %v\n%s", err, p.Logs())
	}
	if !strings.Contains(p.Logs(), "shutting down") {
		t.Errorf("no shutdown logged:\n%s", p.Logs())
	}
}

func TestConfigCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file     string
		wantCode int
		want     string
	}{
		{
			"config/testdata/good.yml", 0,
			"config/testdata/good.yml is valid: 2 account(s): prod, otc",
		},
		{"config/testdata/unknown-key.yml", 1,
			`account "prod": line 5: unknown key "acess_key"`},
		{"does-not-exist.yml", 1, "reading config file: open does-not-exist.yml: no such file"},
	}
	for _, tt := range tests {
		out, err := exec.Command(exporterBinary, "--config.check", "--config.file="+tt.file).
			CombinedOutput()
		code := 0
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			code = exitErr.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tt.wantCode || !strings.Contains(string(out), tt.want) {
			t.Errorf("--config.check %s: exit %d, %q; want %d with %q", tt.file, code, out,
				tt.wantCode, tt.want)
		}
	}
}

// TestReadmeListsEveryMetric compares the README's metric table with what
// the exporter serves, so that neither drifts from the other.
func TestReadmeListsEveryMetric(t *testing.T) {
	t.Parallel()
	p := startExporter(t, "--demo")
	get(t, p, "/metrics", nil) // the API request metrics appear from the second scrape
	_, body := get(t, p, "/metrics", nil)
	served := map[string]string{}
	for _, match := range regexp.MustCompile(`(?m)^# TYPE (swr_\w+) (\w+)$`).
		FindAllStringSubmatch(body, -1) {
		served[match[1]] = match[2]
	}

	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]string{}
	for _, match := range regexp.MustCompile("(?m)^\\| `(swr_\\w+)` \\| (\\w+) \\|").
		FindAllStringSubmatch(string(readme), -1) {
		documented[match[1]] = match[2]
	}

	for name, kind := range served {
		if documented[name] != kind {
			t.Errorf("served %s (%s), README says %q", name, kind, documented[name])
		}
	}
	for name := range documented {
		if _, ok := served[name]; !ok {
			t.Errorf("README lists %s, which the demo does not serve", name)
		}
	}
}

// TestReleaseGoIsNamed checks that the README and the Dockerfile name the
// Go release that make build uses, which .ci/lint scans for vulnerabilities.
func TestReleaseGoIsNamed(t *testing.T) {
	t.Parallel()
	makefile, err := os.ReadFile("Makefile")
	if err != nil {
		t.Fatal(err)
	}
	match := regexp.MustCompile(`(?m)^RELEASE_GO \?= (go1\.\d+\.\d+)$`).FindSubmatch(makefile)
	if match == nil {
		t.Fatal("the Makefile sets no RELEASE_GO ?= go1.x.y")
	}
	release := string(match[1])

	for _, file := range []string{"README.md", "Dockerfile"} {
		content, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		named := regexp.MustCompile(`go1\.\d+\.\d+`).FindAllString(string(content), -1)
		if !slices.Contains(named, release) {
			t.Errorf("%s does not name %s, the Go of release builds", file, release)
		}
		for _, version := range named {
			if version != release {
				t.Errorf("%s names %s, but release builds use %s", file, version, release)
			}
		}
	}
}

// TestCIRunsTheReadmeTestCommand checks that the test command the README
// gives, in its quick start and under "Running the tests", is a line of
// .ci/run and the recipe of make test, so that CI runs what users are told
// to run.
func TestCIRunsTheReadmeTestCommand(t *testing.T) {
	t.Parallel()
	read := func(name string) string {
		t.Helper()
		content, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		return string(content)
	}
	readme, ciRun, makefile := read("README.md"), read(".ci/run"), read("Makefile")

	before, section, found := strings.Cut(readme, "\n## Running the tests\n")
	block := regexp.MustCompile("(?s)```sh\n(.*?)\n```").FindStringSubmatch(section)
	if !found || block == nil {
		t.Fatal(`the README has no sh block under "## Running the tests"`)
	}
	command := block[1]
	if strings.Contains(command, "\n") || !strings.HasPrefix(command, "go test ") {
		t.Fatalf("the README's test command is not one go test line: %q", command)
	}

	lines := func(text string) []string {
		return strings.Split(strings.ReplaceAll(text, "$(GO)", "go"), "\n")
	}
	if !slices.Contains(lines(ciRun), command) {
		t.Errorf(".ci/run does not run the README's test command %q", command)
	}
	if !slices.Contains(lines(makefile), "\t"+command) {
		t.Errorf("make test does not run the README's test command %q", command)
	}
	quickStart := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(command) + `(\s|$)`)
	if !quickStart.MatchString(before) {
		t.Errorf("the quick start does not give the test command %q", command)
	}
}

// TestLandingPageInChromium renders the landing page in a real headless
// browser after one good and one refused account were scraped.
func TestLandingPageInChromium(t *testing.T) {
	t.Parallel()
	chromium := findChromium(t)
	_, endpoint := upstream(t)
	configPath := filepath.Join(t.TempDir(), "swr.yml")
	writeConfig(t, configPath, "accounts:\n"+accountYAML("good", endpoint, testSecretKey)+
		accountYAML("refused", endpoint, "sk-refused-secret-0a9f")+
		accountYAML("later", endpoint, testSecretKey))
	p := startExporter(t, "--config.file="+configPath)
	get(t, p, "/probe?account=good", nil)
	get(t, p, "/probe?account=refused", nil)

	dom := renderDOM(t, chromium, p.url+"/")

	for _, want := range []string{
		"SWR Exporter", `href="metrics"`, `href="probe?account=good"`,
		`<span class="ok">success</span>`, `<span class="failed">failed</span>`,
		"<td>12</td>", "<td>8</td>", "401 APIG.0301", "not scraped yet",
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the rendered page lacks %s:\n%s", want, dom)
		}
	}
	for _, secret := range []string{testSecretKey, "sk-refused-secret-0a9f"} {
		if strings.Contains(dom, secret) {
			t.Errorf("the page shows a secret")
		}
	}
}

// findChromium returns Debian's chromium; CI installs it, so there its
// absence fails the test rather than skipping it.
func findChromium(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err == nil {
		return path
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed; .ci/run should have installed it")
	}
	t.Skip("chromium is not installed (apt-get install chromium)")
	return ""
}

// renderDOM loads url in headless Chromium and returns the DOM it built.
func renderDOM(t *testing.T, chromium, url string) string {
	t.Helper()
	cmd := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-quic", "--no-first-run", "--disable-background-networking",
		"--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--dump-dom", url)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	return string(out)
}

// lockedBuffer collects a process's output for the test to read.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newLoopbackListener(t *testing.T) net.Listener {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return listener
}

// TestMaxRequests fills the scrape slots with slow scrapes: the next one
// is refused at once with 503 instead of queueing.
func TestMaxRequests(t *testing.T) {
	t.Parallel()
	srv, endpoint := upstream(t)
	srv.AddFault(swrtest.SharedRepositories, swrtest.Fault{Latency: 2 * time.Second})
	configPath := filepath.Join(t.TempDir(), "swr.yml")
	// Two accounts, so that the two scrapes do not share one upstream pass
	// and their four first pages show that both are being served.
	writeConfig(t, configPath, "accounts:\n"+accountYAML("slow-a", endpoint, testSecretKey)+
		accountYAML("slow-b", endpoint, testSecretKey))
	p := startExporter(t, "--config.file="+configPath, "--web.max-requests=2")

	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i, account := range []string{"slow-a", "slow-b"} {
		wg.Go(func() { statuses[i], _ = get(t, p, "/probe?account="+account, nil) })
	}
	for deadline := time.Now().Add(10 * time.Second); srv.Requests(
		swrtest.SharedRepositories) < 4 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	status, body := get(t, p, "/metrics", nil)
	wg.Wait()

	if status != http.StatusServiceUnavailable ||
		!strings.Contains(body, "too many scrapes at once (limit 2)") {
		t.Errorf("third scrape = %d %.200q, want 503", status, body)
	}
	for i, s := range statuses {
		if s != http.StatusOK {
			t.Errorf("scrape %d = %d, want 200", i, s)
		}
	}
	if status, _ := get(t, p, "/-/healthy", nil); status != http.StatusOK {
		t.Errorf("health check = %d while scrapes were refused", status)
	}
}

func TestPprofOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want int
	}{
		{[]string{"--demo"}, http.StatusNotFound},
		{[]string{"--demo", "--web.enable-pprof"}, http.StatusOK},
	} {
		p := startExporter(t, tt.args...)
		if status, _ := get(t, p, "/debug/pprof/", nil); status != tt.want {
			t.Errorf("%v: /debug/pprof/ = %d, want %d", tt.args, status, tt.want)
		}
	}
}
