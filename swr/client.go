package swr

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Defaults of a Client; the exporter's configuration overrides them.
const (
	DefaultPageSize     = 1000
	MaxPageSize         = 1000
	DefaultConcurrency  = 4
	DefaultMaxBodyBytes = 64 << 20
)

// Names of the API calls, as EndpointFromContext reports them.
const (
	EndpointSharedRepositories = "shared-repositories"
	EndpointAccessDomains      = "access-domains"
)

// RetryPolicy says how often and how long to retry a request that failed
// for a reason that may pass: a 429, 500, 502, 503 or 504, or a connection
// broken before the whole answer arrived.
type RetryPolicy struct {
	// MaxAttempts counts the first try; 1 disables retries.
	MaxAttempts int
	// BaseDelay is the backoff before the second try; it doubles each time
	// up to MaxDelay, and each wait is drawn at random below it (full
	// jitter) so that many clients throttled together spread out.
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// MaxRetryAfter is the longest Retry-After the client waits for when the
	// context has no deadline to bound it.
	MaxRetryAfter time.Duration
}

// DefaultRetryPolicy retries three times within a few seconds.
var DefaultRetryPolicy = RetryPolicy{
	MaxAttempts:   4,
	BaseDelay:     250 * time.Millisecond,
	MaxDelay:      4 * time.Second,
	MaxRetryAfter: time.Minute,
}

// Client reads the shared-repository calls of one account's SWR endpoint.
// It is safe for concurrent use.
type Client struct {
	endpoint    *url.URL
	httpClient  *http.Client
	pageSize    int
	concurrency int
	// inflight holds a token for each request on the wire, so that all the
	// calls made at once stay within concurrency together.
	inflight     chan struct{}
	retry        RetryPolicy
	maxBodyBytes int64
	logger       *slog.Logger
	jitter       func(time.Duration) time.Duration
}

// Option changes a Client built by NewClient.
type Option func(*Client)

// WithPageSize sets the limit of each page of a list, 1 to MaxPageSize.
func WithPageSize(n int) Option {
	return func(c *Client) { c.pageSize = n }
}

// WithConcurrency bounds the requests the client has in flight, all its
// calls together.
func WithConcurrency(n int) Option {
	return func(c *Client) { c.concurrency = n }
}

// WithRetryPolicy replaces DefaultRetryPolicy.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *Client) { c.retry = p }
}

// WithMaxBodyBytes bounds the size of one answer.
func WithMaxBodyBytes(n int64) Option {
	return func(c *Client) { c.maxBodyBytes = n }
}

// WithLogger makes the client log each page it fetches at debug level.
func WithLogger(logger *slog.Logger) Option {
	return func(c *Client) { c.logger = logger }
}

// NewClient returns a client for the SWR API at endpoint (a URL such as
// https://swr-api.eu-de.otc.t-systems.com; see RegionEndpoint). The
// httpClient must authenticate requests, normally through a Transport; its
// Timeout should be zero, as every call takes a context instead.
func NewClient(endpoint string, httpClient *http.Client, opts ...Option) (*Client, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, fmt.Errorf("parsing endpoint: %w", err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("endpoint %q is not an http(s) URL with a host", SanitizeURL(u))
	}
	u.Path = strings.TrimSuffix(u.Path, "/")

	c := &Client{
		endpoint:     u,
		httpClient:   httpClient,
		pageSize:     DefaultPageSize,
		concurrency:  DefaultConcurrency,
		retry:        DefaultRetryPolicy,
		maxBodyBytes: DefaultMaxBodyBytes,
		logger:       slog.New(slog.DiscardHandler),
		jitter:       fullJitter,
	}
	for _, opt := range opts {
		opt(c)
	}

	if c.pageSize < 1 || c.pageSize > MaxPageSize {
		return nil, fmt.Errorf("page size %d is not within 1..%d", c.pageSize, MaxPageSize)
	}
	if c.concurrency < 1 {
		return nil, fmt.Errorf("concurrency %d is below 1", c.concurrency)
	}
	c.inflight = make(chan struct{}, c.concurrency)
	if c.retry.MaxAttempts < 1 {
		c.retry.MaxAttempts = 1
	}
	if c.httpClient == nil {
		return nil, errors.New("no HTTP client")
	}
	return c, nil
}

var regionPattern = regexp.MustCompile(`^[a-z]{2,}(-[a-z0-9]+)+$`)

// RegionEndpoint returns the SWR API endpoint of a region: Open Telekom
// Cloud's for eu-de and eu-nl, Huawei Cloud's for any other.
func RegionEndpoint(region string) (string, error) {
	if !regionPattern.MatchString(region) {
		return "", fmt.Errorf("region %q does not look like a region name such as ap-southeast-3",
			region)
	}
	switch region {
	case "eu-de", "eu-nl":
		return "https://swr-api." + region + ".otc.t-systems.com", nil
	case "eu-west-101":
		return "https://swr-api." + region + ".myhuaweicloud.eu", nil
	}
	return "https://swr-api." + region + ".myhuaweicloud.com", nil
}

