// Package bench compares the exporter's SWR client with the official Huawei
// Cloud Go SDK reading the same pages. It is a module of its own so that the
// SDK and its dependencies stay out of the exporter's go.mod.
package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	sdkswr "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/swr/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/swr/v2/model"

	"github.com/swr-exporter/swr_exporter/swr"
	"github.com/swr-exporter/swr_exporter/swr/swrtest"
)

const (
	accessKey = "AKBENCH0123456789ABC"
	secretKey = "bench-secret-key"
	projectID = "0123456789abcdef0123456789abcdef"
	pageSize  = 1000
)

// listers are the two ways of reading a whole list that the benchmark
// compares, each one page at a time.
var listers = []struct {
	name string
	list func(tb testing.TB, endpoint string, transport http.RoundTripper) []string
}{
	{"swr_exporter", listWithExporterClient},
	{"huaweicloud-sdk", listWithSDK},
}

// TestClientsAgree reads the self list of the simulated service through both
// clients over a real connection: the SDK's signature is accepted by the
// simulated service, and both return the same repositories in the same order.
func TestClientsAgree(t *testing.T) {
	t.Parallel()
	const repositories = 2500
	endpoint, _ := startSimulator(t, repositories)

	want := repositoryNames(swrtest.Generate(repositories, 0, time.Now()).Self)
	for _, lister := range listers {
		got := lister.list(t, endpoint, http.DefaultTransport)
		if !slices.Equal(got, want) {
			t.Errorf("%s read %d repositories, want the %d served", lister.name, len(got),
				len(want))
		}
	}
}

// BenchmarkListShared reads a list of N repositories in pages of 1000
// through each client. The pages are answered from memory, as the simulated
// service first answered them, so that what is measured is each client's
// own work: building and signing requests, and decoding the answers.
func BenchmarkListShared(b *testing.B) {
	for _, repositories := range []int{1000, 10000, 100000} {
		endpoint, handler := startSimulator(b, repositories)
		transport := &replayingTransport{handler: handler}
		for _, lister := range listers {
			name := fmt.Sprintf("repos=%d/client=%s", repositories, lister.name)
			b.Run(name, func(b *testing.B) {
				if got := len(lister.list(b, endpoint, transport)); got != repositories {
					b.Fatalf("read %d repositories, want %d", got, repositories)
				}
				b.ReportAllocs()
				for b.Loop() {
					lister.list(b, endpoint, transport)
				}
				perRepository := float64(b.N) * float64(repositories)
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/perRepository, "ns/repo")
			})
		}
	}
}

// startSimulator serves n generated self repositories and returns the URL and
// the handler.
func startSimulator(tb testing.TB, n int) (string, http.Handler) {
	tb.Helper()
	simulator := swrtest.NewServer(swrtest.Generate(n, 0, time.Now()),
		swrtest.Account{AccessKey: accessKey, SecretKey: secretKey, ProjectID: projectID})
	server := httptest.NewServer(simulator)
	tb.Cleanup(server.Close)
	return server.URL, simulator
}

func listWithExporterClient(tb testing.TB, endpoint string, base http.RoundTripper) []string {
	tb.Helper()
	httpClient := &http.Client{Transport: &swr.Transport{
		Credentials: swr.StaticCredentials{AccessKey: accessKey, SecretKey: secretKey},
		ProjectID:   projectID,
		Base:        base,
	}}
	client, err := swr.NewClient(endpoint, httpClient, swr.WithPageSize(pageSize),
		swr.WithConcurrency(1))
	if err != nil {
		tb.Fatal(err)
	}

	repositories, err := client.ListShared(context.Background(), swr.Self)
	if err != nil {
		tb.Fatal(err)
	}
	names := make([]string, len(repositories))
	for i, repo := range repositories {
		names[i] = repo.Namespace + "/" + repo.Name
	}
	return names
}

// listWithSDK pages through the list with ListSharedReposDetails, as a user
// of the SDK would: it has no paging of its own, so the loop reads the total
// from each answer's Content-Range.
func listWithSDK(tb testing.TB, endpoint string, base http.RoundTripper) []string {
	tb.Helper()
	credentials, err := basic.NewCredentialsBuilder().WithAk(accessKey).WithSk(secretKey).
		WithProjectId(projectID).SafeBuild()
	if err != nil {
		tb.Fatal(err)
	}
	hcClient, err := sdkswr.SwrClientBuilder().
		WithEndpoints([]string{endpoint}).
		WithCredential(credentials).
		WithHttpConfig(config.DefaultHttpConfig().WithHttpRoundTripper(base)).
		SafeBuild()
	if err != nil {
		tb.Fatal(err)
	}
	client := sdkswr.NewSwrClient(hcClient)

	limit := strconv.Itoa(pageSize)
	var names []string
	for offset := 0; ; offset += pageSize {
		from := strconv.Itoa(offset)
		response, err := client.ListSharedReposDetails(&model.ListSharedReposDetailsRequest{
			Center: "self", Limit: &limit, Offset: &from,
		})
		if err != nil {
			tb.Fatal(err)
		}
		for _, repo := range *response.Body {
			names = append(names, repo.Namespace+"/"+repo.Name)
		}
		if response.ContentRange == nil {
			tb.Fatal("the SDK's answer has no Content-Range")
		}
		contentRange, err := swr.ParseContentRange(*response.ContentRange)
		if err != nil {
			tb.Fatal(err)
		}
		if offset+pageSize >= contentRange.Total {
			return names
		}
	}
}

func repositoryNames(repositories []swrtest.Repo) []string {
	names := make([]string, len(repositories))
	for i, repo := range repositories {
		names[i] = repo.Namespace + "/" + repo.Name
	}
	return names
}

// replayingTransport answers every request with what handler answered the
// first time it was asked for the same path and query. The first request,
// like every request the simulated service sees, must be signed correctly.
type replayingTransport struct {
	handler http.Handler

	mu      sync.Mutex
	answers map[string]*httptest.ResponseRecorder
}

func (t *replayingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	key := req.URL.RequestURI()
	t.mu.Lock()
	defer t.mu.Unlock()

	answer, ok := t.answers[key]
	if !ok {
		served := req.Clone(req.Context())
		served.Host = req.URL.Host
		served.RequestURI = key
		answer = httptest.NewRecorder()
		t.handler.ServeHTTP(answer, served)
		if answer.Code != http.StatusOK {
			return nil, fmt.Errorf("simulated service: %d %s", answer.Code, answer.Body)
		}
		if t.answers == nil {
			t.answers = map[string]*httptest.ResponseRecorder{}
		}
		t.answers[key] = answer
	}

	body := answer.Body.Bytes()
	return &http.Response{
		Status:        strconv.Itoa(answer.Code) + " " + http.StatusText(answer.Code),
		StatusCode:    answer.Code,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        maps.Clone(answer.Header()),
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}, nil
}
