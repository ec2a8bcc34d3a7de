package swr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxPages bounds one list, so that a server announcing an absurd total, or
// one that never sends a short page, cannot keep a scrape busy for ever.
const maxPages = 10000

// page is one answer of the shared-repositories call.
type page struct {
	offset       int
	repositories []Repository
	// total is the size of the list as of this read, when the answer said.
	total    int
	hasTotal bool
}

// ListShared returns every repository of one list (Self: those the account
// shares with others; ThirdParty: those shared with it), each (namespace,
// repository) once, in the API's order.
//
// The first page tells the total (the Content-Range header, else the body's
// total_range); the remaining pages are then fetched concurrently. When
// neither gives a total, pages are read one after another until a short or
// empty one. A list that grows while it is read announces a larger total on
// a later page, and reading goes on until the offset passes the largest
// total seen.
//
// API: GET /v2/manage/shared-repositories ("Querying Shared Images").
func (c *Client) ListShared(ctx context.Context, sharedBy SharedBy) ([]Repository, error) {
	if !sharedBy.Valid() {
		return nil, fmt.Errorf("unknown list %q: want %q or %q", sharedBy, Self, ThirdParty)
	}

	first, err := c.fetchPage(ctx, sharedBy, 0)
	if err != nil {
		return nil, err
	}

	var rest []page
	if first.hasTotal {
		rest, err = c.fetchToTotal(ctx, sharedBy, first.total)
	} else {
		rest, err = c.fetchToShortPage(ctx, sharedBy, first)
	}
	if err != nil {
		return nil, err
	}

	return uniqueRepositories(append(rest, first)), nil
}

// fetchToTotal reads the pages after the first with at most c.concurrency
// requests in flight. Each answer may raise the total; a worker with nothing
// left to fetch waits while others are in flight, since their answers may
// give it more.
func (c *Client) fetchToTotal(ctx context.Context, sharedBy SharedBy, total int) ([]page, error) {
	if err := c.checkTotal(total); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var (
		mu       sync.Mutex
		more     = sync.NewCond(&mu)
		next     = c.pageSize
		inflight int
		pages    []page
		firstErr error
		wg       sync.WaitGroup
	)
	worker := func() {
		mu.Lock()
		defer mu.Unlock()
		for {
			for firstErr == nil && next >= total && inflight > 0 {
				more.Wait()
			}
			if firstErr != nil || next >= total {
				more.Broadcast()
				return
			}
			offset := next
			next += c.pageSize
			inflight++
			mu.Unlock()

			fetched, err := c.fetchPage(ctx, sharedBy, offset)

			mu.Lock()
			inflight--
			switch {
			case err != nil && firstErr == nil:
				firstErr = err
				cancel()
			case err == nil:
				pages = append(pages, fetched)
				if fetched.hasTotal && fetched.total > total {
					total = fetched.total
					if err := c.checkTotal(total); err != nil && firstErr == nil {
						firstErr = err
						cancel()
					}
				}
			}
			more.Broadcast()
		}
	}

	for range c.concurrency {
		wg.Go(worker)
	}
	wg.Wait()
	return pages, firstErr
}

// checkTotal refuses a total that would take more than maxPages pages.
func (c *Client) checkTotal(total int) error {
	if total > maxPages*c.pageSize {
		return fmt.Errorf("the API announced %d repositories, more than %d pages of %d",
			total, maxPages, c.pageSize)
	}
	return nil
}

// fetchToShortPage reads pages one by one until one is short or empty, for
// an answer that gave no total to plan by.
func (c *Client) fetchToShortPage(ctx context.Context, sharedBy SharedBy, first page) (
	[]page, error) {
	var pages []page
	last := first
	for n := 1; len(last.repositories) >= c.pageSize; n++ {
		if n >= maxPages {
			return nil, fmt.Errorf("the %s list did not end within %d pages of %d", sharedBy,
				maxPages, c.pageSize)
		}
		var err error
		last, err = c.fetchPage(ctx, sharedBy, last.offset+c.pageSize)
		if err != nil {
			return nil, err
		}
		pages = append(pages, last)
	}
	return pages, nil
}

// fetchPage reads one page and works out the total it announces.
func (c *Client) fetchPage(ctx context.Context, sharedBy SharedBy, offset int) (page, error) {
	query := url.Values{
		"center": {string(sharedBy)},
		"limit":  {strconv.Itoa(c.pageSize)},
		"offset": {strconv.Itoa(offset)},
	}
	start := time.Now()
	body, header, err := c.get(ctx, EndpointSharedRepositories, "/v2/manage/shared-repositories",
		query)
	if err != nil {
		return page{}, err
	}

	repositories, err := DecodeRepositories(body)
	if err != nil {
		return page{}, fmt.Errorf("decoding %s page at offset %d: %w", sharedBy, offset, err)
	}

	fetched := page{offset: offset, repositories: repositories}
	fetched.total, fetched.hasTotal = pageTotal(header.Get("Content-Range"), offset, repositories)
	if end := offset + len(repositories); fetched.hasTotal && end > fetched.total {
		// The page holds more than the total allows, so the total is stale or
		// wrong; a full page may have more behind it.
		fetched.total = end
		if len(repositories) >= c.pageSize {
			fetched.total++
		}
	}
	c.logger.Debug("fetched SWR page", "shared_by", sharedBy, "offset", offset,
		"count", len(repositories), "total", fetched.total, "has_total", fetched.hasTotal,
		"duration", time.Since(start))
	return fetched, nil
}

