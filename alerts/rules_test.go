// Package alerts holds the Prometheus alert rules shipped with swr_exporter
// (swr.rules.yml) and their promtool unit tests (tests.yml). This file runs
// promtool on both, and checks that the rules only speak of metrics and
// labels the exporter serves.
package alerts

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/swr-exporter/swr_exporter/internal/testtools"
)

const (
	rulesFile = "swr.rules.yml"
	testsFile = "tests.yml"

	// runbookBase is the README; each alert has a section of its runbook,
	// whose anchor is the alert's name in lower case.
	runbookBase = "https://github.com/swr-exporter/swr_exporter"
)

// exporterLabels maps every metric the exporter serves to its labels, as
// DESIGN.md's "Metrics" section lists them; Prometheus adds job and instance
// when it scrapes. A rule that names a metric or a label missing here is
// wrong, or the contract changed and this list must follow it.
var exporterLabels = map[string][]string{
	// Per repository.
	"swr_shared_repository_size_bytes":                repositoryLabels,
	"swr_shared_repository_tags":                      repositoryLabels,
	"swr_shared_repository_downloads_total":           repositoryLabels,
	"swr_shared_repository_expired":                   repositoryLabels,
	"swr_shared_repository_created_timestamp_seconds": repositoryLabels,
	"swr_shared_repository_updated_timestamp_seconds": repositoryLabels,
	"swr_shared_repository_info": append(slices.Clone(repositoryLabels),
		"domain_name", "category", "is_public", "path", "internal_path"),

	// Per share of a repository shared by the account.
	"swr_repository_share_expiry_timestamp_seconds": shareLabels,
	"swr_repository_share_expired":                  shareLabels,
	"swr_repository_share_info": append(slices.Clone(shareLabels),
		"permit", "permanent", "creator_name"),

	// About each scrape.
	"swr_up":                      {"account"},
	"swr_scrape_success":          {"account", "source"},
	"swr_scrape_duration_seconds": {"account", "source"},
	"swr_shared_repositories":     {"account", "shared_by"},

	// On /metrics only.
	"swr_api_requests_total":                                    {"account", "endpoint", "code"},
	"swr_api_request_duration_seconds_bucket":                   {"account", "endpoint", "le"},
	"swr_api_request_duration_seconds_sum":                      {"account", "endpoint"},
	"swr_api_request_duration_seconds_count":                    {"account", "endpoint"},
	"swr_exporter_config_last_reload_successful":                nil,
	"swr_exporter_config_last_reload_success_timestamp_seconds": nil,
	"swr_exporter_build_info": {
		"version", "revision", "branch", "goversion", "goos", "goarch", "tags",
	},
}

var (
	repositoryLabels = []string{"account", "shared_by", "namespace", "repository"}
	shareLabels      = []string{"account", "namespace", "repository", "access_domain"}
	scrapeLabels     = []string{"job", "instance"}
)

var (
	metricName     = regexp.MustCompile(`\bswr_[a-z_]+\b`)
	labelReference = regexp.MustCompile(`\$labels\.([A-Za-z_][A-Za-z0-9_]*)`)
)

// requiredAlerts are the alerts the README's runbook documents.
var requiredAlerts = []string{
	"SWRAccountDown", "SWRScrapeSourceFailing", "SWRShareExpiresSoon",
	"SWRShareExpiresVerySoon", "SWRShareExpired", "SWRSharedWithUsExpired",
	"SWRSharedWithUsRemoved",
}

type ruleFile struct {
	Groups []ruleGroup `yaml:"groups"`
}

type ruleGroup struct {
	Name  string `yaml:"name"`
	Rules []rule `yaml:"rules"`
}

// rule is the part of a Prometheus rule these tests look at; promtool
// checks the rest.
type rule struct {
	Alert         string            `yaml:"alert"`
	Record        string            `yaml:"record"`
	Expr          string            `yaml:"expr"`
	For           string            `yaml:"for"`
	KeepFiringFor string            `yaml:"keep_firing_for"`
	Labels        map[string]string `yaml:"labels"`
	Annotations   map[string]string `yaml:"annotations"`
}

func TestPromtool(t *testing.T) {
	t.Parallel()
	promtool := testtools.Binary(t, "promtool")

	tests := []struct {
		name string
		args []string
	}{
		{name: "check rules", args: []string{"check", "rules", rulesFile}},
		{name: "test rules", args: []string{"test", "rules", testsFile}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			runPromtool(t, promtool, tt.args...)
		})
	}
}

func runPromtool(t *testing.T, promtool string, args ...string) {
	t.Helper()
	cmd := exec.Command(promtool, args...)
	var output bytes.Buffer
	cmd.Stdout = &output
	cmd.Stderr = &output
	if err := cmd.Run(); err != nil {
		t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, output.String())
	}
}

func TestRuleFile(t *testing.T) {
	t.Parallel()
	alerts := loadAlerts(t, rulesFile)

	for _, name := range requiredAlerts {
		if _, ok := alerts[name]; !ok {
			t.Errorf("%s: no alert %s", rulesFile, name)
		}
	}
	for name, alert := range alerts {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, problem := range alertProblems(alert) {
				t.Error(problem)
			}
		})
	}
}

