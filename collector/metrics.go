// Package collector turns what the SWR API says about an account's shared
// repositories into Prometheus metrics. It reads the API through package swr
// and knows nothing of signing or paging.
package collector

import (
	"slices"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

const namespace = "swr"

var (
	repositoryLabels = []string{"account", "shared_by", "namespace", "repository"}
	sourceLabels     = []string{"account", "source"}
)

// The per-repository metrics. Collect builds their series from the
// descriptors; the Gatherer builds the same families without a registry
// (see repositoryFamilies), from the names, help and types kept beside them.
var (
	repositorySize = newRepositoryMetric("size_bytes", dto.MetricType_GAUGE,
		"Size of the shared repository as the SWR API reports it.")
	repositoryTags = newRepositoryMetric("tags", dto.MetricType_GAUGE,
		"Number of image tags in the shared repository.")
	repositoryDownloads = newRepositoryMetric("downloads_total", dto.MetricType_COUNTER,
		"Number of times images of the shared repository were downloaded.")
	repositoryExpired = newRepositoryMetric("expired", dto.MetricType_GAUGE,
		"Whether the share of a repository shared with the account has expired (1) or is "+
			"valid (0); thirdparty only.")
	repositoryInfo = newRepositoryMetric("info", dto.MetricType_GAUGE,
		"Descriptive labels of the shared repository; always 1.",
		repositoryInfoLabels...)
	repositoryCreated = newRepositoryMetric("created_timestamp_seconds", dto.MetricType_GAUGE,
		"When the shared repository was created, in seconds since the epoch.")
	repositoryUpdated = newRepositoryMetric("updated_timestamp_seconds", dto.MetricType_GAUGE,
		"When the shared repository was last updated, in seconds since the epoch.")
)

// repositoryInfoLabels are the labels swr_shared_repository_info adds to
// those of every per-repository series.
var repositoryInfoLabels = []string{"domain_name", "category", "is_public", "path",
	"internal_path"}

// repositoryMetric is one per-repository metric.
type repositoryMetric struct {
	name, help string
	kind       dto.MetricType
	desc       *prometheus.Desc
}

func newRepositoryMetric(name string, kind dto.MetricType, help string,
	extraLabels ...string) *repositoryMetric {
	fqName := prometheus.BuildFQName(namespace, "shared_repository", name)
	labels := slices.Concat(repositoryLabels, extraLabels)
	return &repositoryMetric{
		name: fqName,
		help: help,
		kind: kind,
		desc: prometheus.NewDesc(fqName, help, labels, nil),
	}
}

// Descriptors of the other per-scrape metrics. They describe, never hold,
// values: every pass builds its metrics afresh, so a repository that
// disappears from the API disappears from the exposition.
var (
	upDesc = prometheus.NewDesc(
		prometheus.BuildFQName(namespace, "", "up"),
		"Whether every source of the account was read on this scrape (1) or not (0).",
		[]string{"account"}, nil,
	)
	scrapeSuccessDesc = prometheus.NewDesc(
		prometheus.BuildFQName(namespace, "scrape", "success"),
		"Whether the source of the account was read on this scrape (1) or not (0).",
		sourceLabels, nil,
	)
	scrapeDurationDesc = prometheus.NewDesc(
		prometheus.BuildFQName(namespace, "scrape", "duration_seconds"),
		"How long reading the source of the account took on this scrape.",
		sourceLabels, nil,
	)
	sharedRepositoriesDesc = prometheus.NewDesc(
		prometheus.BuildFQName(namespace, "", "shared_repositories"),
		"Number of shared repositories read from the list on this scrape.",
		[]string{"account", "shared_by"}, nil,
	)
)

// allDescs is every descriptor Collect may use, for Describe.
var allDescs = []*prometheus.Desc{
	repositorySize.desc, repositoryTags.desc, repositoryDownloads.desc, repositoryExpired.desc,
	repositoryInfo.desc, repositoryCreated.desc, repositoryUpdated.desc,
	upDesc, scrapeSuccessDesc, scrapeDurationDesc, sharedRepositoriesDesc,
	shareExpiryDesc, shareExpiredDesc, shareInfoDesc,
}

// APIMetrics count the requests sent to the SWR API, per account and call.
type APIMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewAPIMetrics registers the API request metrics in reg.
func NewAPIMetrics(reg prometheus.Registerer) *APIMetrics {
	m := &APIMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "api_requests_total",
			Help:      "Requests sent to the SWR API that got an answer, by HTTP status code.",
		}, []string{"account", "endpoint", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace,
			Name:      "api_request_duration_seconds",
			Help:      "Time until the SWR API's answer headers arrived.",
			Buckets:   []float64{0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
		}, []string{"account", "endpoint"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}