// Endpoint returns the base URL the client sends to.
func (c *Client) Endpoint() string {
	return c.endpoint.String()
}

type endpointKey struct{}

// EndpointFromContext names the API call a request belongs to
// (EndpointSharedRepositories or EndpointAccessDomains), for transports that
// count requests per call. It is empty for requests of other origin.
func EndpointFromContext(ctx context.Context) string {
	name, _ := ctx.Value(endpointKey{}).(string)
	return name
}

// get sends a GET for path and query, retrying as the policy allows, and
// returns the body of the 2xx answer and its headers.
func (c *Client) get(ctx context.Context, endpoint, path string, query url.Values) (
	[]byte, http.Header, error) {
	u := *c.endpoint
	u.Path += path
	u.RawQuery = query.Encode()
	ctx = context.WithValue(ctx, endpointKey{}, endpoint)

	for attempt := 1; ; attempt++ {
		body, header, err := c.getOnce(ctx, &u)
		if err == nil {
			return body, header, nil
		}

		wait, retry := c.retryWait(ctx, err, attempt)
		if !retry {
			return nil, nil, err
		}
		c.logger.Debug("retrying SWR request", "url", SanitizeURL(&u), "attempt", attempt,
			"wait", wait, "err", err)
		if waitErr := sleep(ctx, wait); waitErr != nil {
			return nil, nil, fmt.Errorf("%w (stopped retrying: %w)", err, waitErr)
		}
	}
}

// getOnce makes one request, once one of the client's concurrency slots is
// free, and reads its answer within the size limit.
func (c *Client) getOnce(ctx context.Context, u *url.URL) ([]byte, http.Header, error) {
	select {
	case c.inflight <- struct{}{}:
		defer func() { <-c.inflight }()
	case <-ctx.Done():
		return nil, nil, &url.Error{Op: "GET", URL: SanitizeURL(u), Err: ctx.Err()}
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("building request: %w", err)
	}
	req.Header.Set("Accept", "application/json")

	resp, err := c.httpClient.Do(req)
	if err != nil {
		return nil, nil, &url.Error{Op: "GET", URL: SanitizeURL(u), Err: unwrapURLError(err)}
	}
	defer func() { _ = resp.Body.Close() }()

	if err := CheckResponse(resp); err != nil {
		return nil, nil, err
	}
	if resp.ContentLength > c.maxBodyBytes {
		return nil, nil, fmt.Errorf("GET %s: %w (%d bytes announced, limit %d)",
			SanitizeURL(u), ErrBodyTooLarge, resp.ContentLength, c.maxBodyBytes)
	}

	body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBodyBytes+1))
	if err != nil {
		return nil, nil, &bodyError{url: SanitizeURL(u), err: err}
	}
	if int64(len(body)) > c.maxBodyBytes {
		return nil, nil, fmt.Errorf("GET %s: %w (limit %d bytes)", SanitizeURL(u),
			ErrBodyTooLarge, c.maxBodyBytes)
	}
	return body, resp.Header, nil
}

// unwrapURLError drops the url.Error that http.Client adds, whose URL has
// not been sanitized, keeping what it wraps.
func unwrapURLError(err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return urlErr.Err
	}
	return err
}

// bodyError is a connection that broke while the answer was being read.
type bodyError struct {
	url string
	err error
}

func (e *bodyError) Error() string {
	return fmt.Sprintf("GET %s: reading response body: %v", e.url, e.err)
}

func (e *bodyError) Unwrap() error { return e.err }

// retryWait decides whether err is worth another attempt and how long to
// wait first. It refuses when the wait would end past the context's
// deadline, so retries never outlive the scrape.
func (c *Client) retryWait(ctx context.Context, err error, attempt int) (time.Duration, bool) {
	if attempt >= c.retry.MaxAttempts || ctx.Err() != nil || !retryable(err) {
		return 0, false
	}

	wait := c.jitter(c.backoff(attempt))
	var rateLimit *RateLimitError
	if errors.As(err, &rateLimit) && rateLimit.RetryAfter > 0 {
		wait = rateLimit.RetryAfter
	}

	if deadline, ok := ctx.Deadline(); ok {
		if time.Until(deadline) <= wait {
			return 0, false
		}
	} else if wait > c.retry.MaxRetryAfter {
		return 0, false
	}
	return wait, true
}

// retryable reports whether the request may succeed if sent again.
func retryable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var errResp *ErrorResponse
	if errors.As(err, &errResp) {
		return errResp.Temporary()
	}
	var body *bodyError
	var urlErr *url.Error
	return errors.As(err, &body) || errors.As(err, &urlErr)
}

// backoff is the ceiling of the wait before attempt+1.
func (c *Client) backoff(attempt int) time.Duration {
	wait := c.retry.BaseDelay
	for i := 1; i < attempt && wait < c.retry.MaxDelay; i++ {
		wait *= 2
	}
	return min(wait, c.retry.MaxDelay)
}

func fullJitter(ceiling time.Duration) time.Duration {
	if ceiling <= 0 {
		return 0
	}
	return rand.N(ceiling) //nolint:gosec // G404: jitter spreads retries, it guards nothing
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
