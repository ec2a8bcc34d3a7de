module github.com/swr-exporter/swr_exporter

go 1.26.8
