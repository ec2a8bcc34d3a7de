package dashboards

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/swr-exporter/swr_exporter/internal/testtools"
)

const dashboardFile = "swr.json"

// exporterLabels maps every metric the exporter serves to its labels, as
// DESIGN.md's "Metrics" section lists them.
var exporterLabels = map[string][]string{
	"swr_shared_repository_size_bytes":                repositoryLabels,
	"swr_shared_repository_tags":                      repositoryLabels,
	"swr_shared_repository_downloads_total":           repositoryLabels,
	"swr_shared_repository_expired":                   repositoryLabels,
	"swr_shared_repository_info":                      repositoryLabels,
	"swr_shared_repository_created_timestamp_seconds": repositoryLabels,
	"swr_shared_repository_updated_timestamp_seconds": repositoryLabels,

	"swr_repository_share_expiry_timestamp_seconds": shareLabels,
	"swr_repository_share_expired":                  shareLabels,
	"swr_repository_share_info":                     shareLabels,

	"swr_up":                      {"account"},
	"swr_scrape_success":          {"account", "source"},
	"swr_scrape_duration_seconds": {"account", "source"},
	"swr_shared_repositories":     {"account", "shared_by"},

	"swr_api_requests_total":                                    {"account", "endpoint", "code"},
	"swr_api_request_duration_seconds_bucket":                   {"account", "endpoint", "le"},
	"swr_api_request_duration_seconds_sum":                      {"account", "endpoint"},
	"swr_api_request_duration_seconds_count":                    {"account", "endpoint"},
	"swr_exporter_config_last_reload_successful":                nil,
	"swr_exporter_config_last_reload_success_timestamp_seconds": nil,
	"swr_exporter_build_info":                                   nil,
}

var (
	repositoryLabels = []string{"account", "shared_by", "namespace", "repository"}
	shareLabels      = []string{"account", "namespace", "repository", "access_domain"}
)

// filterLabels are the labels the dashboard's variables of the same name
// select on. A query of a metric with one of them must pin it or filter on
// the variable.
var filterLabels = []string{"account", "shared_by", "namespace"}

// builtins are Grafana's own variables the queries may use.
var builtins = []string{"__rate_interval"}

var (
	metricName = regexp.MustCompile(`\bswr_[a-z_]+\b`)
	// selector is a metric name with its label matchers, if any.
	selector = regexp.MustCompile(`\b(swr_[a-z_]+)\b(\{[^}]*\})?`)
	matcher  = regexp.MustCompile(`(\w+)\s*(=~|!~|!=|=)\s*"([^"]*)"`)
	// rateInterval is $__rate_interval as the whole range of a range vector,
	// the only place it belongs.
	rateInterval = regexp.MustCompile(`\[\$__rate_interval\]`)
)

// dashboardFile's structure, as far as these tests look at it.
type testDashboard struct {
	UID           string `json:"uid"`
	Title         string `json:"title"`
	SchemaVersion int    `json:"schemaVersion"`
	Templating    struct {
		List []testVariable `json:"list"`
	} `json:"templating"`
	Panels []testPanel `json:"panels"`
}

type testVariable struct {
	Type       string          `json:"type"`
	Name       string          `json:"name"`
	Query      json.RawMessage `json:"query"`
	Multi      bool            `json:"multi"`
	IncludeAll bool            `json:"includeAll"`
}

type testPanel struct {
	Title      string          `json:"title"`
	Type       string          `json:"type"`
	Datasource *testDatasource `json:"datasource"`
	Targets    []struct {
		RefID      string          `json:"refId"`
		Expr       string          `json:"expr"`
		Datasource *testDatasource `json:"datasource"`
	} `json:"targets"`
	Panels []testPanel `json:"panels"`
}

type testDatasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

func loadDashboard(t *testing.T) ([]byte, testDashboard) {
	t.Helper()
	raw, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var dashboard testDashboard
	if err := json.Unmarshal(raw, &dashboard); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	return raw, dashboard
}

// allPanels lists the panels, those inside collapsed rows included; rows
// themselves, which hold no queries, are left out.
func allPanels(panels []testPanel) []testPanel {
	var all []testPanel
	for _, panel := range panels {
		if panel.Type != "row" {
			all = append(all, panel)
		}
		all = append(all, allPanels(panel.Panels)...)
	}
	return all
}

func TestDashboardIdentity(t *testing.T) {
	t.Parallel()
	_, dashboard := loadDashboard(t)

	if dashboard.UID != "swr-exporter" {
		t.Errorf("uid = %q, want swr-exporter", dashboard.UID)
	}
	if dashboard.Title != "SWR shared repositories" {
		t.Errorf("title = %q, want SWR shared repositories", dashboard.Title)
	}
	if dashboard.SchemaVersion < 39 {
		t.Errorf("schemaVersion = %d, want 39 or later", dashboard.SchemaVersion)
	}
}

