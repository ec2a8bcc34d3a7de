package swr

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Credentials authenticate requests to the API: either an access key and
// secret key (with a security token when they are temporary), or an IAM
// token. String and GoString never show the secrets.
type Credentials struct {
	AccessKey     string
	SecretKey     string
	SecurityToken string
	AuthToken     string
}

// String names the kind of credentials and the access key, never a secret.
func (c Credentials) String() string {
	switch {
	case c.AuthToken != "":
		return "IAM token"
	case c.SecurityToken != "":
		return fmt.Sprintf("temporary AK/SK %s", c.AccessKey)
	default:
		return fmt.Sprintf("AK/SK %s", c.AccessKey)
	}
}

// GoString keeps %#v from printing the secrets.
func (c Credentials) GoString() string {
	return "swr.Credentials{" + c.String() + "}"
}

// validate checks that exactly one way of authenticating is complete.
func (c Credentials) validate() error {
	switch {
	case c.AuthToken != "" && (c.AccessKey != "" || c.SecretKey != ""):
		return errors.New("credentials have both an IAM token and an access key")
	case c.AuthToken != "":
		return nil
	case c.AccessKey == "" && c.SecretKey == "":
		return errors.New("credentials have neither an access key nor an IAM token")
	case c.AccessKey == "":
		return errors.New("credentials have a secret key but no access key")
	case c.SecretKey == "":
		return errors.New("credentials have an access key but no secret key")
	}
	return nil
}

// CredentialsProvider hands out the credentials to sign the next request
// with. It is asked once per request, so a provider that rereads files makes
// rotated keys take effect without a restart.
type CredentialsProvider interface {
	Credentials() (Credentials, error)
}

// StaticCredentials is a CredentialsProvider that never changes.
type StaticCredentials Credentials

// Credentials returns c.
func (c StaticCredentials) Credentials() (Credentials, error) {
	return Credentials(c), nil
}

// CredentialsFunc adapts a function to a CredentialsProvider.
type CredentialsFunc func() (Credentials, error)

// Credentials calls f.
func (f CredentialsFunc) Credentials() (Credentials, error) {
	return f()
}

// Transport is an http.RoundTripper that authenticates every request to the
// API: it signs it with AK/SK, or sets the IAM token, and adds the project ID
// when one is configured. It leaves the caller's request untouched.
type Transport struct {
	// Credentials is asked for the credentials of every request.
	Credentials CredentialsProvider
	// ProjectID, when set, is sent as X-Project-Id (and signed).
	ProjectID string
	// Base carries the authenticated request; nil means
	// http.DefaultTransport.
	Base http.RoundTripper
	// Now is the clock for X-Sdk-Date; nil means time.Now.
	Now func() time.Time
}

// RoundTrip authenticates a copy of req and sends it through Base.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	creds, err := t.credentials()
	if err != nil {
		closeBody(req)
		return nil, err
	}

	authed := req.Clone(req.Context())
	if t.ProjectID != "" {
		authed.Header.Set(HeaderProjectID, t.ProjectID)
	}
	if creds.AuthToken != "" {
		authed.Header.Set(HeaderAuthToken, creds.AuthToken)
	} else {
		if creds.SecurityToken != "" {
			authed.Header.Set(HeaderSecurityToken, creds.SecurityToken)
		}
		if err := Sign(authed, creds.AccessKey, creds.SecretKey, t.now()); err != nil {
			closeBody(req)
			return nil, fmt.Errorf("signing request: %w", err)
		}
	}

	return t.base().RoundTrip(authed)
}

func (t *Transport) credentials() (Credentials, error) {
	if t.Credentials == nil {
		return Credentials{}, errors.New("no credentials provider")
	}
	creds, err := t.Credentials.Credentials()
	if err != nil {
		return Credentials{}, fmt.Errorf("reading credentials: %w", err)
	}
	if err := creds.validate(); err != nil {
		return Credentials{}, err
	}
	return creds, nil
}

func (t *Transport) base() http.RoundTripper {
	if t.Base == nil {
		return http.DefaultTransport
	}
	return t.Base
}

func (t *Transport) now() time.Time {
	if t.Now == nil {
		return time.Now()
	}
	return t.Now()
}

// closeBody honours the RoundTripper contract of closing the body even when
// the request is never sent.
func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}
