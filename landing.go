package main

import (
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/prometheus/common/version"

	"github.com/swr-exporter/swr_exporter/collector"
	"github.com/swr-exporter/swr_exporter/swr"
)

// landingTemplate is the page at /: what runs, where its metrics are, and
// how each account's last scrape went.
var landingTemplate = template.Must(template.New("landing").Funcs(template.FuncMap{
	"probeURL": func(account string) string {
		return "probe?" + url.Values{"account": {account}}.Encode()
	},
	"ago": func(t time.Time) string {
		return time.Since(t).Round(time.Second).String() + " ago"
	},
	"seconds": func(d time.Duration) string {
		return d.Round(time.Millisecond).String()
	},
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>SWR Exporter</title>
<style>
body { font-family: sans-serif; margin: 2em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
.ok { color: #1a7f37; } .failed { color: #cf222e; } .never { color: #6e7781; }
</style>
</head>
<body>
<h1>SWR Exporter</h1>
<p>Version: {{.Version}}</p>
<ul>
<li><a href="{{.MetricsPath}}">Metrics</a> (every account)</li>
<li><a href="-/healthy">Health</a>, <a href="-/ready">readiness</a></li>
</ul>
<h2>Accounts</h2>
<table>
<tr><th>Account</th><th>Last scrape</th><th>Duration</th><th>Result</th>
<th>Shared by the account</th><th>Shared with the account</th><th>Last error</th></tr>
{{range .Accounts}}<tr>
<td><a href="{{probeURL .Account}}">{{.Account}}</a></td>
{{if .Time.IsZero}}<td class="never" colspan="6">not scraped yet</td>
{{else}}<td>{{.Time.UTC.Format "2006-01-02 15:04:05 UTC"}} ({{ago .Time}})</td>
<td>{{seconds .Duration}}</td>
<td>{{if .Success}}<span class="ok">success</span>
{{- else}}<span class="failed">failed</span>{{end}}</td>
<td>{{index .Repositories "self"}}</td>
<td>{{index .Repositories "thirdparty"}}</td>
<td>{{range .Errors}}<div>{{.}}</div>{{end}}</td>
{{end}}</tr>
{{end}}</table>
</body>
</html>
`))

// versionText is the version for a person: a development build has no
// version, only perhaps a revision.
func versionText() string {
	if version.Version != "" {
		return version.Version + " (revision " + version.GetRevision() + ")"
	}
	return "development build (revision " + version.GetRevision() + ")"
}

type landingData struct {
	Version     string
	MetricsPath string
	Accounts    []landingAccount
}

// landingAccount keys repository counts by string for the template.
type landingAccount struct {
	collector.Status
	Repositories map[string]int
}

func newLandingPage(exporter *collector.Exporter, metricsPath string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		data := landingData{Version: versionText(), MetricsPath: metricsPath[1:]}
		for _, status := range exporter.Statuses() {
			counts := map[string]int{}
			for _, sharedBy := range []swr.SharedBy{swr.Self, swr.ThirdParty} {
				if n, ok := status.Repositories[sharedBy]; ok {
					counts[string(sharedBy)] = n
				}
			}
			data.Accounts = append(data.Accounts, landingAccount{Status: status,
				Repositories: counts})
		}

		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := landingTemplate.Execute(w, data); err != nil {
			slog.Default().Error("rendering landing page", "err", err)
		}
	})
}
