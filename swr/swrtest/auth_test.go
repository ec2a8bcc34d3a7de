package swrtest

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/swr-exporter/swr_exporter/swr"
)

// tamperingTransport changes a request after it was signed, as a proxy that
// rewrites requests would.
type tamperingTransport struct {
	base   http.RoundTripper
	tamper func(*http.Request)
}

func (t tamperingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.tamper(r)
	return t.base.RoundTrip(r)
}

// hexSignature finds anything that looks like a signature in an answer.
var hexSignature = regexp.MustCompile(`[0-9a-f]{64}`)

func TestAuthentication(t *testing.T) {
	t.Parallel()

	data := Data{Self: []Repo{
		{Repository: swr.Repository{Namespace: "acme", Name: "team/web"}},
	}}
	list := "/v2/manage/shared-repositories?center=self&limit=10&offset=0"
	reserved := "/v2/manage/shared-repositories?" + query(
		"center", "self", "name", "team/web app").Encode()
	nested := "/v2/manage/namespaces/acme/repositories/team$web/access-domains"

	tests := []struct {
		name      string
		creds     swr.Credentials // zero for an unsigned request
		projectID string
		skew      time.Duration // of the client's clock
		tamper    func(*http.Request)
		path      string
		// wantMessage is part of the error message; "" for success.
		wantStatus  int
		wantMessage string
	}{
		{
			name:       "AK/SK",
			creds:      credentials(plainAccount),
			path:       list,
			wantStatus: http.StatusOK,
		},
		{
			name:       "AK/SK, query with reserved characters",
			creds:      credentials(plainAccount),
			path:       reserved,
			wantStatus: http.StatusOK,
		},
		{
			name:       "AK/SK, '$' in the repository",
			creds:      credentials(plainAccount),
			path:       nested,
			wantStatus: http.StatusOK,
		},
		{
			name:       "temporary AK/SK with its security token",
			creds:      credentials(tempAccount),
			path:       list,
			wantStatus: http.StatusOK,
		},
		{
			name:       "AK/SK with the account's project",
			creds:      credentials(projectAccount),
			projectID:  projectAccount.ProjectID,
			path:       nested,
			wantStatus: http.StatusOK,
		},
		{
			name:       "IAM token",
			creds:      swr.Credentials{AuthToken: tokenAccount.AuthToken},
			path:       reserved,
			wantStatus: http.StatusOK,
		},
		{
			name:       "clock 14 minutes behind",
			creds:      credentials(plainAccount),
			skew:       -14 * time.Minute,
			path:       list,
			wantStatus: http.StatusOK,
		},
		{
			name: "wrong secret key",
			creds: swr.Credentials{
				AccessKey: plainAccount.AccessKey,
				SecretKey: "not-the-secret",
			},
			path:        list,
			wantStatus:  http.StatusUnauthorized,
			wantMessage: "signature does not match",
		},
		{
			name:        "unknown access key",
			creds:       swr.Credentials{AccessKey: "UNKNOWN", SecretKey: "x"},
			path:        list,
			wantStatus:  http.StatusUnauthorized,
			wantMessage: "access key is unknown",
		},
		{
			name:        "X-Sdk-Date 20 minutes old",
			creds:       credentials(plainAccount),
			skew:        -20 * time.Minute,
			path:        list,
			wantStatus:  http.StatusUnauthorized,
			wantMessage: "X-Sdk-Date",
		},
		{
			name:        "X-Sdk-Date 20 minutes ahead",
			creds:       credentials(plainAccount),
			skew:        20 * time.Minute,
			path:        list,
			wantStatus:  http.StatusUnauthorized,
			wantMessage: "X-Sdk-Date",
		},
		{
			name:        "unsigned",
			path:        list,
			wantStatus:  http.StatusUnauthorized,
			wantMessage: "neither a signature nor a token",
		},
		{
			name:        "wrong IAM token",
			creds:       swr.Credentials{AuthToken: "stolen-token"},
			path:        list,
			wantStatus:  http.StatusUnauthorized,
			wantMessage: "token is invalid",
		},
		{
			name:  "query changed after signing",
			creds: credentials(plainAccount),
			tamper: func(r *http.Request) {
				r.URL.RawQuery = "center=thirdparty&limit=10&offset=0"
			},
			path:        list,
			wantStatus:  http.StatusUnauthorized,
			wantMessage: "signature does not match",
		},
		{
			name:  "X-Sdk-Date not signed",
			creds: credentials(plainAccount),
			tamper: func(r *http.Request) {
				resign(r, []string{"host"}, plainAccount)
			},
			path:        list,
			wantStatus:  http.StatusUnauthorized,
			wantMessage: "must include x-sdk-date",
		},
		{
			// As the official SDK signs: without host.
			name:  "host not signed",
			creds: credentials(plainAccount),
			tamper: func(r *http.Request) {
				resign(r, []string{"x-sdk-date"}, plainAccount)
			},
			path:       list,
			wantStatus: http.StatusOK,
		},
		{
			name:  "other authorization scheme",
			creds: credentials(plainAccount),
			tamper: func(r *http.Request) {
				r.Header.Set("Authorization", "Basic dXNlcjpwYXNz")
			},
			path:        list,
			wantStatus:  http.StatusUnauthorized,
			wantMessage: swr.SignAlgorithm,
		},
		{
			name: "temporary AK/SK without its security token",
			creds: swr.Credentials{
				AccessKey: tempAccount.AccessKey,
				SecretKey: tempAccount.SecretKey,
			},
			path:        list,
			wantStatus:  http.StatusUnauthorized,
			wantMessage: "security token",
		},
		{
			name: "temporary AK/SK with its security token unsigned",
			creds: swr.Credentials{
				AccessKey: tempAccount.AccessKey,
				SecretKey: tempAccount.SecretKey,
			},
			tamper: func(r *http.Request) {
				r.Header.Set(swr.HeaderSecurityToken, tempAccount.SecurityToken)
			},
			path:        list,
			wantStatus:  http.StatusUnauthorized,
			wantMessage: "security token",
		},
		{
			name: "temporary AK/SK with a wrong security token",
			creds: swr.Credentials{
				AccessKey:     tempAccount.AccessKey,
				SecretKey:     tempAccount.SecretKey,
				SecurityToken: "another-token",
			},
			path:        list,
			wantStatus:  http.StatusUnauthorized,
			wantMessage: "security token",
		},
		{
			name:        "no project ID for an account with one",
			creds:       credentials(projectAccount),
			path:        list,
			wantStatus:  http.StatusForbidden,
			wantMessage: "X-Project-Id",
		},
		{
			name:        "another project ID",
			creds:       credentials(projectAccount),
			projectID:   "ffffffffffffffffffffffffffffffff",
			path:        list,
			wantStatus:  http.StatusForbidden,
			wantMessage: "X-Project-Id",
		},
	}

	f := newFixture(t, data)
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			t.Parallel()

			client := &http.Client{Transport: f.base}
			if test.creds != (swr.Credentials{}) {
				now := func() time.Time { return time.Now().Add(test.skew) }
				client = f.clientAs(test.creds, test.projectID, now)
			}
			if test.tamper != nil {
				transport := client.Transport.(*swr.Transport)
				transport.Base = tamperingTransport{base: f.base, tamper: test.tamper}
			}

			response, body := get(t, client, f.url+test.path)

			if response.StatusCode != test.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", response.StatusCode,
					test.wantStatus, body)
			}
			if test.wantStatus == http.StatusOK {
				return
			}
			checkRefusal(t, response, body, test.wantMessage)
		})
	}
}

