package collector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/swr-exporter/swr_exporter/config"
	"github.com/swr-exporter/swr_exporter/swr"
)

// Exporter holds a Scraper per configured account and survives reloads.
type Exporter struct {
	metrics *APIMetrics
	logger  *slog.Logger

	mu       sync.RWMutex
	scrapers []*Scraper
}

// NewExporter returns an Exporter with no accounts; see Apply.
func NewExporter(metrics *APIMetrics, logger *slog.Logger) *Exporter {
	return &Exporter{metrics: metrics, logger: logger}
}

// Apply replaces the accounts with those of cfg. On error the accounts in
// use stay. The last status of an account that stays is kept.
func (e *Exporter) Apply(cfg *config.Config) error {
	scrapers := make([]*Scraper, 0, len(cfg.Accounts))
	for i := range cfg.Accounts {
		scraper, err := newScraper(&cfg.Accounts[i], e.metrics, e.logger)
		if err != nil {
			return err
		}
		scrapers = append(scrapers, scraper)
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	for _, scraper := range scrapers {
		for _, old := range e.scrapers {
			if old.account.Name == scraper.account.Name {
				scraper.status = old.Status()
				scraper.deadlines.entries = old.deadlines.copyEntries()
			}
		}
	}
	for _, old := range e.scrapers {
		old.close()
	}
	e.scrapers = scrapers
	return nil
}

// Close drops the idle upstream connections of every account.
func (e *Exporter) Close() {
	e.mu.RLock()
	defer e.mu.RUnlock()
	for _, scraper := range e.scrapers {
		scraper.close()
	}
}

// ErrUnknownAccount is returned, wrapped, for an account name that is not
// configured.
var ErrUnknownAccount = fmt.Errorf("unknown account")

// Collector returns a collector of one account, or of all when name is
// empty, whose scrape is bounded by ctx.
func (e *Exporter) Collector(ctx context.Context, name string) (*Collector, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if name == "" {
		return &Collector{ctx: ctx, scrapers: e.scrapers}, nil
	}
	for _, scraper := range e.scrapers {
		if scraper.account.Name == name {
			return &Collector{ctx: ctx, scrapers: []*Scraper{scraper}}, nil
		}
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownAccount, name)
}

// Statuses returns the last scrape of every account, in config order.
func (e *Exporter) Statuses() []Status {
	e.mu.RLock()
	defer e.mu.RUnlock()
	statuses := make([]Status, 0, len(e.scrapers))
	for _, scraper := range e.scrapers {
		statuses = append(statuses, scraper.Status())
	}
	return statuses
}

// Collector scrapes a set of accounts in parallel when collected. It is
// also a Gatherer, which is what the HTTP endpoints use: a pass over an
// account is turned into metric families once, and every scrape that
// shared the pass serves those same families.
type Collector struct {
	ctx      context.Context
	scrapers []*Scraper
}

// Describe sends every descriptor the collector can emit.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, desc := range allDescs {
		ch <- desc
	}
}

// Collect reads every account and emits its metrics. A source that fails
// yields scrape_success 0 and no series of its own; the others are still
// emitted.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	var wg sync.WaitGroup
	for _, scraper := range c.scrapers {
		wg.Go(func() {
			emitAccount(ch, scraper.account.Name, scraper.scrape(c.ctx))
		})
	}
	wg.Wait()
}

// Gather reads every account, in parallel, and returns their metric
// families, each account's built once per upstream pass.
func (c *Collector) Gather() ([]*dto.MetricFamily, error) {
	perAccount := make([][]*dto.MetricFamily, len(c.scrapers))
	errs := make([]error, len(c.scrapers))
	var wg sync.WaitGroup
	for i, scraper := range c.scrapers {
		wg.Go(func() {
			perAccount[i], errs[i] = scraper.scrape(c.ctx).families(scraper.account.Name)
		})
	}
	wg.Wait()
	return mergeFamilies(perAccount...), errors.Join(errs...)
}

// families gathers the pass's metrics the first time it is asked: the few
// about the scrape through a registry, the many about repositories built
// by repositoryFamilies.
func (r *snapshot) families(account string) ([]*dto.MetricFamily, error) {
	r.gatherOnce.Do(func() {
		registry := prometheus.NewRegistry()
		registry.MustRegister(snapshotCollector{account: account, result: r})
		var scrape []*dto.MetricFamily
		scrape, r.gatherErr = registry.Gather()
		r.gathered = mergeFamilies(scrape, repositoryFamilies(account, r.sources))
	})
	return r.gathered, r.gatherErr
}

// snapshotCollector emits what a finished pass says about the scrape and
// the shares: everything but the per-repository series.
type snapshotCollector struct {
	account string
	result  *snapshot
}

func (s snapshotCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, desc := range allDescs {
		ch <- desc
	}
}

func (s snapshotCollector) Collect(ch chan<- prometheus.Metric) {
	emitScrape(ch, s.account, s.result)
}

// Concat is a Gatherer of the families of several gatherers whose series
// never collide, such as the exporter's own registry and the accounts'
// scrape. Unlike prometheus.Gatherers it does not check every series
// again, which for an account of many repositories is most of the cost.
func Concat(gatherers ...prometheus.Gatherer) prometheus.Gatherer {
	return prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
		lists := make([][]*dto.MetricFamily, 0, len(gatherers))
		var errs []error
		for _, g := range gatherers {
			families, err := g.Gather()
			lists = append(lists, families)
			errs = append(errs, err)
		}
		return mergeFamilies(lists...), errors.Join(errs...)
	})
}

