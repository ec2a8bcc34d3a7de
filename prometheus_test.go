package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/swr-exporter/swr_exporter/dashboards"
	"github.com/swr-exporter/swr_exporter/internal/testtools"
	"github.com/swr-exporter/swr_exporter/swr"
	"github.com/swr-exporter/swr_exporter/swr/swrtest"
)

// TestEndToEndWithPrometheus has a real Prometheus scrape the exporter,
// which reads a simulated account with a share ending within a day, and
// checks through Prometheus' HTTP API what a user would look at: the rule
// file loads, the expiring-share alert fires, and every dashboard panel's
// query returns data.
func TestEndToEndWithPrometheus(t *testing.T) {
	t.Parallel()
	prometheusBinary := testtools.Binary(t, "prometheus")
	promtool := testtools.Binary(t, "promtool")

	now := time.Now()
	data := swrtest.Generate(12, 8, now)
	data.Shares = append(data.Shares, swr.AccessDomain{
		Namespace: data.Self[0].Namespace, Repository: data.Self[0].Name,
		AccessDomain: "deploy-target", Permit: "read", Status: true,
		Deadline:    now.Add(12 * time.Hour).UTC().Format("2006-01-02T15:04:05.000Z"),
		CreatorName: "ops-admin",
	})
	srv := swrtest.NewServer(data, swrtest.Account{AccessKey: testAccessKey,
		SecretKey: testSecretKey})
	upstream := httptestServer(t, srv)
	configPath := filepath.Join(t.TempDir(), "swr.yml")
	writeConfig(t, configPath, "accounts:\n"+accountYAML("e2e", upstream, testSecretKey))
	exporter := startExporter(t, "--config.file="+configPath)

	checkMetricsWithPromtool(t, promtool, exporter)
	prom := startPrometheus(t, prometheusBinary, strings.TrimPrefix(exporter.url, "http://"))
	waitForQuery(t, prom, `count_over_time(swr_up{account="e2e"}[5m]) >= 4`)

	t.Run("rules load", func(t *testing.T) {
		checkRulesLoaded(t, prom)
	})
	t.Run("expiring share alert fires", func(t *testing.T) {
		waitForAlert(t, prom, "SWRShareExpiresVerySoon", map[string]string{
			"account": "e2e", "namespace": data.Self[0].Namespace,
			"repository": data.Self[0].Name, "access_domain": "deploy-target",
		})
	})
	t.Run("every dashboard query returns data", func(t *testing.T) {
		checkDashboardQueries(t, prom)
	})
}

func httptestServer(t *testing.T, handler http.Handler) string {
	t.Helper()
	listener := newLoopbackListener(t)
	server := &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = server.Serve(listener) }()
	t.Cleanup(func() { _ = server.Close() })
	return "http://" + listener.Addr().String()
}

