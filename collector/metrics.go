// Package collector turns what the SWR API says about an account's shared
// repositories into Prometheus metrics. It reads the API through package swr
// and knows nothing of signing or paging.
package collector

import "github.com/prometheus/client_golang/prometheus"

const namespace = "swr"

var (
	repositoryLabels = []string{"account", "shared_by", "namespace", "repository"}
	sourceLabels     = []string{"account", "source"}
)

// Descriptors of the per-scrape metrics. They describe, never hold, values:
// every Collect builds its metrics afresh, so a repository that disappears
// from the API disappears from the exposition.
var (
	repositorySizeDesc = prometheus.NewDesc(
		prometheus.BuildFQName(namespace, "shared_repository", "size_bytes"),
		"Size of the shared repository as the SWR API reports it.",
		repositoryLabels, nil,
	)
	repositoryTagsDesc = prometheus.NewDesc(
		prometheus.BuildFQName(namespace, "shared_repository", "tags"),
		"Number of image tags in the shared repository.",
		repositoryLabels, nil,
	)
	repositoryDownloadsDesc = prometheus.NewDesc(
		prometheus.BuildFQName(namespace, "shared_repository", "downloads_total"),
		"Number of times images of the shared repository were downloaded.",
		repositoryLabels, nil,
	)
	repositoryExpiredDesc = prometheus.NewDesc(
		prometheus.BuildFQName(namespace, "shared_repository", "expired"),
		"Whether the share of a repository shared with the account has expired (1) or is "+
			"valid (0); thirdparty only.",
		repositoryLabels, nil,
	)
	repositoryInfoDesc = prometheus.NewDesc(
		prometheus.BuildFQName(namespace, "shared_repository", "info"),
		"Descriptive labels of the shared repository; always 1.",
		append(repositoryLabels[:len(repositoryLabels):len(repositoryLabels)],
			"domain_name", "category", "is_public", "path", "internal_path"),
		nil,
	)
	repositoryCreatedDesc = prometheus.NewDesc(
		prometheus.BuildFQName(namespace, "shared_repository", "created_timestamp_seconds"),
		"When the shared repository was created, in seconds since the epoch.",
		repositoryLabels, nil,
	)
	repositoryUpdatedDesc = prometheus.NewDesc(
		prometheus.BuildFQName(namespace, "shared_repository", "updated_timestamp_seconds"),
		"When the shared repository was last updated, in seconds since the epoch.",
		repositoryLabels, nil,
	)

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
	repositorySizeDesc, repositoryTagsDesc, repositoryDownloadsDesc, repositoryExpiredDesc,
	repositoryInfoDesc, repositoryCreatedDesc, repositoryUpdatedDesc,
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
