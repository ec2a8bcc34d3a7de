package collector

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	promconfig "github.com/prometheus/common/config"

	"github.com/swr-exporter/swr_exporter/config"
	"github.com/swr-exporter/swr_exporter/swr"
)

// sourceResult is what one source of an account gave on one scrape.
type sourceResult struct {
	sharedBy     swr.SharedBy
	repositories []swr.Repository
	err          error
	duration     time.Duration
}

// snapshot is one upstream pass over an account: every configured source.
type snapshot struct {
	start   time.Time
	sources []sourceResult
	// shares is nil when the account does not read share deadlines.
	shares *shareResult

	// The pass's metric families, built once for all the scrapes that
	// share it; see families.
	gatherOnce sync.Once
	gathered   []*dto.MetricFamily
	gatherErr  error
}

// passMargin is how long before the scrape's deadline an upstream pass
// stops, to leave time to build the answer from what was read.
const passMargin = 100 * time.Millisecond

// fetchCall is an upstream pass in progress, which later scrapes join.
type fetchCall struct {
	done   chan struct{}
	result *snapshot
}

// Scraper reads one account. Scrapes that arrive while a pass is running
// wait for that pass instead of starting their own, so twenty concurrent
// scrapes cost the API what one does.
type Scraper struct {
	account   *config.Account
	client    *swr.Client
	transport http.RoundTripper
	logger    *slog.Logger

	mu       sync.Mutex
	inflight *fetchCall
	status   Status

	deadlines deadlineCache
}

// Status is what the landing page shows of an account's last scrape.
type Status struct {
	Account      string
	Time         time.Time
	Duration     time.Duration
	Success      bool
	Repositories map[swr.SharedBy]int
	Errors       []string
}

