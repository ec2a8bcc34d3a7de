package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/swr-exporter/swr_exporter/swr"
)

// TestLoadFileBad loads every bad configuration under testdata/; each file
// starts with the exact error it must give.
func TestLoadFileBad(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/*.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		if filepath.Base(path) == "good.yml" {
			continue
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			want := wantedError(t, path)

			_, err := LoadFile(path)

			if err == nil || err.Error() != want {
				t.Errorf("LoadFile error:\n got %v\nwant %s", err, want)
			}
		})
	}
}

// wantedError reads the error a bad config must give from its first line,
// "# want: <message>", and prefixes it as LoadFile does.
func wantedError(t *testing.T, path string) string {
	t.Helper()
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(content), "\n")
	want, ok := strings.CutPrefix(first, "# want: ")
	if !ok {
		t.Fatalf("%s does not start with the error it must give", path)
	}
	return "config file " + path + ": " + want
}

func TestLoadFileGood(t *testing.T) {
	t.Parallel()
	cfg, err := LoadFile("testdata/good.yml")
	if err != nil {
		t.Fatal(err)
	}

	prod, otc := cfg.Account("prod"), cfg.Account("otc")
	if prod == nil || otc == nil || cfg.Account("none") != nil {
		t.Fatalf("accounts = %+v", cfg.Accounts)
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"prod endpoint", prod.APIEndpoint(), "https://swr-api.ap-southeast-3.myhuaweicloud.com"},
		{"prod timeout from defaults", prod.Timeout, model.Duration(20 * time.Second)},
		{"prod page size built in", prod.PageSize, 1000},
		{"prod concurrency built in", prod.Concurrency, 4},
		{"prod shared_by built in", len(prod.SharedBy), 2},
		{"prod deadlines enabled built in", prod.ShareDeadlines.Enabled, true},
		{
			"prod refresh from defaults", prod.ShareDeadlines.RefreshInterval,
			model.Duration(5 * time.Minute),
		},
		{"otc endpoint", otc.APIEndpoint(), "https://swr-api.eu-de.otc.t-systems.com"},
		{"otc project", otc.ProjectID, "0123456789abcdef0123456789abcdef"},
		{"otc timeout own", otc.Timeout, model.Duration(10 * time.Second)},
		{"otc concurrency own", otc.Concurrency, 8},
		{"otc shared_by own", otc.SharedBy[0], swr.ThirdParty},
		{"otc deadlines disabled", otc.ShareDeadlines.Enabled, false},
		{
			"otc refresh from defaults despite own share_deadlines",
			otc.ShareDeadlines.RefreshInterval, model.Duration(5 * time.Minute),
		},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}

	for name, account := range map[string]*Account{"prod": prod, "otc": otc} {
		creds, err := account.Credentials().Credentials()
		if err != nil {
			t.Fatalf("%s credentials: %v", name, err)
		}
		if creds.AccessKey == "" || creds.SecretKey == "" {
			t.Errorf("%s credentials incomplete: %v", name, creds)
		}
	}
}

// TestConfigNeverShowsSecrets marshals a loaded configuration, as a debug
// page or a log line might, and looks for the secrets.
func TestConfigNeverShowsSecrets(t *testing.T) {
	t.Parallel()
	cfg, err := LoadFile("testdata/good.yml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "sk-inline-secret") {
		t.Errorf("marshalled config shows the secret key:\n%s", out)
	}
}

func TestCredentialFilesRotate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "ak"), "AKOLD")
	writeFile(t, filepath.Join(dir, "sk"), "sk-old")
	writeFile(t, filepath.Join(dir, "swr.yml"), "accounts:\n"+
		"  - {name: prod, region: eu-de, access_key_file: ak, secret_key_file: sk}\n")

	cfg, err := LoadFile(filepath.Join(dir, "swr.yml"))
	if err != nil {
		t.Fatal(err)
	}
	provider := cfg.Account("prod").Credentials()
	assertCredentials(t, provider, "AKOLD", "sk-old")

	// Kubernetes replaces a secret by swapping a link; a rename does the same
	// to the file's identity.
	writeFile(t, filepath.Join(dir, "sk.new"), "sk-new")
	if err := os.Rename(filepath.Join(dir, "sk.new"), filepath.Join(dir, "sk")); err != nil {
		t.Fatal(err)
	}
	assertCredentials(t, provider, "AKOLD", "sk-new")

	if err := os.Remove(filepath.Join(dir, "sk")); err != nil {
		t.Fatal(err)
	}
	_, err = provider.Credentials()
	want := "secret_key_file: stat " + filepath.Join(dir, "sk") + ": no such file or directory"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

func assertCredentials(t *testing.T, p swr.CredentialsProvider, accessKey, secretKey string) {
	t.Helper()
	creds, err := p.Credentials()
	if err != nil {
		t.Fatal(err)
	}
	if creds.AccessKey != accessKey || creds.SecretKey != secretKey {
		t.Errorf("credentials = %s / (secret of %d bytes), want %s / %s", creds.AccessKey,
			len(creds.SecretKey), accessKey, secretKey)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestReload(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "swr.yml")
	good := func(name string) string {
		return "accounts:\n  - {name: " + name +
			", region: eu-de, access_key: AK, secret_key: SK}\n"
	}
	reg := prometheus.NewPedanticRegistry()
	safe := NewSafeConfig(path, reg)

	steps := []struct {
		content     string
		wantErr     string
		wantAccount string
		successful  float64
	}{
		{content: good("first"), wantAccount: "first", successful: 1},
		{
			content:     "accounts: [{name: broken}]\n",
			wantErr:     `account "broken": region, endpoint: one is required`,
			wantAccount: "first",
			successful:  0,
		},
		{content: good("second"), wantAccount: "second", successful: 1},
	}
	var lastSuccess float64
	for i, step := range steps {
		writeFile(t, path, step.content)
		err := safe.Reload(nil)

		if step.wantErr != "" {
			want := "config file " + path + ": " + step.wantErr
			if err == nil || err.Error() != want {
				t.Fatalf("step %d: error = %v, want %q", i, err, want)
			}
		} else if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got := safe.Config().Accounts[0].Name; got != step.wantAccount {
			t.Errorf("step %d: account in use = %q, want %q", i, got, step.wantAccount)
		}
		if got := testutil.ToFloat64(safe.lastReloadSuccessful); got != step.successful {
			t.Errorf("step %d: last_reload_successful = %v, want %v", i, got, step.successful)
		}
		success := testutil.ToFloat64(safe.lastReloadSuccess)
		if step.successful == 1 && success < lastSuccess || success == 0 {
			t.Errorf("step %d: last success timestamp %v after %v", i, success, lastSuccess)
		}
		if step.successful == 0 && success != lastSuccess {
			t.Errorf("step %d: a failed reload moved the success timestamp", i)
		}
		lastSuccess = success
	}

	if problems, err := testutil.GatherAndLint(reg); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", problems, err)
	}
}