func loadAlerts(t *testing.T, path string) map[string]rule {
	t.Helper()
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	decoder := yaml.NewDecoder(bytes.NewReader(content))
	decoder.KnownFields(true)
	var file ruleFile
	if err := decoder.Decode(&file); err != nil {
		t.Fatalf("%s: %v", path, err)
	}

	alerts := map[string]rule{}
	for _, group := range file.Groups {
		for _, rule := range group.Rules {
			if rule.Alert == "" {
				continue
			}
			if _, ok := alerts[rule.Alert]; ok {
				t.Errorf("%s: alert %s defined twice", path, rule.Alert)
			}
			alerts[rule.Alert] = rule
		}
	}
	return alerts
}

// alertProblems lists what is wrong with an alert: metadata every alert
// needs, metrics the exporter does not serve, and labels in its templates
// that none of its metrics carry. The labels of every metric of the
// expression are allowed, so a label the expression drops on its way is not
// caught; promtool's tests of the annotations catch those.
func alertProblems(alert rule) []string {
	var problems []string
	if !slices.Contains([]string{"critical", "warning", "info"}, alert.Labels["severity"]) {
		problems = append(problems, fmt.Sprintf("severity %q is not critical, warning or info",
			alert.Labels["severity"]))
	}
	for _, name := range []string{"summary", "description"} {
		if strings.TrimSpace(alert.Annotations[name]) == "" {
			problems = append(problems, "no "+name+" annotation")
		}
	}
	want := runbookBase + "#" + strings.ToLower(alert.Alert)
	if got := alert.Annotations["runbook_url"]; got != want {
		problems = append(problems, fmt.Sprintf("runbook_url %q, want %q", got, want))
	}

	allowed := slices.Clone(scrapeLabels)
	for _, metric := range metricName.FindAllString(alert.Expr, -1) {
		labels, ok := exporterLabels[metric]
		if !ok {
			problems = append(problems, fmt.Sprintf("expression uses %s, which the exporter "+
				"does not serve", metric))
		}
		allowed = append(allowed, labels...)
	}
	for _, template := range templates(alert) {
		for _, match := range labelReference.FindAllStringSubmatch(template, -1) {
			if !slices.Contains(allowed, match[1]) {
				problems = append(problems, fmt.Sprintf("template uses $labels.%s, which "+
					"no metric of the expression carries", match[1]))
			}
		}
	}
	return problems
}

// templates returns the alert's label and annotation values, in a fixed
// order so that problems come out in one.
func templates(alert rule) []string {
	var values []string
	for _, fields := range []map[string]string{alert.Labels, alert.Annotations} {
		for _, key := range slices.Sorted(maps.Keys(fields)) {
			values = append(values, fields[key])
		}
	}
	return values
}

func TestAlertProblems(t *testing.T) {
	t.Parallel()
	valid := func() rule {
		return rule{
			Alert:  "SWRShareExpired",
			Expr:   "swr_repository_share_expired == 1",
			Labels: map[string]string{"severity": "warning"},
			Annotations: map[string]string{
				"summary":     "{{ $labels.namespace }}/{{ $labels.repository }} ended",
				"description": "Shared with {{ $labels.access_domain }} by {{ $labels.account }}",
				"runbook_url": runbookBase + "#swrshareexpired",
			},
		}
	}

	tests := []struct {
		name   string
		modify func(*rule)
		want   []string
	}{
		{name: "valid", modify: func(*rule) {}},
		{
			name: "label of another metric",
			modify: func(r *rule) {
				r.Annotations["summary"] = "{{ $labels.source }} failed"
			},
			want: []string{"template uses $labels.source, which no metric of the " +
				"expression carries"},
		},
		{
			name: "renamed label",
			modify: func(r *rule) {
				r.Annotations["description"] = "Shared with {{ $labels.accessDomain }}"
			},
			want: []string{"template uses $labels.accessDomain, which no metric of the " +
				"expression carries"},
		},
		{
			name: "label carried by a joined metric",
			modify: func(r *rule) {
				r.Expr += " and on(account) swr_scrape_success == 1"
				r.Annotations["summary"] = "{{ $labels.source }} {{ $labels.instance }}"
			},
		},
		{
			name: "unknown metric",
			modify: func(r *rule) {
				r.Expr = "swr_share_expired == 1"
			},
			want: []string{
				"expression uses swr_share_expired, which the exporter does not serve",
				"template uses $labels.access_domain, which no metric of the expression " +
					"carries",
				"template uses $labels.account, which no metric of the expression carries",
				"template uses $labels.namespace, which no metric of the expression carries",
				"template uses $labels.repository, which no metric of the expression " +
					"carries",
			},
		},
		{
			name: "metadata missing",
			modify: func(r *rule) {
				r.Labels = nil
				delete(r.Annotations, "summary")
				r.Annotations["runbook_url"] = runbookBase + "#runbook"
			},
			want: []string{
				`severity "" is not critical, warning or info`,
				"no summary annotation",
				`runbook_url "` + runbookBase + `#runbook", want "` + runbookBase +
					`#swrshareexpired"`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			alert := valid()
			tt.modify(&alert)
			if got := alertProblems(alert); !slices.Equal(got, tt.want) {
				t.Errorf("alertProblems() = %q, want %q", got, tt.want)
			}
		})
	}
}