// checkMetricsWithPromtool pipes the live exposition through promtool's
// linter, as a user's CI might.
func checkMetricsWithPromtool(t *testing.T, promtool string, exporter *exporterProcess) {
	t.Helper()
	get(t, exporter, "/metrics", nil)
	_, body := get(t, exporter, "/metrics", nil)
	check := exec.Command(promtool, "check", "metrics")
	check.Stdin = strings.NewReader(body)
	if out, err := check.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// prometheusServer is a running Prometheus.
type prometheusServer struct {
	url string
	cmd *exec.Cmd
}

// startPrometheus runs Prometheus scraping target every two seconds, with
// the project's rule file loaded. The scrape timeout leaves the exporter 1.5s
// for a scrape, enough on a machine busy with the rest of the tests.
func startPrometheus(t *testing.T, binary, target string) *prometheusServer {
	t.Helper()
	dir := t.TempDir()
	rules, err := filepath.Abs("alerts/swr.rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	writeConfig(t, filepath.Join(dir, "prometheus.yml"), fmt.Sprintf(`global:
  scrape_interval: 2s
  scrape_timeout: 2s
  evaluation_interval: 1s
rule_files: [%q]
scrape_configs:
  - job_name: swr
    static_configs:
      - targets: [%q]
`, rules, target))

	listener := newLoopbackListener(t)
	address := listener.Addr().String()
	_ = listener.Close()
	prom := &prometheusServer{url: "http://" + address}
	var logs lockedBuffer
	prom.cmd = exec.Command(binary,
		"--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+address,
		"--log.level=warn",
	)
	prom.cmd.Stdout, prom.cmd.Stderr = &logs, &logs
	if err := prom.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = prom.cmd.Process.Kill()
		_ = prom.cmd.Wait()
		if t.Failed() {
			t.Logf("prometheus logged:\n%s", logs.String())
		}
	})

	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		if resp, err := http.Get(prom.url + "/-/ready"); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return prom
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("prometheus did not become ready:\n%s", logs.String())
	return nil
}

// apiResponse is the envelope of every Prometheus HTTP API answer.
type apiResponse struct {
	Status string          `json:"status"`
	Error  string          `json:"error"`
	Data   json.RawMessage `json:"data"`
}

func (p *prometheusServer) api(t *testing.T, path string, query url.Values) json.RawMessage {
	t.Helper()
	resp, err := http.Get(p.url + path + "?" + query.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var answer apiResponse
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	if answer.Status != "success" {
		t.Fatalf("GET %s?%s: %s", path, query.Encode(), answer.Error)
	}
	return answer.Data
}

// instantQuery returns how many series an expression yields now.
func (p *prometheusServer) instantQuery(t *testing.T, expr string) int {
	t.Helper()
	var data struct {
		ResultType string            `json:"resultType"`
		Result     []json.RawMessage `json:"result"`
	}
	raw := p.api(t, "/api/v1/query", url.Values{"query": {expr}})
	if err := json.Unmarshal(raw, &data); err != nil {
		t.Fatal(err)
	}
	if data.ResultType == "scalar" {
		return 1
	}
	return len(data.Result)
}

func waitForQuery(t *testing.T, p *prometheusServer, expr string) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
		if p.instantQuery(t, expr) > 0 {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("%s never returned data", expr)
}

func checkRulesLoaded(t *testing.T, p *prometheusServer) {
	t.Helper()
	var data struct {
		Groups []struct {
			Name  string `json:"name"`
			Rules []struct {
				Name      string `json:"name"`
				Health    string `json:"health"`
				LastError string `json:"lastError"`
			} `json:"rules"`
		} `json:"groups"`
	}
	if err := json.Unmarshal(p.api(t, "/api/v1/rules", nil), &data); err != nil {
		t.Fatal(err)
	}
	rules := 0
	for _, group := range data.Groups {
		for _, rule := range group.Rules {
			rules++
			if rule.Health == "err" {
				t.Errorf("rule %s: %s", rule.Name, rule.LastError)
			}
		}
	}
	if rules == 0 {
		t.Error("Prometheus loaded no rules")
	}
}

func waitForAlert(t *testing.T, p *prometheusServer, name string, labels map[string]string) {
	t.Helper()
	var seen []string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		var data struct {
			Alerts []struct {
				Labels map[string]string `json:"labels"`
				State  string            `json:"state"`
			} `json:"alerts"`
		}
		if err := json.Unmarshal(p.api(t, "/api/v1/alerts", nil), &data); err != nil {
			t.Fatal(err)
		}
		seen = seen[:0]
		for _, alert := range data.Alerts {
			seen = append(seen, fmt.Sprintf("%s %s %v", alert.Labels["alertname"], alert.State,
				alert.Labels))
			if alert.Labels["alertname"] == name && alert.State == "firing" &&
				hasLabels(alert.Labels, labels) {
				return
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Errorf("alert %s %v never fired; alerts seen:\n%s", name, labels, strings.Join(seen, "\n"))
}

func hasLabels(have, want map[string]string) bool {
	for name, value := range want {
		if have[name] != value {
			return false
		}
	}
	return true
}

// checkDashboardQueries runs every panel query of the dashboard, with its
// variables set as a user would pick them, and expects data from each.
func checkDashboardQueries(t *testing.T, p *prometheusServer) {
	t.Helper()
	dashboard, err := os.ReadFile("dashboards/swr.json")
	if err != nil {
		t.Fatal(err)
	}
	queries, err := dashboards.Queries(dashboard, map[string]string{
		"account":         "e2e",
		"shared_by":       "(self|thirdparty)",
		"namespace":       ".*",
		"__rate_interval": "1m",
		"__interval":      "15s",
		"__range":         "5m",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(queries) == 0 {
		t.Fatal("the dashboard has no queries")
	}
	// A query is asked again until it answers, as a user refreshing the
	// dashboard would: on a busy machine one scrape can miss its deadline,
	// and its series are then stale until the next one.
	pending := queries
	deadline := time.Now().Add(30 * time.Second)
	for {
		var empty []dashboards.Query
		for _, query := range pending {
			if p.instantQuery(t, query.Expr) == 0 {
				empty = append(empty, query)
			}
		}
		pending = empty
		if len(pending) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	for _, query := range pending {
		t.Errorf("panel %q query %s returned no data for 30s: %s", query.Panel, query.RefID,
			query.Expr)
	}
}