// mergeFamilies joins lists of families sorted by name into one, putting
// the series of families of the same name together. The families it is
// given are shared with other scrapes and are never modified.
func mergeFamilies(lists ...[]*dto.MetricFamily) []*dto.MetricFamily {
	if len(lists) == 1 {
		return lists[0]
	}
	byName := map[string]*dto.MetricFamily{}
	var merged []*dto.MetricFamily
	for _, families := range lists {
		for _, family := range families {
			existing, ok := byName[family.GetName()]
			if !ok {
				byName[family.GetName()] = family
				merged = append(merged, family)
				continue
			}
			joined := &dto.MetricFamily{Name: existing.Name, Help: existing.Help,
				Type: existing.Type, Unit: existing.Unit}
			joined.Metric = append(slices.Clip(existing.Metric), family.Metric...)
			byName[family.GetName()] = joined
			merged[slices.Index(merged, existing)] = joined
		}
	}
	slices.SortFunc(merged, func(a, b *dto.MetricFamily) int {
		return strings.Compare(a.GetName(), b.GetName())
	})
	return merged
}

// emitAccount sends every series of a pass.
func emitAccount(ch chan<- prometheus.Metric, account string, result *snapshot) {
	emitScrape(ch, account, result)
	for _, source := range result.sources {
		if source.err != nil {
			continue
		}
		for _, repository := range source.repositories {
			emitRepository(ch, account, source.sharedBy, repository)
		}
	}
}

// emitScrape sends the series about the pass itself, per source, and the
// shares of the account's repositories.
func emitScrape(ch chan<- prometheus.Metric, account string, result *snapshot) {
	up := 1.0
	for _, source := range result.sources {
		sharedBy := string(source.sharedBy)
		success := 1.0
		if source.err != nil {
			success, up = 0, 0
		}
		ch <- prometheus.MustNewConstMetric(scrapeSuccessDesc, prometheus.GaugeValue, success,
			account, sharedBy)
		ch <- prometheus.MustNewConstMetric(scrapeDurationDesc, prometheus.GaugeValue,
			source.duration.Seconds(), account, sharedBy)
		if source.err == nil {
			ch <- prometheus.MustNewConstMetric(sharedRepositoriesDesc, prometheus.GaugeValue,
				float64(len(source.repositories)), account, sharedBy)
		}
	}
	if shares := result.shares; shares != nil {
		success := 1.0
		if shares.err != nil {
			success, up = 0, 0
		}
		ch <- prometheus.MustNewConstMetric(scrapeSuccessDesc, prometheus.GaugeValue, success,
			account, sourceShareDeadlines)
		ch <- prometheus.MustNewConstMetric(scrapeDurationDesc, prometheus.GaugeValue,
			shares.duration.Seconds(), account, sourceShareDeadlines)
		emitShares(ch, account, *shares)
	}
	ch <- prometheus.MustNewConstMetric(upDesc, prometheus.GaugeValue, up, account)
}

// emitRepository sends the series of one repository whose strings are
// already safe as label values (see labelSafe).
func emitRepository(ch chan<- prometheus.Metric, account string, sharedBy swr.SharedBy,
	repository swr.Repository) {
	labels := []string{account, string(sharedBy), repository.Namespace, repository.Name}
	send := func(metric *repositoryMetric, valueType prometheus.ValueType, value float64) {
		// promlinter cannot follow metric.desc; CollectAndLint checks these in the tests.
		ch <- prometheus.MustNewConstMetric(metric.desc, valueType, value, //nolint:promlinter
			labels...)
	}

	if size, ok := count(repository.Size); ok {
		send(repositorySize, prometheus.GaugeValue, size)
	}
	if tags, ok := count(repository.NumImages); ok {
		send(repositoryTags, prometheus.GaugeValue, tags)
	}
	if downloads, ok := count(repository.NumDownload); ok {
		send(repositoryDownloads, prometheus.CounterValue, downloads)
	}
	if sharedBy == swr.ThirdParty {
		send(repositoryExpired, prometheus.GaugeValue, boolValue(!repository.Status))
	}
	ch <- prometheus.MustNewConstMetric(repositoryInfo.desc, //nolint:promlinter // as above
		prometheus.GaugeValue, 1,
		append(labels, repository.DomainName, repository.Category,
			strconv.FormatBool(repository.IsPublic), repository.Path,
			repository.InternalPath)...)
	if created, ok := timestamp(repository.CreatedAt); ok {
		send(repositoryCreated, prometheus.GaugeValue, created)
	}
	if updated, ok := timestamp(repository.UpdatedAt); ok {
		send(repositoryUpdated, prometheus.GaugeValue, updated)
	}
}

// labelSafe makes the strings of the repositories that become label values
// valid UTF-8, in place: one invalid byte would fail the whole exposition.
// Names that differ only in such bytes become the same, and then only the
// first of them is kept, since the second would be a duplicate series.
func labelSafe(repositories []swr.Repository) []swr.Repository {
	changed := false
	for i := range repositories {
		r := &repositories[i]
		for _, s := range []*string{&r.Namespace, &r.Name, &r.DomainName, &r.Category, &r.Path,
			&r.InternalPath} {
			if !utf8.ValidString(*s) {
				*s = labelValue(*s)
				changed = true
			}
		}
	}
	if !changed {
		// The client returns each namespace and name once.
		return repositories
	}

	seen := make(map[[2]string]bool, len(repositories))
	return slices.DeleteFunc(repositories, func(r swr.Repository) bool {
		key := [2]string{r.Namespace, r.Name}
		if seen[key] {
			return true
		}
		seen[key] = true
		return false
	})
}

// labelValue makes a string from the API safe as a label value.
func labelValue(s string) string {
	return strings.ToValidUTF8(s, "\uFFFD")
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