func TestVariables(t *testing.T) {
	t.Parallel()
	_, dashboard := loadDashboard(t)
	variables := map[string]testVariable{}
	for _, variable := range dashboard.Templating.List {
		variables[variable.Name] = variable
	}

	tests := []struct {
		name       string
		kind       string
		query      string
		multiToAll bool
	}{
		{name: "datasource", kind: "datasource", query: "prometheus"},
		{name: "account", kind: "query", query: "label_values(swr_up, account)",
			multiToAll: true},
		{name: "shared_by", kind: "custom", query: "self,thirdparty", multiToAll: true},
		{name: "namespace", kind: "query", multiToAll: true,
			query: `label_values(swr_shared_repository_info{account=~"$account"}, namespace)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			variable, ok := variables[tt.name]
			if !ok {
				t.Fatalf("no variable %s", tt.name)
			}
			var query string
			if err := json.Unmarshal(variable.Query, &query); err != nil {
				t.Fatalf("query %s is not a string: %v", variable.Query, err)
			}
			if variable.Type != tt.kind || query != tt.query {
				t.Errorf("variable %s: type %q, query %q; want %q, %q", tt.name,
					variable.Type, query, tt.kind, tt.query)
			}
			if variable.Multi != tt.multiToAll || variable.IncludeAll != tt.multiToAll {
				t.Errorf("variable %s: multi %t, includeAll %t; want both %t", tt.name,
					variable.Multi, variable.IncludeAll, tt.multiToAll)
			}
		})
	}
}

func TestTargets(t *testing.T) {
	t.Parallel()
	_, dashboard := loadDashboard(t)
	defined := slices.Clone(builtins)
	for _, variable := range dashboard.Templating.List {
		defined = append(defined, variable.Name)
	}

	for _, panel := range allPanels(dashboard.Panels) {
		t.Run(panel.Title, func(t *testing.T) {
			t.Parallel()
			if len(panel.Targets) == 0 {
				t.Error("no queries")
			}
			var refIDs []string
			for _, target := range panel.Targets {
				if target.RefID == "" || slices.Contains(refIDs, target.RefID) {
					t.Errorf("refId %q empty or not unique", target.RefID)
				}
				refIDs = append(refIDs, target.RefID)
				if target.Datasource == nil || *target.Datasource != (testDatasource{
					Type: "prometheus", UID: "${datasource}"}) {
					t.Errorf("query %s: datasource %v, want the variable", target.RefID,
						target.Datasource)
				}
				for _, problem := range exprProblems(target.Expr, defined) {
					t.Errorf("query %s: %s", target.RefID, problem)
				}
			}
		})
	}
}

// exprProblems lists what is wrong with a panel query: it is empty, names a
// metric the exporter does not serve or a variable the dashboard does not
// define, uses $__rate_interval outside a range, or fails to filter a metric
// on the variables that apply to it.
func exprProblems(expr string, defined []string) []string {
	if strings.TrimSpace(expr) == "" {
		return []string{"empty expression"}
	}

	var problems []string
	for _, name := range metricName.FindAllString(expr, -1) {
		if _, ok := exporterLabels[name]; !ok {
			problems = append(problems, fmt.Sprintf("%s is not a metric of the exporter", name))
		}
	}
	for _, match := range variable.FindAllStringSubmatch(expr, -1) {
		if name := match[1] + match[2]; !slices.Contains(defined, name) {
			problems = append(problems, fmt.Sprintf("variable %s is not defined", name))
		}
	}
	uses := strings.Count(expr, "$__rate_interval")
	if inRange := len(rateInterval.FindAllString(expr, -1)); inRange != uses {
		problems = append(problems, "$__rate_interval outside a range vector's brackets")
	}

	for _, match := range selector.FindAllStringSubmatch(expr, -1) {
		name, matchers := match[1], map[string][2]string{}
		for _, m := range matcher.FindAllStringSubmatch(match[2], -1) {
			matchers[m[1]] = [2]string{m[2], m[3]}
		}
		for _, label := range filterLabels {
			if !slices.Contains(exporterLabels[name], label) {
				continue
			}
			filter := matchers[label]
			pinned := filter[0] == "="
			if !pinned && filter != [2]string{"=~", "$" + label} {
				problems = append(problems, fmt.Sprintf("%s not filtered on %s", name, label))
			}
		}
	}
	return problems
}

func TestExprProblems(t *testing.T) {
	t.Parallel()
	defined := []string{"account", "shared_by", "namespace", "__rate_interval"}

	tests := []struct {
		name string
		expr string
		want []string
	}{
		{
			name: "filtered on every variable",
			expr: `sum(rate(swr_shared_repository_downloads_total{account=~"$account", ` +
				`shared_by=~"$shared_by", namespace=~"$namespace"}[$__rate_interval]))`,
		},
		{
			name: "pinned label",
			expr: `count(swr_shared_repository_info{account=~"$account", shared_by="self", ` +
				`namespace=~"$namespace"})`,
		},
		{name: "metric without the variables' labels", expr: `swr_exporter_build_info`},
		{name: "empty", expr: " ", want: []string{"empty expression"}},
		{
			name: "unknown metric",
			expr: `swr_share_expiry{account=~"$account"}`,
			want: []string{"swr_share_expiry is not a metric of the exporter"},
		},
		{
			name: "undefined variable",
			expr: `swr_up{account=~"$acount"}`,
			want: []string{"variable acount is not defined", "swr_up not filtered on account"},
		},
		{
			name: "rate interval outside a range",
			expr: `swr_scrape_duration_seconds{account=~"$account"} > $__rate_interval`,
			want: []string{"$__rate_interval outside a range vector's brackets"},
		},
		{
			name: "variable missing",
			expr: `swr_repository_share_expired{account=~"$account"} == 1`,
			want: []string{"swr_repository_share_expired not filtered on namespace"},
		},
		{
			name: "no matchers",
			expr: `swr_shared_repositories`,
			want: []string{"swr_shared_repositories not filtered on account",
				"swr_shared_repositories not filtered on shared_by"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := exprProblems(tt.expr, defined); !slices.Equal(got, tt.want) {
				t.Errorf("exprProblems(%q) = %q, want %q", tt.expr, got, tt.want)
			}
		})
	}
}

func TestQueriesOfTheDashboard(t *testing.T) {
	t.Parallel()
	raw, dashboard := loadDashboard(t)
	vars := map[string]string{"account": ".*", "shared_by": ".*", "namespace": ".*",
		"__rate_interval": "5m"}

	queries, err := Queries(raw, vars)
	if err != nil {
		t.Fatal(err)
	}

	targets := 0
	for _, panel := range allPanels(dashboard.Panels) {
		targets += len(panel.Targets)
	}
	if len(queries) != targets {
		t.Errorf("%d queries, want one for each of the %d targets", len(queries), targets)
	}
	for _, query := range queries {
		if strings.Contains(query.Expr, "$") {
			t.Errorf("panel %q, query %s: variable left in %q", query.Panel, query.RefID,
				query.Expr)
		}
	}
}

// TestQueriesParse has promtool parse every query, with the variables set
// as a user selecting everything sets them, as the expression of a
// recording rule.
func TestQueriesParse(t *testing.T) {
	t.Parallel()
	promtool := testtools.Binary(t, "promtool")
	raw, _ := loadDashboard(t)
	queries, err := Queries(raw, map[string]string{"account": ".*", "shared_by": ".*",
		"namespace": ".*", "__rate_interval": "5m"})
	if err != nil {
		t.Fatal(err)
	}

	type recordingRule struct {
		Record string `yaml:"record"`
		Expr   string `yaml:"expr"`
	}
	var rules []recordingRule
	for i, query := range queries {
		rules = append(rules, recordingRule{Record: fmt.Sprintf("dashboard:query_%d", i),
			Expr: query.Expr})
	}
	content, err := yaml.Marshal(map[string]any{
		"groups": []map[string]any{{"name": "dashboard", "rules": rules}},
	})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "dashboard.rules.yml")
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}

	output, err := exec.Command(promtool, "check", "rules", path).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check rules: %v\n%s\nqueries:\n%s", err, output, content)
	}
}

func TestQueries(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"account": "prod|test", "__rate_interval": "5m"}

	tests := []struct {
		name      string
		dashboard string
		want      []Query
		wantErr   string
	}{
		{
			name: "panels and rows",
			dashboard: `{"panels": [
				{"type": "stat", "title": "Up", "targets": [
					{"refId": "A", "expr": "swr_up{account=~\"$account\"}", "instant": true}]},
				{"type": "row", "title": "Open row", "panels": []},
				{"type": "row", "title": "Collapsed", "collapsed": true, "panels": [
					{"type": "timeseries", "title": "Rate", "targets": [
						{"refId": "A", "expr": "rate(x{a=~\"${account}\"}[$__rate_interval])"},
						{"refId": "B", "expr": "y", "hide": true}]}]}]}`,
			want: []Query{
				{Panel: "Up", RefID: "A", Expr: `swr_up{account=~"prod|test"}`, Instant: true},
				{Panel: "Rate", RefID: "A", Expr: `rate(x{a=~"prod|test"}[5m])`},
			},
		},
		{
			name:      "no panels",
			dashboard: `{"title": "empty"}`,
		},
		{
			name: "variable without a value",
			dashboard: `{"panels": [{"title": "Sizes", "targets": [
				{"refId": "A", "expr": "x{namespace=~\"$namespace\", shared_by=~\"$shared_by\"}"}
				]}]}`,
			wantErr: `panel "Sizes", query A: no value for variables ["namespace" "shared_by"]`,
		},
		{
			name:      "not JSON",
			dashboard: `{"panels": [`,
			wantErr:   "reading dashboard: unexpected end of JSON input",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Queries([]byte(tt.dashboard), vars)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("Queries() error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Queries() = %+v, want %+v", got, tt.want)
			}
		})
	}
}
