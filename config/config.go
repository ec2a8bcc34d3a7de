// Package config loads, validates and reloads the exporter's configuration
// file: the SWR accounts to export and how to read them.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	promconfig "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/swr-exporter/swr_exporter/swr"
)

// Config is a loaded and validated configuration file.
type Config struct {
	Defaults Settings  `yaml:"defaults"`
	Accounts []Account `yaml:"accounts"`
}

// Settings are the keys that may be set under defaults and per account.
type Settings struct {
	Timeout        model.Duration `yaml:"timeout"`
	PageSize       int            `yaml:"page_size"`
	Concurrency    int            `yaml:"concurrency"`
	SharedBy       []swr.SharedBy `yaml:"shared_by"`
	ShareDeadlines ShareDeadlines `yaml:"share_deadlines"`
}

// ShareDeadlines controls reading the accounts each shared repository is
// shared with.
type ShareDeadlines struct {
	Enabled         bool           `yaml:"enabled"`
	RefreshInterval model.Duration `yaml:"refresh_interval"`
}

// DefaultSettings apply to every account unless the file says otherwise.
var DefaultSettings = Settings{
	Timeout:     model.Duration(30 * time.Second),
	PageSize:    swr.DefaultPageSize,
	Concurrency: swr.DefaultConcurrency,
	SharedBy:    []swr.SharedBy{swr.Self, swr.ThirdParty},
	ShareDeadlines: ShareDeadlines{
		Enabled:         true,
		RefreshInterval: model.Duration(15 * time.Minute),
	},
}

// MaxConcurrency bounds the requests one account may have in flight.
const MaxConcurrency = 64

// Account is one SWR account to export, with the defaults merged in.
type Account struct {
	Name      string `yaml:"name"`
	Region    string `yaml:"region"`
	Endpoint  string `yaml:"endpoint"`
	ProjectID string `yaml:"project_id"`

	AccessKey         promconfig.Secret `yaml:"access_key"`
	AccessKeyFile     string            `yaml:"access_key_file"`
	SecretKey         promconfig.Secret `yaml:"secret_key"`
	SecretKeyFile     string            `yaml:"secret_key_file"`
	SecurityTokenFile string            `yaml:"security_token_file"`
	AuthTokenFile     string            `yaml:"auth_token_file"`

	TLSConfig              promconfig.TLSConfig `yaml:"tls_config"`
	promconfig.ProxyConfig `yaml:",inline"`

	Settings `yaml:",inline"`

	credentials *FileCredentials
}

// Credentials returns the provider of the account's credentials, which
// rereads their files when they change.
func (a *Account) Credentials() swr.CredentialsProvider {
	return a.credentials
}

// APIEndpoint returns the base URL of the account's SWR API.
func (a *Account) APIEndpoint() string {
	if a.Endpoint != "" {
		return strings.TrimSuffix(a.Endpoint, "/")
	}
	endpoint, _ := swr.RegionEndpoint(a.Region) // checked by validate
	return endpoint
}

// HTTPClientConfig returns the TLS and proxy settings of the account in the
// form prometheus/common builds transports from.
func (a *Account) HTTPClientConfig() promconfig.HTTPClientConfig {
	return promconfig.HTTPClientConfig{
		TLSConfig:       a.TLSConfig,
		ProxyConfig:     a.ProxyConfig,
		FollowRedirects: false,
		EnableHTTP2:     true,
	}
}

// Account returns the account of that name, or nil.
func (c *Config) Account(name string) *Account {
	for i := range c.Accounts {
		if c.Accounts[i].Name == name {
			return &c.Accounts[i]
		}
	}
	return nil
}

