package config

import (
	"strings"
	"testing"
)

// FuzzLoad feeds the loader arbitrary files: it must never panic, and what
// it accepts must hold the invariants the rest of the exporter relies on.
func FuzzLoad(f *testing.F) {
	f.Add([]byte("accounts:\n  - {name: a, region: eu-de, access_key: A, secret_key: S}\n"))
	f.Add([]byte("defaults: {timeout: 5s, page_size: 10}\naccounts:\n" +
		"  - {name: a, endpoint: 'https://x', auth_token_file: /dev/null}\n"))
	f.Add([]byte("accounts: [{name: a, region: eu-de, access_key: A, secret_key: S, " +
		"shared_by: [self], share_deadlines: {enabled: false}}]"))
	f.Add([]byte("accounts:\n  - name: a\n    tls_config: {cert_file: x}\n"))
	f.Add([]byte("accounts: {}"))
	f.Add([]byte("- - -"))
	f.Add([]byte("accounts:\n  - &a {name: a}\n  - *a\n"))
	f.Fuzz(func(t *testing.T, content []byte) {
		cfg, err := Load(content, t.TempDir())
		if err != nil {
			if strings.TrimSpace(err.Error()) == "" {
				t.Error("an empty error message")
			}
			return
		}
		names := map[string]bool{}
		for _, account := range cfg.Accounts {
			if !namePattern.MatchString(account.Name) || names[account.Name] {
				t.Errorf("accepted a bad or repeated account name %q", account.Name)
			}
			names[account.Name] = true
			if account.Credentials() == nil || account.APIEndpoint() == "" {
				t.Errorf("account %q accepted without credentials or endpoint", account.Name)
			}
			if account.PageSize < 1 || account.PageSize > 1000 || account.Concurrency < 1 ||
				account.Timeout <= 0 || len(account.SharedBy) == 0 {
				t.Errorf("account %q accepted with settings %+v", account.Name, account.Settings)
			}
		}
	})
}
