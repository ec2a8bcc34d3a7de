package collector

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/swr-exporter/swr_exporter/swr"
)

// sourceShareDeadlines is the scrape source that reads, for every
// repository the account shares, whom it is shared with and until when.
const sourceShareDeadlines = "share_deadlines"

var shareLabels = []string{"account", "namespace", "repository", "access_domain"}

var (
	shareExpiryDesc = prometheus.NewDesc(
		prometheus.BuildFQName(namespace, "repository_share", "expiry_timestamp_seconds"),
		"When the share of the account's repository with another account ends, in seconds "+
			"since the epoch; absent for a permanent share. Read again at most once per the "+
			"account's share_deadlines refresh_interval.",
		shareLabels, nil,
	)
	shareExpiredDesc = prometheus.NewDesc(
		prometheus.BuildFQName(namespace, "repository_share", "expired"),
		"Whether the share of the account's repository with another account has expired (1) "+
			"or is valid (0). Read again at most once per the account's share_deadlines "+
			"refresh_interval.",
		shareLabels, nil,
	)
	shareInfoDesc = prometheus.NewDesc(
		prometheus.BuildFQName(namespace, "repository_share", "info"),
		"Descriptive labels of the share of the account's repository with another account; "+
			"always 1.",
		append(shareLabels[:len(shareLabels):len(shareLabels)], "permit", "permanent",
			"creator_name"),
		nil,
	)
)

// shareResult is what the share_deadlines source gave on one pass.
type shareResult struct {
	// repositories holds, in the order of the self list, the shares of each
	// repository whose shares are known (fresh, or read within the refresh
	// interval).
	repositories []repositoryShares
	err          error
	duration     time.Duration
}

type repositoryShares struct {
	namespace, repository string
	domains               []swr.AccessDomain
}

// deadlineCache keeps each repository's shares for the refresh interval:
// deadlines change rarely, and reading them costs one request a repository.
type deadlineCache struct {
	mu      sync.Mutex
	entries map[string]deadlineEntry
}

type deadlineEntry struct {
	domains []swr.AccessDomain
	read    time.Time
}

// readShares reads the shares of every repository in self that the cache
// does not hold fresh, with at most the account's concurrency in flight.
// Repositories that fail are left out and make the source fail; the others
// are still exported.
func (s *Scraper) readShares(ctx context.Context, self []swr.Repository) shareResult {
	start := time.Now()
	refresh := time.Duration(s.account.ShareDeadlines.RefreshInterval)
	result := shareResult{repositories: make([]repositoryShares, len(self))}

	var (
		mu       sync.Mutex
		failures int
		firstErr error
		wg       sync.WaitGroup
		slots    = make(chan struct{}, s.account.Concurrency)
	)
	for i, repository := range self {
		result.repositories[i] = repositoryShares{namespace: repository.Namespace,
			repository: repository.Name}
		if domains, ok := s.deadlines.fresh(repository.Key(), start, refresh); ok {
			result.repositories[i].domains = domains
			continue
		}
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			domains, err := s.client.ListAccessDomains(ctx, repository.Namespace,
				repository.Name)

			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failures++
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			s.deadlines.put(repository.Key(), domains, time.Now())
			result.repositories[i].domains = domains
		})
	}
	wg.Wait()

	s.deadlines.retain(self)
	if failures > 0 {
		result.err = fmt.Errorf("reading shares of %d of %d repositories of account %q: %w",
			failures, len(self), s.account.Name, firstErr)
	}
	result.duration = time.Since(start)
	return result
}

func (c *deadlineCache) fresh(key string, now time.Time, refresh time.Duration) (
	[]swr.AccessDomain, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	entry, ok := c.entries[key]
	if !ok || now.Sub(entry.read) >= refresh {
		return nil, false
	}
	return entry.domains, true
}

func (c *deadlineCache) put(key string, domains []swr.AccessDomain, read time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]deadlineEntry{}
	}
	c.entries[key] = deadlineEntry{domains: domains, read: read}
}

// copyEntries hands the cache to the scraper that replaces this one on a
// reload.
func (c *deadlineCache) copyEntries() map[string]deadlineEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.entries)
}

// retain forgets the repositories that are no longer shared.
func (c *deadlineCache) retain(self []swr.Repository) {
	keep := make(map[string]bool, len(self))
	for _, repository := range self {
		keep[repository.Key()] = true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for key := range c.entries {
		if !keep[key] {
			delete(c.entries, key)
		}
	}
}

// emitShares sends the series of every known share. A deadline the
// exporter cannot read leaves out the expiry series only.
func emitShares(ch chan<- prometheus.Metric, account string, result shareResult) {
	seen := map[[3]string]bool{}
	for _, repository := range result.repositories {
		for _, domain := range repository.domains {
			key := [3]string{labelValue(repository.namespace), labelValue(repository.repository),
				labelValue(domain.AccessDomain)}
			if seen[key] {
				continue
			}
			seen[key] = true
			labels := []string{account, key[0], key[1], key[2]}

			if end, ok, err := swr.ParseDeadline(domain.Deadline); err == nil && ok {
				ch <- prometheus.MustNewConstMetric(shareExpiryDesc, prometheus.GaugeValue,
					float64(end.Unix()), labels...)
			}
			ch <- prometheus.MustNewConstMetric(shareExpiredDesc, prometheus.GaugeValue,
				boolValue(!domain.Status), labels...)
			ch <- prometheus.MustNewConstMetric(shareInfoDesc, prometheus.GaugeValue, 1,
				append(labels, labelValue(domain.Permit),
					strconv.FormatBool(domain.Permanent()),
					labelValue(domain.CreatorName))...)
		}
	}
}