// LoadFile reads, parses and validates a configuration file. Relative file
// paths in it are taken from the file's directory.
func LoadFile(path string) (*Config, error) {
	content, err := os.ReadFile(path) //nolint:gosec // G304: the file the operator named
	if err != nil {
		return nil, fmt.Errorf("reading config file: %w", err)
	}
	cfg, err := Load(content, filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	return cfg, nil
}

// Load parses and validates a configuration; dir is the directory relative
// file paths in it start from.
func Load(content []byte, dir string) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(content, &root); err != nil {
		return nil, describeYAMLError(err, nil)
	}

	cfg, err := mergeDefaults(&root)
	if err != nil {
		return nil, err
	}

	// Decoding key by key above ignores unknown keys; a strict pass over the
	// whole document finds them, with their line numbers.
	var strict Config
	decoder := yaml.NewDecoder(bytes.NewReader(content))
	decoder.KnownFields(true)
	if err := decoder.Decode(&strict); err != nil && !errors.Is(err, io.EOF) {
		return nil, describeYAMLError(err, partLines(&root))
	}

	for i := range cfg.Accounts {
		cfg.Accounts[i].resolvePaths(dir)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// resolvePaths makes the account's file paths relative to dir.
func (a *Account) resolvePaths(dir string) {
	for _, path := range []*string{&a.AccessKeyFile, &a.SecretKeyFile, &a.SecurityTokenFile,
		&a.AuthTokenFile} {
		if *path != "" && !filepath.IsAbs(*path) {
			*path = filepath.Join(dir, *path)
		}
	}
	a.TLSConfig.SetDirectory(dir)
}

// mergeDefaults decodes the document, each account on top of the defaults,
// so a key an account leaves out takes the default's value.
func mergeDefaults(root *yaml.Node) (*Config, error) {
	cfg := &Config{Defaults: cloneSettings(DefaultSettings)}
	document := mapping(root)
	if document == nil {
		// A document that is not a mapping: a list or a word is a type
		// error; an empty or null one decodes to nothing, and validate
		// then says what is missing.
		if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
			if err := root.Content[0].Decode(&Config{}); err != nil {
				return nil, describeYAMLError(err, nil)
			}
		}
		return cfg, nil
	}

	if node := lookup(document, "defaults"); node != nil {
		if err := decodeByKey(node, &cfg.Defaults); err != nil {
			return nil, fmt.Errorf("defaults: %w", err)
		}
	}
	accounts := lookup(document, "accounts")
	if accounts == nil {
		return cfg, nil
	}
	if accounts.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("accounts: line %d: want a list of accounts", accounts.Line)
	}
	for i, node := range accounts.Content {
		account := Account{Settings: cloneSettings(cfg.Defaults)}
		if err := decodeByKey(node, &account); err != nil {
			return nil, fmt.Errorf("account %s: %w", accountName(node, i), err)
		}
		cfg.Accounts = append(cfg.Accounts, account)
	}
	return cfg, nil
}

// decodeByKey decodes a mapping one key at a time, so that an error, even
// one from a value's own unmarshaler that knows no line, names its key.
func decodeByKey(node *yaml.Node, out any) error {
	if node.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: want a mapping of keys to values", node.Line)
	}
	for i := 0; i+1 < len(node.Content); i += 2 {
		key, value := node.Content[i], node.Content[i+1]
		single := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{key, value}}
		if err := single.Decode(out); err != nil {
			return fmt.Errorf("%s: %w", key.Value, describeYAMLError(err, nil))
		}
	}
	return nil
}

// accountName names the i-th account node: by its name, else by position.
func accountName(node *yaml.Node, i int) string {
	if node.Kind == yaml.MappingNode {
		if value := lookup(node, "name"); value != nil && namePattern.MatchString(value.Value) {
			return strconv.Quote(value.Value)
		}
	}
	return "#" + strconv.Itoa(i+1)
}

func cloneSettings(s Settings) Settings {
	s.SharedBy = slices.Clone(s.SharedBy)
	return s
}

// mapping returns the top-level mapping of a document, or nil.
func mapping(root *yaml.Node) *yaml.Node {
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 &&
		root.Content[0].Kind == yaml.MappingNode {
		return root.Content[0]
	}
	return nil
}

