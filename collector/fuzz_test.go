package collector

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/swr-exporter/swr_exporter/swr"
)

// FuzzCollectorInput decodes arbitrary answers of both calls and emits
// them: whatever the API says, the exposition must gather without a
// duplicate, an invalid series or a panic, and the families the HTTP
// endpoints serve must be the very series a registry makes of Collect.
func FuzzCollectorInput(f *testing.F) {
	f.Add([]byte(`[{"name":"web","namespace":"acme","size":1,"num_images":2,`+
		`"num_download":3,"status":false,"created_at":"2025-01-01T00:00:00Z"}]`),
		[]byte(`[{"access_domain":"p","deadline":"forever","status":true}]`))
	f.Add([]byte("[{\"name\":\"a\xff\",\"namespace\":\"n\"},"+
		"{\"name\":\"a\xfe\",\"namespace\":\"n\"}]"),
		[]byte(`[{"access_domain":"p","deadline":"2026-01-01"},{"access_domain":"p"}]`))
	f.Add([]byte(`[{"name":"","namespace":""},{"name":"","namespace":""}]`),
		[]byte(`[{"access_domain":"","deadline":"soon"}]`))
	f.Add([]byte(`[{"size":-1,"num_images":-9223372036854775808}]`), []byte(`null`))
	f.Fuzz(func(t *testing.T, repositoriesBody, domainsBody []byte) {
		decoded, err := swr.DecodeRepositories(repositoriesBody)
		if err != nil {
			return
		}
		// What the client and the scraper make of a list: each namespace and
		// name once, then label-safe.
		var repositories []swr.Repository
		seen := map[string]bool{}
		for _, repository := range decoded {
			if !seen[repository.Key()] {
				seen[repository.Key()] = true
				repositories = append(repositories, repository)
			}
		}
		repositories = labelSafe(repositories)
		domains, err := swr.DecodeAccessDomains(domainsBody)
		if err != nil {
			return
		}
		shares := shareResult{}
		for _, repository := range repositories {
			shares.repositories = append(shares.repositories, repositoryShares{
				namespace: repository.Namespace, repository: repository.Name, domains: domains})
		}
		result := &snapshot{
			start: time.Now(),
			sources: []sourceResult{
				{sharedBy: swr.Self, repositories: repositories},
				{sharedBy: swr.ThirdParty, repositories: slices.Clone(repositories)},
			},
			shares: &shares,
		}

		registry := prometheus.NewPedanticRegistry()
		registry.MustRegister(collectorFunc(func(ch chan<- prometheus.Metric) {
			emitAccount(ch, "fuzz", result)
		}))
		collected, err := registry.Gather()
		if err != nil {
			t.Fatalf("gathering: %v", err)
		}
		gathered, err := result.families("fuzz")
		if err != nil {
			t.Fatalf("building families: %v", err)
		}
		if want, got := exposition(t, collected), exposition(t, gathered); got != want {
			t.Errorf("the families served differ from Collect's:\n%s\nwant:\n%s", got, want)
		}
	})
}

// collectorFunc is a Collector of fixed output for the fuzz target.
type collectorFunc func(chan<- prometheus.Metric)

func (f collectorFunc) Describe(ch chan<- *prometheus.Desc) {
	for _, desc := range allDescs {
		ch <- desc
	}
}

func (f collectorFunc) Collect(ch chan<- prometheus.Metric) { f(ch) }

// exposition is families in the text format.
func exposition(t *testing.T, families []*dto.MetricFamily) string {
	t.Helper()
	var text strings.Builder
	for _, family := range families {
		if _, err := expfmt.MetricFamilyToText(&text, family); err != nil {
			t.Fatalf("encoding %s: %v", family.GetName(), err)
		}
	}
	return text.String()
}
