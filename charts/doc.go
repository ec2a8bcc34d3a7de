// Package charts holds the Helm chart of swr_exporter (swr-exporter/) and
// its tests, which lint and render it with a pinned Helm and compare the
// result with golden files under testdata/.
//
// Helm cannot read files outside a chart, so the chart carries copies of the
// alert rules and the dashboard in swr-exporter/files/. The originals stay
// alerts/swr.rules.yml and dashboards/swr.json; after changing either, run
//
//	go generate ./charts
//
// to copy them again. TestCopiesMatchSources fails until the copies match.
package charts

//go:generate go run ./sync