func lookup(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// span is where a part of the file starts and how an error in it is
// prefixed: `defaults` or `account "prod"`.
type span struct {
	line   int
	prefix string
}

// partLines lists where the defaults and each account start, to name the
// part an error's line falls in.
func partLines(root *yaml.Node) []span {
	document := mapping(root)
	if document == nil {
		return nil
	}
	var spans []span
	for i := 0; i+1 < len(document.Content); i += 2 {
		key, value := document.Content[i], document.Content[i+1]
		switch {
		case key.Value == "defaults":
			spans = append(spans, span{line: key.Line, prefix: "defaults"})
		case key.Value == "accounts" && value.Kind == yaml.SequenceNode:
			for j, node := range value.Content {
				prefix := "account " + accountName(node, j)
				spans = append(spans, span{line: node.Line, prefix: prefix})
			}
		default:
			spans = append(spans, span{line: key.Line})
		}
	}
	slices.SortFunc(spans, func(a, b span) int { return a.line - b.line })
	return spans
}

var (
	yamlLinePattern     = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	unknownFieldPattern = regexp.MustCompile(`^field (\S+) not found in type \S+$`)
)

// describeYAMLError rewrites the YAML library's errors so that each names
// the account it is in and the key, as "account "prod": line 7: unknown key
// "acess_key"".
func describeYAMLError(err error, spans []span) error {
	var typeErr *yaml.TypeError
	messages := []string{err.Error()}
	if errors.As(err, &typeErr) {
		messages = typeErr.Errors
	}

	for i, message := range messages {
		match := yamlLinePattern.FindStringSubmatch(message)
		if match == nil {
			continue
		}
		line, _ := strconv.Atoi(match[1])
		detail := match[2]
		if field := unknownFieldPattern.FindStringSubmatch(detail); field != nil {
			detail = fmt.Sprintf("unknown key %q", field[1])
		}
		messages[i] = fmt.Sprintf("line %d: %s", line, detail)
		if prefix := partAt(spans, line); prefix != "" {
			messages[i] = prefix + ": " + messages[i]
		}
	}
	return errors.New(strings.Join(messages, "; "))
}

func partAt(spans []span, line int) string {
	prefix := ""
	for _, s := range spans {
		if s.line <= line {
			prefix = s.prefix
		}
	}
	return prefix
}

var namePattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// validate checks the merged configuration and opens the credential files.
func (c *Config) validate() error {
	if err := c.Defaults.validate(); err != nil {
		return fmt.Errorf("defaults: %w", err)
	}
	if len(c.Accounts) == 0 {
		return errors.New("accounts: at least one account is required")
	}

	seen := map[string]bool{}
	for i := range c.Accounts {
		account := &c.Accounts[i]
		if err := account.validate(); err != nil {
			if account.Name == "" || !namePattern.MatchString(account.Name) {
				return fmt.Errorf("account #%d: %w", i+1, err)
			}
			return fmt.Errorf("account %q: %w", account.Name, err)
		}
		if seen[account.Name] {
			return fmt.Errorf("account %q: name: used by an earlier account too", account.Name)
		}
		seen[account.Name] = true
	}
	return nil
}

func (s *Settings) validate() error {
	if s.Timeout <= 0 {
		return fmt.Errorf("timeout: %s is not above zero", s.Timeout)
	}
	if s.PageSize < 1 || s.PageSize > swr.MaxPageSize {
		return fmt.Errorf("page_size: %d is not within 1..%d", s.PageSize, swr.MaxPageSize)
	}
	if s.Concurrency < 1 || s.Concurrency > MaxConcurrency {
		return fmt.Errorf("concurrency: %d is not within 1..%d", s.Concurrency, MaxConcurrency)
	}
	if len(s.SharedBy) == 0 {
		return fmt.Errorf("shared_by: name at least one of %q, %q", swr.Self, swr.ThirdParty)
	}
	for i, sharedBy := range s.SharedBy {
		if !sharedBy.Valid() {
			return fmt.Errorf("shared_by: %q is neither %q nor %q", sharedBy, swr.Self,
				swr.ThirdParty)
		}
		if slices.Contains(s.SharedBy[:i], sharedBy) {
			return fmt.Errorf("shared_by: %q is listed twice", sharedBy)
		}
	}
	if s.ShareDeadlines.RefreshInterval < 0 {
		return fmt.Errorf("share_deadlines: refresh_interval: %s is negative",
			s.ShareDeadlines.RefreshInterval)
	}
	return nil
}

func (a *Account) validate() error {
	switch {
	case a.Name == "":
		return errors.New("name: required")
	case !namePattern.MatchString(a.Name):
		return fmt.Errorf("name: %q may hold only letters, digits, '_' and '-'", a.Name)
	}

	if err := a.validateEndpoint(); err != nil {
		return err
	}
	if err := a.Settings.validate(); err != nil {
		return err
	}
	if err := a.TLSConfig.Validate(); err != nil {
		return fmt.Errorf("tls_config: %w", err)
	}
	if err := a.ProxyConfig.Validate(); err != nil {
		return fmt.Errorf("proxy_url: %w", err)
	}

	credentials, err := a.newCredentials()
	if err != nil {
		return err
	}
	a.credentials = credentials
	return nil
}

func (a *Account) validateEndpoint() error {
	switch {
	case a.Region != "" && a.Endpoint != "":
		return errors.New("region, endpoint: set one, not both")
	case a.Region == "" && a.Endpoint == "":
		return errors.New("region, endpoint: one is required")
	case a.Region != "":
		if _, err := swr.RegionEndpoint(a.Region); err != nil {
			return fmt.Errorf("region: %w", err)
		}
		return nil
	}

	u, err := url.Parse(a.Endpoint)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("endpoint: %q is not an http(s) URL with a host", a.Endpoint)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return errors.New("endpoint: must not carry user information, a query or a fragment")
	}
	return nil
}
