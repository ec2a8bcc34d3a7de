package charts

import (
	"bytes"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/swr-exporter/swr_exporter/config"
	"github.com/swr-exporter/swr_exporter/internal/testtools"
	"github.com/swr-exporter/swr_exporter/swr"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

const (
	chart     = "swr-exporter"
	release   = "swr-exporter"
	namespace = "monitoring"

	// allOnValues turns every option of the chart on.
	allOnValues = "swr-exporter/ci/all-on-values.yaml"

	// configDir is where the pod mounts the configuration and the
	// credential files.
	configDir = "/etc/swr_exporter"
)

// renderings are the values the chart is linted and rendered with; each has
// a golden file testdata/<name>.yaml.
var renderings = []struct {
	name   string
	values string // a values file; empty for the chart's defaults
}{
	{name: "default"},
	{name: "all-on", values: allOnValues},
	{name: "existing-secret", values: "testdata/existing-secret-values.yaml"},
}

// copies maps each file the chart carries to the original it copies, as
// charts/sync writes them (paths from the repository's top).
var copies = map[string]string{
	"charts/swr-exporter/files/swr.rules.yml": "alerts/swr.rules.yml",
	"charts/swr-exporter/files/swr.json":      "dashboards/swr.json",
}

// helm runs the pinned Helm with settings of its own, so that no user's
// repositories or plugins take part, and returns its standard output.
func helm(t *testing.T, args ...string) (string, error) {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(testtools.Binary(t, "helm"), args...)
	cmd.Env = append(os.Environ(),
		"HELM_CACHE_HOME="+filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(home, "config"),
		"HELM_DATA_HOME="+filepath.Join(home, "data"),
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("helm %s: %w\n%s%s",
			strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String(), nil
}

// render runs helm template on the chart with the given values files.
func render(t *testing.T, valuesFiles ...string) (string, error) {
	t.Helper()
	args := []string{"template", release, chart, "--namespace", namespace}
	for _, file := range valuesFiles {
		args = append(args, "--values", file)
	}
	return helm(t, args...)
}

// mustRender is render for values the chart must accept.
func mustRender(t *testing.T, valuesFiles ...string) string {
	t.Helper()
	out, err := render(t, valuesFiles...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// valuesFile writes values to a file of the test's and returns its path.
func valuesFile(t *testing.T, values string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "values.yaml")
	if err := os.WriteFile(path, []byte(values), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// object is one rendered Kubernetes object, or any mapping inside one.
type object = map[string]any

// objects parses the documents helm template printed.
func objects(t *testing.T, manifests string) []object {
	t.Helper()
	var all []object
	decoder := yaml.NewDecoder(strings.NewReader(manifests))
	for {
		var doc object
		err := decoder.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return all
		}
		if err != nil {
			t.Fatalf("parsing the rendered manifests: %v", err)
		}
		if doc != nil {
			all = append(all, doc)
		}
	}
}

// find returns the one rendered object of that kind whose name has the
// suffix; it fails the test unless there is exactly one.
func find(t *testing.T, all []object, kind, nameSuffix string) object {
	t.Helper()
	var found []object
	for _, obj := range all {
		name, _ := dig(obj, "metadata", "name").(string)
		if obj["kind"] == kind && strings.HasSuffix(name, nameSuffix) {
			found = append(found, obj)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d objects of kind %s named *%s rendered, want 1", len(found), kind, nameSuffix)
	}
	return found[0]
}

// dig follows keys through nested maps; it returns nil when one is missing.
func dig(value any, keys ...string) any {
	for _, key := range keys {
		m, ok := value.(object)
		if !ok {
			return nil
		}
		value = m[key]
	}
	return value
}

// TestLint runs helm lint --strict with every set of values.
func TestLint(t *testing.T) {
	for _, tc := range renderings {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"lint", "--strict", chart}
			if tc.values != "" {
				args = append(args, "--values", tc.values)
			}
			if _, err := helm(t, args...); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestTemplate compares what the chart renders with the golden files; run
// `go test ./charts -update` to rewrite them after a deliberate change, and
// read the diff.
func TestTemplate(t *testing.T) {
	for _, tc := range renderings {
		t.Run(tc.name, func(t *testing.T) {
			var files []string
			if tc.values != "" {
				files = append(files, tc.values)
			}
			got := mustRender(t, files...)
			golden := filepath.Join("testdata", tc.name+".yaml")

			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./charts -update to write it)", err)
			}
			if diff := firstDifference(string(want), got); diff != "" {
				t.Errorf("helm template differs from %s (run with -update if that is "+
					"intended):\n%s", golden, diff)
			}
		})
	}
}

// firstDifference describes the first line where got differs from want, or
// returns "" when they are equal.
func firstDifference(want, got string) string {
	if want == got {
		return ""
	}
	wantLines, gotLines := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; ; i++ {
		var w, g string
		if i < len(wantLines) {
			w = wantLines[i]
		}
		if i < len(gotLines) {
			g = gotLines[i]
		}
		if w != g || i >= len(wantLines) || i >= len(gotLines) {
			return fmt.Sprintf("line %d:\n  want %q\n  got  %q", i+1, w, g)
		}
	}
}

// TestTemplateRejects checks that values the exporter would refuse, or that
// would leave an account without credentials, fail the rendering with a
// message naming the value to fix.
func TestTemplateRejects(t *testing.T) {
	const prod = `
config:
  accounts:
    - name: prod
      region: ap-southeast-3
`
	tests := []struct {
		name    string
		values  string
		wantErr string
	}{
		{
			name:    "no credentials",
			values:  prod,
			wantErr: "credentials: set existingSecret, or create",
		},
		{
			name: "both existing and created credentials",
			values: prod + `
credentials:
  existingSecret: swr-keys
  create: {prod: {accessKey: a, secretKey: s}}
`,
			wantErr: "credentials: set existingSecret or create, not both",
		},
		{
			name: "credentials of an unknown account",
			values: prod + `
credentials:
  create: {prod: {accessKey: a, secretKey: s}, pord: {accessKey: a, secretKey: s}}
`,
			wantErr: "credentials.create.pord: no account of that name",
		},
		{
			name: "missing secret key",
			values: prod + `
credentials:
  create: {prod: {accessKey: a}}
`,
			wantErr: "credentials.create.prod.secretKey: required by the account's auth",
		},
		{
			name: "missing security token",
			values: `
config:
  accounts: [{name: tmp, region: eu-de, auth: temporaryAccessKey}]
credentials:
  create: {tmp: {accessKey: a, secretKey: s}}
`,
			wantErr: "credentials.create.tmp.securityToken: required",
		},
		{
			name: "unknown auth",
			values: `
config:
  accounts: [{name: prod, region: eu-de, auth: password}]
credentials: {existingSecret: swr-keys}
`,
			wantErr: "/config/accounts/0/auth",
		},
		{
			name: "region and endpoint",
			values: `
config:
  accounts: [{name: prod, region: eu-de, endpoint: "https://swr.example"}]
credentials: {existingSecret: swr-keys}
`,
			wantErr: "config.accounts[0] (prod): set region or endpoint, one of the two",
		},
		{
			name: "neither region nor endpoint",
			values: `
config:
  accounts: [{name: prod}]
credentials: {existingSecret: swr-keys}
`,
			wantErr: "config.accounts[0] (prod): set region or endpoint",
		},
		{
			name: "name used twice",
			values: `
config:
  accounts: [{name: prod, region: eu-de}, {name: prod, region: eu-nl}]
credentials: {existingSecret: swr-keys}
`,
			wantErr: "config.accounts[1] (prod).name: used by an earlier account too",
		},
		{
			name: "name the exporter refuses",
			values: `
config:
  accounts: [{name: "prod account", region: eu-de}]
credentials: {existingSecret: swr-keys}
`,
			wantErr: "/config/accounts/0/name",
		},
		{
			name: "credential file set by hand",
			values: `
config:
  accounts: [{name: prod, region: eu-de, access_key_file: /keys/ak}]
credentials: {existingSecret: swr-keys}
`,
			wantErr: "config.accounts[0] (prod).access_key_file: the chart sets it",
		},
		{
			name: "project_id spelled as in the exporter's file",
			values: `
config:
  accounts: [{name: prod, region: eu-de, project_id: "0123"}]
credentials: {existingSecret: swr-keys}
`,
			wantErr: "config.accounts[0] (prod).project_id: spell it projectId",
		},
		{
			name:    "unknown scrape mode",
			values:  "serviceMonitor: {enabled: true, mode: probes}",
			wantErr: "/serviceMonitor/mode",
		},
		{
			name:    "probe mode without accounts",
			values:  "serviceMonitor: {enabled: true, mode: probe}",
			wantErr: "serviceMonitor.mode: probe scrapes each account",
		},
		{
			name:    "misspelt key",
			values:  "serviceMonitr: {enabled: true}",
			wantErr: "serviceMonitr",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := render(t, valuesFile(t, tc.values))
			if err == nil {
				t.Fatalf("helm template accepted the values, want an error with %q", tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error does not say %q:\n%v", tc.wantErr, err)
			}
		})
	}
}

// TestCopiesMatchSources is the drift check: the chart's copies of the
// alert rules and the dashboard must equal the originals.
func TestCopiesMatchSources(t *testing.T) {
	for copyPath, source := range copies {
		t.Run(filepath.Base(copyPath), func(t *testing.T) {
			original, err := os.ReadFile(filepath.Join("..", source))
			if err != nil {
				t.Fatal(err)
			}
			chartCopy, err := os.ReadFile(filepath.Join("..", copyPath))
			if err != nil {
				t.Fatalf("%v (run go generate ./charts)", err)
			}
			if diff := firstDifference(string(original), string(chartCopy)); diff != "" {
				t.Errorf("%s differs from %s: run go generate ./charts\n%s",
					copyPath, source, diff)
			}
		})
	}
}

// TestPrometheusRule checks the rendered PrometheusRule: promtool accepts
// its groups, and they are the rules of alerts/swr.rules.yml with the
// chart's additional labels and nothing else changed.
func TestPrometheusRule(t *testing.T) {
	rule := find(t, objects(t, mustRender(t, allOnValues)), "PrometheusRule", "")
	groups := dig(rule, "spec", "groups")
	rules, err := yaml.Marshal(map[string]any{"groups": groups})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "rules.yml")
	if err := os.WriteFile(path, rules, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(testtools.Binary(t, "promtool"), "check", "rules", path).
		CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check rules: %v\n%s\nrules:\n%s", err, out, rules)
	}

	content, err := os.ReadFile(filepath.Join("..", "alerts", "swr.rules.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		Groups []any `yaml:"groups"`
	}
	if err := yaml.Unmarshal(content, &want); err != nil {
		t.Fatal(err)
	}
	// all-on-values.yaml adds team: platform to every rule, and tries to
	// override severity, which the rules' own labels keep.
	for _, group := range want.Groups {
		for _, rule := range dig(group, "rules").([]any) {
			rule.(object)["labels"].(object)["team"] = "platform"
		}
	}
	if !reflect.DeepEqual(groups, want.Groups) {
		wantRules, err := yaml.Marshal(map[string]any{"groups": want.Groups})
		if err != nil {
			t.Fatal(err)
		}
		t.Errorf("the PrometheusRule's groups are not those of alerts/swr.rules.yml:\n%s",
			firstDifference(string(wantRules), string(rules)))
	}
}

// TestRenderedConfigLoads loads the rendered configuration file with the
// exporter's own loader, after writing the credential files where the
// Deployment's projected volume puts them, so that every path in the file,
// every Secret key and every mount is checked together.
func TestRenderedConfigLoads(t *testing.T) {
	all := objects(t, mustRender(t, allOnValues))
	deployment := find(t, all, "Deployment", "")
	secret := find(t, all, "Secret", "")
	configMap := find(t, all, "ConfigMap", "all-on")

	container := dig(deployment, "spec", "template", "spec", "containers").([]any)[0]
	args := dig(container, "args").([]any)
	if want := "--config.file=" + configDir + "/swr.yml"; args[0] != want {
		t.Errorf("first argument %q, want %q", args[0], want)
	}
	mount := dig(container, "volumeMounts").([]any)[0]
	if dig(mount, "mountPath") != configDir || dig(mount, "name") != "config" {
		t.Fatalf("first volume mount %v, want the volume config at %s", mount, configDir)
	}

	// Lay the projected volume out in a directory of the test's.
	dir := t.TempDir()
	volume := dig(deployment, "spec", "template", "spec", "volumes").([]any)[0]
	for _, source := range dig(volume, "projected", "sources").([]any) {
		items := dig(source, "secret", "items")
		if items == nil {
			continue
		}
		for _, item := range items.([]any) {
			key, path := dig(item, "key").(string), dig(item, "path").(string)
			encoded, ok := dig(secret, "data", key).(string)
			if !ok {
				t.Fatalf("the volume projects key %q, which the Secret lacks", key)
			}
			value, err := base64.StdEncoding.DecodeString(encoded)
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, path), value)
		}
	}
	content := dig(configMap, "data", "swr.yml").(string)
	content = strings.ReplaceAll(content, configDir+"/", dir+"/")

	cfg, err := config.Load([]byte(content), dir)
	if err != nil {
		t.Fatalf("the exporter refuses the rendered configuration: %v\n%s", err, content)
	}

	tests := []struct {
		account string
		want    swr.Credentials
	}{
		{"prod", swr.Credentials{AccessKey: "AKEXAMPLE0123456789A",
			SecretKey: "example-secret-key"}},
		{"staging", swr.Credentials{AccessKey: "AKEXAMPLETEMPORARY01",
			SecretKey: "example-temporary-secret-key", SecurityToken: "example-security-token"}},
		{"otc", swr.Credentials{AuthToken: "example-iam-token"}},
		{"legacy_team", swr.Credentials{AccessKey: "AKEXAMPLELEGACY00001",
			SecretKey: "example-legacy-secret-key"}},
	}
	if len(cfg.Accounts) != len(tests) {
		t.Errorf("%d accounts loaded, want %d", len(cfg.Accounts), len(tests))
	}
	for _, tc := range tests {
		account := cfg.Account(tc.account)
		if account == nil {
			t.Errorf("account %s: missing from the rendered configuration", tc.account)
			continue
		}
		got, err := account.Credentials().Credentials()
		if err != nil {
			t.Errorf("account %s: %v", tc.account, err)
			continue
		}
		if got != tc.want {
			t.Errorf("account %s: credentials %+v, want %+v", tc.account, got, tc.want)
		}
	}
}

// writeFile writes content to path, making its directory.
func writeFile(t *testing.T, path string, content []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestChecksumsFollowContent checks that the pod template changes, and so
// the pods restart, exactly when the configuration or the chart's own
// credentials change.
func TestChecksumsFollowContent(t *testing.T) {
	checksums := func(t *testing.T, files ...string) (configSum, credentialsSum any) {
		t.Helper()
		deployment := find(t, objects(t, mustRender(t, files...)), "Deployment", "")
		annotations := dig(deployment, "spec", "template", "metadata", "annotations")
		return dig(annotations, "checksum/config"), dig(annotations, "checksum/credentials")
	}
	baseConfig, baseCredentials := checksums(t, allOnValues)

	tests := []struct {
		name              string
		values            string
		configChanges     bool
		credentialsChange bool
	}{
		{
			name:   "unrelated value",
			values: "podLabels: {tier: other}",
		},
		{
			name:          "configuration",
			values:        "config: {defaults: {timeout: 50s}}",
			configChanges: true,
		},
		{
			name:              "credential",
			values:            "credentials: {create: {prod: {secretKey: rotated}}}",
			credentialsChange: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			configSum, credentialsSum := checksums(t, allOnValues, valuesFile(t, tc.values))
			if got := configSum != baseConfig; got != tc.configChanges {
				t.Errorf("checksum/config changed: %v, want %v", got, tc.configChanges)
			}
			if got := credentialsSum != baseCredentials; got != tc.credentialsChange {
				t.Errorf("checksum/credentials changed: %v, want %v", got, tc.credentialsChange)
			}
		})
	}
}

// TestNotes checks what helm install prints after installing: the accounts
// by name, never a credential.
func TestNotes(t *testing.T) {
	out, err := helm(t, "install", release, chart, "--namespace", namespace,
		"--dry-run=client", "--values", allOnValues)
	if err != nil {
		t.Fatal(err)
	}
	_, notes, ok := strings.Cut(out, "\nNOTES:\n")
	if !ok {
		t.Fatalf("no NOTES in the output of helm install:\n%s", out)
	}

	content, err := os.ReadFile(allOnValues)
	if err != nil {
		t.Fatal(err)
	}
	var values struct {
		Credentials struct {
			Create map[string]map[string]string `yaml:"create"`
		} `yaml:"credentials"`
	}
	if err := yaml.Unmarshal(content, &values); err != nil {
		t.Fatal(err)
	}
	for account, credentials := range values.Credentials.Create {
		if !strings.Contains(notes, account) {
			t.Errorf("the notes do not name account %s:\n%s", account, notes)
		}
		for key, secret := range credentials {
			if strings.Contains(notes, secret) {
				t.Errorf("the notes show the %s of account %s:\n%s", key, account, notes)
			}
		}
	}
}
