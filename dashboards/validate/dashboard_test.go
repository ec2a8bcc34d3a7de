// Package validate checks the shipped Grafana dashboard against the schema of
// the Grafana Foundation SDK. It is a module of its own so that the SDK stays
// out of the exporter's dependencies; run it with
// `cd dashboards/validate && go test ./...`.
package validate

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
)

const dashboardFile = "../swr.json"

// minSchemaVersion is the oldest dashboard schema the file may declare; an
// older one would have Grafana migrate the panels on every load.
const minSchemaVersion = 39

func init() {
	// Registers the options and field config of every core panel and the
	// queries of every core data source, so that they are read strictly too.
	plugins.RegisterDefaultPlugins()
}

func TestDashboard(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	board, err := load(raw)
	if err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}

	if board.Uid == nil || *board.Uid != "swr-exporter" {
		t.Errorf("uid = %v, want swr-exporter", board.Uid)
	}
	if board.Title == nil || *board.Title != "SWR shared repositories" {
		t.Errorf("title = %v, want SWR shared repositories", board.Title)
	}
	if board.SchemaVersion < minSchemaVersion {
		t.Errorf("schemaVersion = %d, want at least %d", board.SchemaVersion, minSchemaVersion)
	}
}

// TestLoadRejects makes sure load is strict: each case spoils the real
// dashboard in one place.
func TestLoadRejects(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		spoil func(board map[string]any)
		want  string
	}{
		{
			name:  "unknown dashboard field",
			spoil: func(board map[string]any) { board["titel"] = "typo" },
			want:  "unexpected field 'titel'",
		},
		{
			name:  "unknown panel field",
			spoil: func(board map[string]any) { firstPanel(t, board)["tittle"] = "typo" },
			want:  "unexpected field 'tittle'",
		},
		{
			name: "unknown option of the panel type",
			spoil: func(board map[string]any) {
				firstPanel(t, board)["options"].(map[string]any)["textMod"] = "auto"
			},
			want: "unexpected field 'textMod'",
		},
		{
			name: "option of the panel type missing",
			spoil: func(board map[string]any) {
				delete(firstPanel(t, board)["options"].(map[string]any), "reduceOptions")
			},
			want: "reduceOptions: required field is missing",
		},
		{
			name:  "unknown panel type",
			spoil: func(board map[string]any) { firstPanel(t, board)["type"] = "singlestat" },
			want:  `panel type "singlestat" is not a known panel`,
		},
		{
			name: "unknown field in a collapsed row",
			spoil: func(board map[string]any) {
				nested := collapsedRow(t, board)["panels"].([]any)
				nested[0].(map[string]any)["gridPosition"] = map[string]any{}
			},
			want: "unexpected field 'gridPosition'",
		},
		{
			name: "unknown field of a Prometheus query",
			spoil: func(board map[string]any) {
				targets := firstPanel(t, board)["targets"].([]any)
				targets[0].(map[string]any)["expression"] = "up"
			},
			want: "unexpected field 'expression'",
		},
		{
			name: "query of no known data source",
			spoil: func(board map[string]any) {
				targets := firstPanel(t, board)["targets"].([]any)
				delete(targets[0].(map[string]any), "datasource")
			},
			want: "targets[0] is not a Prometheus query",
		},
		{
			name:  "schemaVersion missing",
			spoil: func(board map[string]any) { delete(board, "schemaVersion") },
			want:  "schemaVersion: required field is missing",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var board map[string]any
			if err := json.Unmarshal(raw, &board); err != nil {
				t.Fatal(err)
			}
			tt.spoil(board)
			spoilt, err := json.Marshal(board)
			if err != nil {
				t.Fatal(err)
			}

			_, err = load(spoilt)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("load() error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// firstPanel is the first panel of the dashboard that is not a row.
func firstPanel(t *testing.T, board map[string]any) map[string]any {
	t.Helper()
	for _, panel := range board["panels"].([]any) {
		if panel := panel.(map[string]any); panel["type"] != "row" {
			return panel
		}
	}
	t.Fatal("no panel outside a row")
	return nil
}

// collapsedRow is the first collapsed row of the dashboard.
func collapsedRow(t *testing.T, board map[string]any) map[string]any {
	t.Helper()
	for _, panel := range board["panels"].([]any) {
		if panel := panel.(map[string]any); panel["type"] == "row" && panel["collapsed"] == true {
			return panel
		}
	}
	t.Fatal("no collapsed row")
	return nil
}

// load reads a dashboard strictly and validates it, then checks each panel
// on its own for what the SDK lets pass: a panel type it does not know has
// its options taken as they are, and a query of no known data source is kept
// as an untyped bag.
//
// The panels are read again because Dashboard.UnmarshalJSONStrict of v0.0.22
// reports their errors but keeps neither them nor their options and
// queries: a part read without error comes back with an empty but non-nil
// error list, on which its parent drops it. Their Validate never runs.
//
// dashboard.Dashboard is deprecated in favour of dashboardv2, but swr.json
// is a classic dashboard (schemaVersion 39, the JSON Grafana imports), which
// only the deprecated type describes.
//
//nolint:staticcheck // SA1019: see above.
func load(raw []byte) (*dashboard.Dashboard, error) {
	var board dashboard.Dashboard
	if err := nonEmpty(board.UnmarshalJSONStrict(raw)); err != nil {
		return nil, err
	}
	if err := board.Validate(); err != nil {
		return nil, err
	}

	panels, err := rawPanels(raw)
	if err != nil {
		return nil, err
	}
	for i, rawPanel := range panels {
		if err := checkPanel(rawPanel); err != nil {
			return nil, fmt.Errorf("panel %d (rows' panels included): %w", i, err)
		}
	}
	return &board, nil
}

// rawPanels returns the dashboard's panels other than rows, those inside
// collapsed rows included, after checking the rows themselves.
func rawPanels(raw []byte) ([]json.RawMessage, error) {
	var board struct {
		Panels []json.RawMessage `json:"panels"`
	}
	if err := json.Unmarshal(raw, &board); err != nil {
		return nil, err
	}

	var panels []json.RawMessage
	for _, rawPanel := range board.Panels {
		var row struct {
			Type   string            `json:"type"`
			Title  string            `json:"title"`
			Panels []json.RawMessage `json:"panels"`
		}
		if err := json.Unmarshal(rawPanel, &row); err != nil {
			return nil, err
		}
		if row.Type != "row" {
			panels = append(panels, rawPanel)
			continue
		}

		var rowPanel dashboard.RowPanel
		if err := nonEmpty(rowPanel.UnmarshalJSONStrict(rawPanel)); err != nil {
			return nil, fmt.Errorf("row %q: %w", row.Title, err)
		}
		if err := rowPanel.Validate(); err != nil {
			return nil, fmt.Errorf("row %q: %w", row.Title, err)
		}
		panels = append(panels, row.Panels...)
	}
	return panels, nil
}

// checkPanel reads one panel strictly, validates it, and requires a panel
// type the SDK knows and only Prometheus queries.
func checkPanel(raw json.RawMessage) error {
	var panel dashboard.Panel
	if err := nonEmpty(panel.UnmarshalJSONStrict(raw)); err != nil {
		return err
	}
	if err := panel.Validate(); err != nil {
		return err
	}
	if _, ok := cog.ConfigForPanelcfgVariant(panel.Type); !ok {
		return fmt.Errorf("panel type %q is not a known panel", panel.Type)
	}

	var targets struct {
		Targets []json.RawMessage `json:"targets"`
	}
	if err := json.Unmarshal(raw, &targets); err != nil {
		return err
	}
	for i, target := range targets.Targets {
		var query prometheus.Dataquery
		if err := nonEmpty(query.UnmarshalJSONStrict(target)); err != nil {
			return fmt.Errorf("targets[%d]: %w", i, err)
		}
		if err := query.Validate(); err != nil {
			return fmt.Errorf("targets[%d]: %w", i, err)
		}
		if query.Datasource == nil || query.Datasource.Type == nil ||
			*query.Datasource.Type != "prometheus" {
			return fmt.Errorf("targets[%d] is not a Prometheus query: its datasource is "+
				"not of type prometheus", i)
		}
	}
	return nil
}

// nonEmpty returns err unless it is an empty list of errors: the SDK's
// strict unmarshalling returns its list even when nothing went wrong.
func nonEmpty(err error) error {
	var errs cog.BuildErrors
	if errors.As(err, &errs) && len(errs) == 0 {
		return nil
	}
	return err
}