// checkRefusal checks the body of a 401 or 403: the gateway's code, a
// message naming the reason, and no secret or signature.
func checkRefusal(t *testing.T, response *http.Response, body []byte, wantMessage string) {
	t.Helper()

	refusal := decode[huaweiCloudErrorBody](t, body)
	wantCode := authFailureCode
	if response.StatusCode == http.StatusForbidden {
		wantCode = "SVCSTG.SWR.4030000"
	}
	if refusal.Code != wantCode {
		t.Errorf("error_code = %q, want %q", refusal.Code, wantCode)
	}
	if !strings.Contains(refusal.Message, wantMessage) {
		t.Errorf("error_msg = %q, want it to contain %q", refusal.Message, wantMessage)
	}
	if refusal.RequestID == "" || refusal.RequestID != response.Header.Get("X-Request-Id") {
		t.Errorf("request_id = %q, X-Request-Id = %q, want both set and equal",
			refusal.RequestID, response.Header.Get("X-Request-Id"))
	}

	for _, secret := range secrets {
		if strings.Contains(string(body), secret) {
			t.Errorf("the answer %s reveals the secret %q", body, secret)
		}
	}
	if hexSignature.Match(body) {
		t.Errorf("the answer %s holds something like a signature", body)
	}
}

// resign signs a request again over other headers, with the account's key.
func resign(r *http.Request, signedHeaders []string, account Account) {
	signature, err := swr.ComputeSignature(r, signedHeaders, account.SecretKey)
	if err != nil {
		panic(err)
	}
	r.Header.Set("Authorization", swr.SignAlgorithm+" Access="+account.AccessKey+
		", SignedHeaders="+strings.Join(signedHeaders, ";")+", Signature="+signature)
}

