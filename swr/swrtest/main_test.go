package swrtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/swr-exporter/swr_exporter/swr"
)

// TestMain fails the package when a test leaves a goroutine behind, which is
// how a fault that ignores a departed client would show.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// The accounts every test server accepts.
var (
	plainAccount = Account{AccessKey: "TESTACCESSKEY0000001", SecretKey: "plain-secret"}
	tempAccount  = Account{
		AccessKey:     "TESTACCESSKEY0000002",
		SecretKey:     "temporary-secret",
		SecurityToken: "security-token-example",
	}
	projectAccount = Account{
		AccessKey: "TESTACCESSKEY0000003",
		SecretKey: "project-secret",
		ProjectID: "0123456789abcdef0123456789abcdef",
	}
	tokenAccount = Account{AuthToken: "iam-token-example"}
)

// secrets are what no answer may ever contain.
var secrets = []string{
	plainAccount.SecretKey, tempAccount.SecretKey, tempAccount.SecurityToken,
	projectAccount.SecretKey, tokenAccount.AuthToken,
}

func credentials(account Account) swr.Credentials {
	return swr.Credentials{
		AccessKey:     account.AccessKey,
		SecretKey:     account.SecretKey,
		SecurityToken: account.SecurityToken,
		AuthToken:     account.AuthToken,
	}
}

// fixture is a simulated service listening on a local port.
type fixture struct {
	server *Server
	url    string
	// base is the transport of the listener's own client; closing the
	// listener closes its idle connections, so no goroutine lingers.
	base http.RoundTripper
}

func newFixture(t *testing.T, data Data) *fixture {
	t.Helper()

	server := NewServer(data, plainAccount, tempAccount, projectAccount, tokenAccount)
	listener := httptest.NewServer(server)
	t.Cleanup(listener.Close)
	return &fixture{server: server, url: listener.URL, base: listener.Client().Transport}
}

// client returns a client that authenticates as the plain account.
func (f *fixture) client() *http.Client {
	return f.clientAs(credentials(plainAccount), "", nil)
}

// clientAs returns a client that authenticates with creds and sends the
// project ID; now, when set, is its clock for X-Sdk-Date.
func (f *fixture) clientAs(creds swr.Credentials, projectID string,
	now func() time.Time,
) *http.Client {
	return &http.Client{Transport: &swr.Transport{
		Credentials: swr.StaticCredentials(creds),
		ProjectID:   projectID,
		Base:        f.base,
		Now:         now,
	}}
}

// listURL is the address of the shared-repositories list with a query.
func (f *fixture) listURL(query url.Values) string {
	return f.url + "/v2/manage/shared-repositories?" + query.Encode()
}

// accessDomainsURL is the address of a repository's access-domains, with
// '/' in the repository sent as '$'.
func (f *fixture) accessDomainsURL(namespace, repository string) string {
	return f.url + "/v2/manage/namespaces/" + namespace + "/repositories/" +
		url.PathEscape(strings.ReplaceAll(repository, "/", "$")) + "/access-domains"
}

// get sends a GET and returns the answer with its body read and closed.
func get(t *testing.T, client *http.Client, address string) (*http.Response, []byte) {
	t.Helper()

	response, err := client.Get(address)
	if err != nil {
		t.Fatalf("GET %s: %v", address, err)
	}
	defer func() { _ = response.Body.Close() }()

	body, err := io.ReadAll(response.Body)
	if err != nil {
		t.Fatalf("reading the answer to GET %s: %v", address, err)
	}
	return response, body
}

// decode reads a JSON body into a value of type T.
func decode[T any](t *testing.T, body []byte) T {
	t.Helper()

	var value T
	if err := json.Unmarshal(body, &value); err != nil {
		t.Fatalf("decoding %q: %v", truncated(body), err)
	}
	return value
}

// huaweiCloudErrorBody is the Huawei Cloud error body as a client reads it.
type huaweiCloudErrorBody struct {
	Code      string `json:"error_code"`
	Message   string `json:"error_msg"`
	RequestID string `json:"request_id"`
}

// keys lists the namespace/name of each repository, in order.
func keys(repos []swr.Repository) []string {
	list := make([]string, len(repos))
	for i, repo := range repos {
		list[i] = repo.Key()
	}
	return list
}

func truncated(body []byte) string {
	if len(body) > 300 {
		return string(body[:300]) + "…"
	}
	return string(body)
}

// query builds a url.Values from name, value pairs.
func query(pairs ...string) url.Values {
	values := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		values.Add(pairs[i], pairs[i+1])
	}
	return values
}
