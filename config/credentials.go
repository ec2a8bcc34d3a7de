package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/swr-exporter/swr_exporter/swr"
)

// FileCredentials provides an account's credentials from the config file
// and from files that something else rotates. A file is read again when its
// size, modification time or identity changes, so new keys take effect on
// the next request without a restart.
type FileCredentials struct {
	accessKey, secretKey string

	accessKeyFile, secretKeyFile, securityTokenFile, authTokenFile *watchedFile
}

// newCredentials builds the account's provider and reads its files once, so
// a missing or unreadable file is a configuration error.
func (a *Account) newCredentials() (*FileCredentials, error) {
	hasAKSK := a.AccessKey != "" || a.AccessKeyFile != "" || a.SecretKey != "" ||
		a.SecretKeyFile != ""
	switch {
	case a.AuthTokenFile != "" && hasAKSK:
		return nil, errors.New("auth_token_file: not together with an access or secret key")
	case a.AuthTokenFile != "" && a.SecurityTokenFile != "":
		return nil, errors.New("security_token_file: only with an access and secret key")
	case a.AccessKey != "" && a.AccessKeyFile != "":
		return nil, errors.New("access_key, access_key_file: set one, not both")
	case a.SecretKey != "" && a.SecretKeyFile != "":
		return nil, errors.New("secret_key, secret_key_file: set one, not both")
	case a.AuthTokenFile == "" && !hasAKSK:
		return nil, errors.New("access_key, secret_key, auth_token_file: " +
			"set an access and secret key, or an IAM token file")
	case a.AuthTokenFile == "" && a.AccessKey == "" && a.AccessKeyFile == "":
		return nil, errors.New("access_key: required with a secret key")
	case a.AuthTokenFile == "" && a.SecretKey == "" && a.SecretKeyFile == "":
		return nil, errors.New("secret_key: required with an access key")
	}

	creds := &FileCredentials{
		accessKey:         string(a.AccessKey),
		secretKey:         string(a.SecretKey),
		accessKeyFile:     newWatchedFile("access_key_file", a.AccessKeyFile),
		secretKeyFile:     newWatchedFile("secret_key_file", a.SecretKeyFile),
		securityTokenFile: newWatchedFile("security_token_file", a.SecurityTokenFile),
		authTokenFile:     newWatchedFile("auth_token_file", a.AuthTokenFile),
	}
	if _, err := creds.Credentials(); err != nil {
		return nil, err
	}
	return creds, nil
}

// Credentials returns the current credentials, rereading changed files.
func (f *FileCredentials) Credentials() (swr.Credentials, error) {
	creds := swr.Credentials{AccessKey: f.accessKey, SecretKey: f.secretKey}
	for _, field := range []struct {
		file  *watchedFile
		value *string
	}{
		{f.accessKeyFile, &creds.AccessKey},
		{f.secretKeyFile, &creds.SecretKey},
		{f.securityTokenFile, &creds.SecurityToken},
		{f.authTokenFile, &creds.AuthToken},
	} {
		if field.file == nil {
			continue
		}
		value, err := field.file.read()
		if err != nil {
			return swr.Credentials{}, err
		}
		*field.value = value
	}
	return creds, nil
}

// watchedFile caches a secret file's content until the file changes.
type watchedFile struct {
	key, path string

	mu      sync.Mutex
	info    os.FileInfo
	content string
}

func newWatchedFile(key, path string) *watchedFile {
	if path == "" {
		return nil
	}
	return &watchedFile{key: key, path: path}
}

// read returns the file's content without surrounding white space. Errors
// name the key and the path, never the content.
func (w *watchedFile) read() (string, error) {
	info, err := os.Stat(w.path)
	if err != nil {
		return "", fmt.Errorf("%s: %w", w.key, err)
	}

	w.mu.Lock()
	defer w.mu.Unlock()
	if w.info != nil && sameFile(w.info, info) {
		return w.content, nil
	}

	content, err := os.ReadFile(w.path)
	if err != nil {
		return "", fmt.Errorf("%s: %w", w.key, err)
	}
	content = bytes.TrimSpace(content)
	if len(content) == 0 {
		return "", fmt.Errorf("%s: %s is empty", w.key, w.path)
	}
	w.info, w.content = info, string(content)
	return w.content, nil
}

// sameFile reports whether nothing suggests the file changed: Kubernetes
// swaps a secret's symlink, which changes the identity; an editor rewrites
// in place, which changes the time or size.
func sameFile(old, current os.FileInfo) bool {
	return os.SameFile(old, current) && old.Size() == current.Size() &&
		old.ModTime().Equal(current.ModTime()) && time.Since(current.ModTime()) > time.Second
}