// TestAuthenticationUsesTheServerClock checks that X-Sdk-Date is judged by
// the clock the server was given, not the machine's.
func TestAuthenticationUsesTheServerClock(t *testing.T) {
	t.Parallel()

	f := newFixture(t, Data{})
	past := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	f.server.SetClock(func() time.Time { return past })
	address := f.listURL(query("center", "self"))

	tests := []struct {
		name       string
		now        func() time.Time
		wantStatus int
	}{
		{"client on the server's clock", func() time.Time { return past }, http.StatusOK},
		{"client on the machine's clock", time.Now, http.StatusUnauthorized},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			t.Parallel()

			client := f.clientAs(credentials(plainAccount), "", test.now)
			response, body := get(t, client, address)

			if response.StatusCode != test.wantStatus {
				t.Errorf("status = %d, want %d; body %s", response.StatusCode,
					test.wantStatus, body)
			}
		})
	}
}

// TestReferenceVectors checks the server against the signatures published
// with the design, computed by the official SDK, not by this module's signer.
func TestReferenceVectors(t *testing.T) {
	t.Parallel()

	account := Account{AccessKey: "AKEXAMPLE0123456789A", SecretKey: "example-secret-key"}
	tests := []struct {
		name          string
		address       string
		signedHeaders string
		projectID     string
		securityToken string
		signature     string
	}{
		{
			name: "thirdparty page",
			address: "https://swr-api.ap-southeast-3.myhuaweicloud.com" +
				"/v2/manage/shared-repositories?center=thirdparty&limit=1000&offset=0",
			signedHeaders: "host;x-sdk-date",
			signature:     "2c38f0dc970e9f5955eed59390315b1d1e25654986d9df18371b8781f9a61d94",
		},
		{
			name: "access-domains with '$' and a project",
			address: "https://swr-api.eu-de.otc.t-systems.com" +
				"/v2/manage/namespaces/acme/repositories/team$web/access-domains",
			signedHeaders: "host;x-project-id;x-sdk-date",
			projectID:     "0123456789abcdef0123456789abcdef",
			signature:     "903fde45a7cfe80d67d21f6cc40a64cebb2cddde81ec9a7ef4654d1713ce8af6",
		},
		{
			name: "reserved characters and a security token",
			address: "https://swr-api.ap-southeast-3.myhuaweicloud.com" +
				"/v2/manage/shared-repositories?center=self&name=team%2Fweb%20app",
			signedHeaders: "host;x-sdk-date;x-security-token",
			securityToken: "tmp-token-example",
			signature:     "19e0698298d6917cfb2e0524ee5e9468f75b050486ffe1c96bfbfb7b9e033192",
		},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			t.Parallel()

			signer := account
			signer.ProjectID, signer.SecurityToken = test.projectID, test.securityToken
			server := NewServer(Data{Self: []Repo{{Repository: swr.Repository{
				Namespace: "acme", Name: "team/web",
			}}}}, signer)
			server.SetClock(func() time.Time {
				return time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
			})
			request := httptest.NewRequest(http.MethodGet, test.address, nil)
			request.Header.Set(swr.HeaderSdkDate, "20261203T120000Z")
			if test.projectID != "" {
				request.Header.Set(swr.HeaderProjectID, test.projectID)
			}
			if test.securityToken != "" {
				request.Header.Set(swr.HeaderSecurityToken, test.securityToken)
			}
			request.Header.Set("Authorization", swr.SignAlgorithm+" Access="+
				account.AccessKey+", SignedHeaders="+test.signedHeaders+
				", Signature="+test.signature)
			recorder := httptest.NewRecorder()

			server.ServeHTTP(recorder, request)

			if recorder.Code != http.StatusOK {
				t.Errorf("status = %d, want 200; body %s", recorder.Code, recorder.Body)
			}
		})
	}
}
