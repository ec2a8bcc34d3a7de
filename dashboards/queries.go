// Package dashboards holds the Grafana dashboard shipped with swr_exporter
// (swr.json) and reads the Prometheus queries out of it, so that tests can
// send them to a real Prometheus.
package dashboards

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
)

// Query is one query of a dashboard panel, ready to send to Prometheus.
type Query struct {
	// Panel is the title of the panel the query belongs to.
	Panel string
	// RefID names the query within its panel, as Grafana's refId does.
	RefID string
	// Expr is the PromQL expression with the dashboard's variables replaced.
	Expr string
	// Instant tells an instant query (tables, stats) from a range query.
	Instant bool
}

// variable matches a reference to a dashboard variable: $name or ${name}.
// Grafana's other forms, [[name]] and ${name:format}, are not used in the
// dashboard and so not supported.
var variable = regexp.MustCompile(`\$\{(\w+)\}|\$(\w+)`)

type panel struct {
	Title   string   `json:"title"`
	Targets []target `json:"targets"`
	// Panels are those of a collapsed row.
	Panels []panel `json:"panels"`
}

type target struct {
	RefID   string `json:"refId"`
	Expr    string `json:"expr"`
	Instant bool   `json:"instant"`
	Hide    bool   `json:"hide"`
}

// Queries returns the queries of every panel of dashboardJSON, in the order
// of the panels, those inside rows included, with each variable reference
// replaced by its value in vars, keyed by name without the `$`. Built-in
// variables such as $__rate_interval are looked up in vars too. Values are
// inserted as they are: for a variable used in a `=~` matcher give a
// regular expression, such as `.*` for all. Queries that Grafana would not
// run (hidden ones) are left out. A reference to a variable missing from
// vars is an error.
func Queries(dashboardJSON []byte, vars map[string]string) ([]Query, error) {
	var dashboard struct {
		Panels []panel `json:"panels"`
	}
	if err := json.Unmarshal(dashboardJSON, &dashboard); err != nil {
		return nil, fmt.Errorf("reading dashboard: %w", err)
	}

	var queries []Query
	var errs []error
	var walk func(panels []panel)
	walk = func(panels []panel) {
		for _, panel := range panels {
			for _, target := range panel.Targets {
				if target.Hide {
					continue
				}
				expr, err := substitute(target.Expr, vars)
				if err != nil {
					errs = append(errs, fmt.Errorf("panel %q, query %s: %w", panel.Title,
						target.RefID, err))
					continue
				}
				queries = append(queries, Query{Panel: panel.Title, RefID: target.RefID,
					Expr: expr, Instant: target.Instant})
			}
			walk(panel.Panels)
		}
	}
	walk(dashboard.Panels)

	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return queries, nil
}

// substitute replaces each variable reference in expr by its value.
func substitute(expr string, vars map[string]string) (string, error) {
	var missing []string
	expr = variable.ReplaceAllStringFunc(expr, func(reference string) string {
		match := variable.FindStringSubmatch(reference)
		name := match[1] + match[2]
		value, ok := vars[name]
		if !ok {
			missing = append(missing, name)
			return reference
		}
		return value
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("no value for variables %q", missing)
	}
	return expr, nil
}
