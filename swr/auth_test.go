package swr

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// recordingTransport keeps the last request it was given and answers 200.
type recordingTransport struct {
	last *http.Request
}

func (r *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r.last = req
	return httptest.NewRecorder().Result(), nil
}

func TestTransport(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		creds     Credentials
		projectID string
		want      map[string]string
		absent    []string
	}{
		{
			name:   "AK/SK",
			creds:  Credentials{AccessKey: "AK1", SecretKey: "SK1"},
			want:   map[string]string{HeaderSdkDate: "20261203T120000Z"},
			absent: []string{HeaderAuthToken, HeaderSecurityToken, HeaderProjectID},
		},
		{
			name:      "temporary AK/SK with project",
			creds:     Credentials{AccessKey: "AK1", SecretKey: "SK1", SecurityToken: "tok"},
			projectID: "proj",
			want: map[string]string{HeaderSecurityToken: "tok", HeaderProjectID: "proj",
				HeaderSdkDate: "20261203T120000Z"},
			absent: []string{HeaderAuthToken},
		},
		{
			name:   "IAM token",
			creds:  Credentials{AuthToken: "iam-token"},
			want:   map[string]string{HeaderAuthToken: "iam-token"},
			absent: []string{"Authorization", HeaderSdkDate},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			base := &recordingTransport{}
			transport := &Transport{Credentials: StaticCredentials(tt.creds),
				ProjectID: tt.projectID, Base: base, Now: func() time.Time { return now }}
			req := httptest.NewRequest(http.MethodGet,
				"https://swr.example/v2/manage/shared-repositories?center=self", nil)

			if _, err := transport.RoundTrip(req); err != nil {
				t.Fatal(err)
			}

			for name, value := range tt.want {
				if got := base.last.Header.Get(name); got != value {
					t.Errorf("%s = %q, want %q", name, got, value)
				}
			}
			for _, name := range tt.absent {
				if got := base.last.Header.Get(name); got != "" {
					t.Errorf("%s = %q, want none", name, got)
				}
			}
			if len(req.Header) != 0 {
				t.Errorf("caller's request was changed: %v", req.Header)
			}
		})
	}
}

func TestTransportCredentialErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		provider CredentialsProvider
		want     string
	}{
		{StaticCredentials{}, "credentials have neither an access key nor an IAM token"},
		{StaticCredentials{AccessKey: "AK"}, "credentials have an access key but no secret key"},
		{StaticCredentials{SecretKey: "SK"}, "credentials have a secret key but no access key"},
		{
			StaticCredentials{AccessKey: "AK", AuthToken: "T"},
			"credentials have both an IAM token and an access key",
		},
		{
			CredentialsFunc(func() (Credentials, error) {
				return Credentials{}, errors.New("open /run/secrets/sk: permission denied")
			}),
			"reading credentials: open /run/secrets/sk: permission denied",
		},
		{nil, "no credentials provider"},
	}
	for _, tt := range tests {
		transport := &Transport{Credentials: tt.provider, Base: &recordingTransport{}}
		req := httptest.NewRequest(http.MethodGet, "https://swr.example/", nil)
		_, err := transport.RoundTrip(req)
		if err == nil || err.Error() != tt.want {
			t.Errorf("RoundTrip error = %v, want %q", err, tt.want)
		}
	}
}

func TestCredentialsNeverPrintSecrets(t *testing.T) {
	t.Parallel()
	creds := Credentials{AccessKey: "AKPUBLIC", SecretKey: "sk-very-secret",
		SecurityToken: "st-very-secret", AuthToken: ""}
	token := Credentials{AuthToken: "iam-very-secret"}
	for _, c := range []Credentials{creds, token} {
		for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
			out := fmt.Sprintf(format, c)
			if strings.Contains(out, "very-secret") {
				t.Errorf("Sprintf(%q) = %q leaks a secret", format, out)
			}
		}
	}
}