// newScraper builds the account's API client: TLS and proxy from the
// account's settings, each request counted in metrics, then signed.
func newScraper(account *config.Account, metrics *APIMetrics, logger *slog.Logger) (
	*Scraper, error) {
	base, err := promconfig.NewRoundTripperFromConfig(account.HTTPClientConfig(), "swr_exporter")
	if err != nil {
		return nil, fmt.Errorf("account %q: building HTTP transport: %w", account.Name, err)
	}
	labels := prometheus.Labels{"account": account.Name}
	byEndpoint := promhttp.WithLabelFromCtx("endpoint", swr.EndpointFromContext)
	instrumented := promhttp.InstrumentRoundTripperCounter(
		metrics.requests.MustCurryWith(labels),
		promhttp.InstrumentRoundTripperDuration(metrics.duration.MustCurryWith(labels), base,
			byEndpoint),
		byEndpoint,
	)
	httpClient := &http.Client{
		Transport: &swr.Transport{
			Credentials: account.Credentials(),
			ProjectID:   account.ProjectID,
			Base:        instrumented,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}

	logger = logger.With("account", account.Name)
	client, err := swr.NewClient(account.APIEndpoint(), httpClient,
		swr.WithPageSize(account.PageSize),
		swr.WithConcurrency(account.Concurrency),
		swr.WithLogger(logger),
	)
	if err != nil {
		return nil, fmt.Errorf("account %q: %w", account.Name, err)
	}
	return &Scraper{
		account:   account,
		client:    client,
		transport: base,
		logger:    logger,
		status:    Status{Account: account.Name},
	}, nil
}

// close drops the idle connections of the account's transport, so that a
// scraper replaced on reload leaves no connection behind.
func (s *Scraper) close() {
	if closer, ok := s.transport.(interface{ CloseIdleConnections() }); ok {
		closer.CloseIdleConnections()
	}
}

// scrape returns the account's sources, joining a pass already under way.
// The pass runs to its own deadline even if this caller gives up first, so
// the callers sharing it are not cut short by the one that leaves.
func (s *Scraper) scrape(ctx context.Context) *snapshot {
	ctx, cancel := context.WithTimeout(ctx, time.Duration(s.account.Timeout))
	defer cancel()

	s.mu.Lock()
	call := s.inflight
	if call == nil {
		call = &fetchCall{done: make(chan struct{})}
		s.inflight = call
		deadline, _ := ctx.Deadline()
		go s.fetch(context.WithoutCancel(ctx), call, deadline)
	}
	s.mu.Unlock()

	select {
	case <-call.done:
		return call.result
	case <-ctx.Done():
		return s.failed(ctx.Err())
	}
}

// fetch makes one upstream pass, every source in parallel; share deadlines
// follow the self list as soon as it is read. The pass ends a little before
// the scrape's deadline so that a source that hangs fails on its own and
// the sources read in time are still exported. ctx must not be cancelled
// by any one caller of scrape: the pass is theirs to share.
func (s *Scraper) fetch(ctx context.Context, call *fetchCall, deadline time.Time) {
	margin := min(passMargin, time.Until(deadline)/10)
	ctx, cancel := context.WithDeadline(ctx, deadline.Add(-margin))
	defer cancel()

	result := &snapshot{start: time.Now(), sources: make([]sourceResult, len(s.account.SharedBy))}
	var (
		wg        sync.WaitGroup
		selfReady = make(chan struct{})
		self      sourceResult
	)
	for i, sharedBy := range s.account.SharedBy {
		wg.Go(func() {
			result.sources[i] = s.list(ctx, sharedBy)
			if sharedBy == swr.Self {
				self = result.sources[i]
				close(selfReady)
			}
		})
	}
	if s.account.ShareDeadlines.Enabled {
		wg.Go(func() {
			if slices.Contains(s.account.SharedBy, swr.Self) {
				<-selfReady
			} else {
				self = s.list(ctx, swr.Self)
			}
			shares := shareResult{err: self.err}
			if self.err == nil {
				shares = s.readShares(ctx, self.repositories)
			}
			result.shares = &shares
		})
	}
	wg.Wait()
	// Only now: the share deadlines were read by the names as the API sent them.
	for i := range result.sources {
		result.sources[i].repositories = labelSafe(result.sources[i].repositories)
	}

	s.report(result)
	s.mu.Lock()
	s.inflight = nil
	s.status = result.status(s.account.Name)
	s.mu.Unlock()
	call.result = result
	close(call.done)
}

// list reads one list of shared repositories.
func (s *Scraper) list(ctx context.Context, sharedBy swr.SharedBy) sourceResult {
	start := time.Now()
	repositories, err := s.client.ListShared(ctx, sharedBy)
	if err != nil {
		err = fmt.Errorf("listing %s shares of account %q: %w", sharedBy, s.account.Name, err)
	}
	return sourceResult{sharedBy: sharedBy, repositories: repositories, err: err,
		duration: time.Since(start)}
}

// report logs the pass: a warning per failed source, debug otherwise.
func (s *Scraper) report(result *snapshot) {
	for _, source := range result.sources {
		if source.err != nil {
			s.logger.Warn("reading SWR source failed", "shared_by", source.sharedBy,
				"err", source.err)
			continue
		}
		s.logger.Debug("read SWR source", "shared_by", source.sharedBy,
			"repositories", len(source.repositories), "duration", source.duration)
	}
	if result.shares == nil {
		return
	}
	if result.shares.err != nil {
		s.logger.Warn("reading SWR share deadlines failed", "err", result.shares.err)
		return
	}
	s.logger.Debug("read SWR share deadlines", "repositories", len(result.shares.repositories),
		"duration", result.shares.duration)
}

// failed is the snapshot of a scrape that gave up waiting for the pass.
func (s *Scraper) failed(err error) *snapshot {
	result := &snapshot{start: time.Now()}
	for _, sharedBy := range s.account.SharedBy {
		result.sources = append(result.sources, sourceResult{
			sharedBy: sharedBy,
			err: fmt.Errorf("listing %s shares of account %q: %w", sharedBy, s.account.Name,
				err),
		})
	}
	if s.account.ShareDeadlines.Enabled {
		result.shares = &shareResult{err: fmt.Errorf("reading shares of account %q: %w",
			s.account.Name, err)}
	}
	return result
}

func (r *snapshot) status(account string) Status {
	status := Status{
		Account:      account,
		Time:         r.start,
		Duration:     time.Since(r.start),
		Success:      true,
		Repositories: map[swr.SharedBy]int{},
	}
	for _, source := range r.sources {
		if source.err != nil {
			status.Success = false
			status.Errors = append(status.Errors, source.err.Error())
			continue
		}
		status.Repositories[source.sharedBy] = len(source.repositories)
	}
	if r.shares != nil && r.shares.err != nil {
		status.Success = false
		status.Errors = append(status.Errors, r.shares.err.Error())
	}
	return status
}

// Status returns what the last finished pass over the account found.
func (s *Scraper) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}