// pageTotal returns the list's total as one answer gives it: from a
// Content-Range header that matches the page asked for, else from the
// body's total_range, which only a non-empty page can carry.
func pageTotal(contentRange string, offset int, repositories []Repository) (int, bool) {
	if r, err := ParseContentRange(contentRange); err == nil && r.Offset == offset {
		return r.Total, true
	}
	if len(repositories) > 0 && repositories[0].TotalRange > 0 &&
		repositories[0].TotalRange <= maxPages*MaxPageSize {
		return int(repositories[0].TotalRange), true
	}
	return 0, false
}

// ContentRange is the parsed Content-Range header of a page: its offset,
// the number of repositories on it and the size of the whole list.
type ContentRange struct {
	Offset, Count, Total int
}

// ParseContentRange reads the header the shared-repositories call sends,
// "offset-count/total".
func ParseContentRange(header string) (ContentRange, error) {
	span, total, found := strings.Cut(strings.TrimSpace(header), "/")
	if !found {
		return ContentRange{}, fmt.Errorf("content range %q has no total", header)
	}
	offset, count, found := strings.Cut(span, "-")
	if !found {
		return ContentRange{}, fmt.Errorf("content range %q has no offset-count", header)
	}

	var r ContentRange
	for _, field := range []struct {
		text  string
		value *int
	}{{offset, &r.Offset}, {count, &r.Count}, {total, &r.Total}} {
		n, err := strconv.Atoi(field.text)
		if err != nil || n < 0 {
			return ContentRange{}, fmt.Errorf("content range %q: %q is not a count", header,
				field.text)
		}
		*field.value = n
	}
	return r, nil
}

// DecodeRepositories decodes the body of a shared-repositories answer.
func DecodeRepositories(body []byte) ([]Repository, error) {
	var repositories []Repository
	if err := json.Unmarshal(body, &repositories); err != nil {
		return nil, describeJSONError(err, body)
	}
	return repositories, nil
}

// describeJSONError says where a body went wrong, without quoting it.
func describeJSONError(err error, body []byte) error {
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case len(body) == 0:
		return errors.New("empty body where a JSON array was expected")
	case errors.As(err, &syntax):
		return fmt.Errorf("malformed JSON at byte %d of %d: %w", syntax.Offset, len(body), err)
	case errors.As(err, &typeErr):
		return fmt.Errorf("unexpected JSON at byte %d of %d: %w", typeErr.Offset, len(body), err)
	}
	return fmt.Errorf("decoding JSON: %w", err)
}

// uniqueRepositories joins pages in offset order and keeps the first
// occurrence of each (namespace, repository): a list that changes while it
// is read can show a repository on two pages.
func uniqueRepositories(pages []page) []Repository {
	slices.SortFunc(pages, func(a, b page) int { return a.offset - b.offset })
	size := 0
	for _, p := range pages {
		size += len(p.repositories)
	}

	seen := make(map[string]struct{}, size)
	unique := make([]Repository, 0, size)
	for _, p := range pages {
		for _, repository := range p.repositories {
			key := repository.Key()
			if _, dup := seen[key]; dup {
				continue
			}
			seen[key] = struct{}{}
			unique = append(unique, repository)
		}
	}
	return unique
}

// ListAccessDomains returns the shares of one of the account's repositories:
// which accounts it is shared with, and until when. A '/' in the repository
// name is sent as '$', as the API requires.
//
// API: GET /v2/manage/namespaces/{namespace}/repositories/{repository}/access-domains
// ("Obtaining the List of Shared Accounts").
func (c *Client) ListAccessDomains(ctx context.Context, namespace, repository string) (
	[]AccessDomain, error) {
	path := "/v2/manage/namespaces/" + namespace + "/repositories/" +
		strings.ReplaceAll(repository, "/", "$") + "/access-domains"
	body, _, err := c.get(ctx, EndpointAccessDomains, path, nil)
	if err != nil {
		return nil, err
	}

	domains, err := DecodeAccessDomains(body)
	if err != nil {
		return nil, fmt.Errorf("decoding shares of %s/%s: %w", namespace, repository, err)
	}
	return domains, nil
}

// DecodeAccessDomains decodes the body of an access-domains answer.
func DecodeAccessDomains(body []byte) ([]AccessDomain, error) {
	var domains []AccessDomain
	if err := json.Unmarshal(body, &domains); err != nil {
		return nil, describeJSONError(err, body)
	}
	return domains, nil
}
