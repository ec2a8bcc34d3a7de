package collector

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/swr-exporter/swr_exporter/swr"
)

// FuzzCollectorInput decodes arbitrary answers of both calls and emits
// them: whatever the API says, the exposition must gather without a
// duplicate, an invalid series or a panic.
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
		repositories, err := swr.DecodeRepositories(repositoriesBody)
		if err != nil {
			return
		}
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
				{sharedBy: swr.ThirdParty, repositories: repositories},
			},
			shares: &shares,
		}

		registry := prometheus.NewPedanticRegistry()
		registry.MustRegister(collectorFunc(func(ch chan<- prometheus.Metric) {
			emitAccount(ch, "fuzz", result)
		}))
		if _, err := registry.Gather(); err != nil {
			t.Errorf("gathering: %v", err)
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
