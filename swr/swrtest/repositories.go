package swrtest

import (
	"cmp"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/swr-exporter/swr_exporter/swr"
)

// Paging limits of the shared-repositories list, from the API reference.
const (
	defaultLimit = 100
	maxLimit     = 1000
)

// listQuery is an accepted query of the shared-repositories list.
type listQuery struct {
	sharedBy   swr.SharedBy
	name       string
	namespace  string
	domainName string
	// status filters thirdparty repositories when set.
	status      *bool
	orderColumn string
	descending  bool
	offset      int
	limit       int
	// paged is whether the query had both offset and limit, the case in
	// which the service sends Content-Range.
	paged bool
}

// orderings are the sort keys order_column accepts.
var orderings = map[string]func(a, b swr.Repository) int{
	"updated_at": func(a, b swr.Repository) int {
		return compareTimes(a.UpdatedAt, b.UpdatedAt)
	},
	"name": func(a, b swr.Repository) int {
		return strings.Compare(a.Name, b.Name)
	},
	"tag_count": func(a, b swr.Repository) int {
		return cmp.Compare(a.NumImages, b.NumImages)
	},
	"namespace": func(a, b swr.Repository) int {
		return strings.Compare(a.Namespace, b.Namespace)
	},
	"domain_name": func(a, b swr.Repository) int {
		return strings.Compare(a.DomainName, b.DomainName)
	},
}

// parseListQuery checks a query as the service does, answering 400 to what
// it would refuse.
func parseListQuery(query url.Values) (listQuery, *apiError) {
	parsed := listQuery{
		sharedBy:    swr.SharedBy(query.Get("center")),
		name:        query.Get("name"),
		namespace:   query.Get("namespace"),
		domainName:  query.Get("domain_name"),
		orderColumn: query.Get("order_column"),
		limit:       defaultLimit,
		paged:       query.Has("offset") && query.Has("limit"),
	}
	if !parsed.sharedBy.Valid() {
		return listQuery{}, badRequest("center must be %q or %q", swr.Self, swr.ThirdParty)
	}

	if query.Has("status") {
		status, err := strconv.ParseBool(query.Get("status"))
		if err != nil {
			return listQuery{}, badRequest("status must be true or false")
		}
		parsed.status = &status
	}

	if _, ok := orderings[parsed.orderColumn]; parsed.orderColumn != "" && !ok {
		return listQuery{}, badRequest("order_column %q is not supported", parsed.orderColumn)
	}
	switch query.Get("order_type") {
	case "", "asc":
	case "desc":
		parsed.descending = true
	default:
		return listQuery{}, badRequest("order_type must be asc or desc")
	}

	if query.Has("limit") {
		limit, err := strconv.Atoi(query.Get("limit"))
		if err != nil || limit < 1 || limit > maxLimit {
			return listQuery{}, badRequest("limit must be an integer from 1 to %d", maxLimit)
		}
		parsed.limit = limit
	}
	if query.Has("offset") {
		offset, err := strconv.Atoi(query.Get("offset"))
		if err != nil || offset < 0 {
			return listQuery{}, badRequest("offset must be an integer of 0 or more")
		}
		parsed.offset = offset
	}
	return parsed, nil
}

// matches reports whether a repository passes the query's filters. The
// status filter applies to thirdparty only, where status means something.
func (q listQuery) matches(repo swr.Repository) bool {
	switch {
	case q.name != "" && !strings.Contains(repo.Name, q.name):
		return false
	case q.namespace != "" && repo.Namespace != q.namespace:
		return false
	case q.domainName != "" && repo.DomainName != q.domainName:
		return false
	case q.status != nil && q.sharedBy == swr.ThirdParty && repo.Status != *q.status:
		return false
	}
	return true
}

// listSharedRepositories answers one page of a shared-repositories list,
// with the lies about its total the fault asks for.
func (s *Server) listSharedRepositories(query url.Values, fault Fault) (answer, *apiError) {
	parsed, failure := parseListQuery(query)
	if failure != nil {
		return answer{}, failure
	}
	data, _, elapsed := s.snapshot()

	repos := data.Self
	if parsed.sharedBy == swr.ThirdParty {
		repos = data.ThirdParty
	}
	// Pointers into the data set, which is never changed, spare copying
	// every matching repository to serve one page of them.
	var matching []*Repo
	for i := range repos {
		if parsed.matches(repos[i].Repository) {
			matching = append(matching, &repos[i])
		}
	}
	parsed.sort(matching)

	total := len(matching)
	start := min(parsed.offset, total)
	page := make([]swr.Repository, 0, min(start+parsed.limit, total)-start)
	reported := total + fault.TotalDelta
	for _, repo := range matching[start:min(start+parsed.limit, total)] {
		listed := asListed(*repo, parsed.sharedBy, elapsed)
		listed.TotalRange = int64(reported)
		if fault.NoTotalRange {
			listed.TotalRange = 0
		}
		page = append(page, listed)
	}

	ans := answer{status: http.StatusOK, body: mustMarshal(page)}
	if parsed.paged {
		ans.contentRange = fmt.Sprintf("%d-%d/%d", parsed.offset, len(page), reported)
	}
	return ans, nil
}

// sort orders the list as order_column and order_type say, keeping the data
// set's order among equals and when no column is given.
func (q listQuery) sort(repos []*Repo) {
	compare, ok := orderings[q.orderColumn]
	if !ok {
		return
	}

	slices.SortStableFunc(repos, func(a, b *Repo) int {
		if q.descending {
			return compare(b.Repository, a.Repository)
		}
		return compare(a.Repository, b.Repository)
	})
}

// asListed returns the repository as the list shows it at a moment elapsed
// after the server's origin: downloads grown, a self repository's status
// false, and tags an array even when empty.
func asListed(repo Repo, sharedBy swr.SharedBy, elapsed time.Duration) swr.Repository {
	listed := repo.Repository
	listed.NumDownload += grownDownloads(repo.DownloadsPerHour, elapsed)
	if sharedBy == swr.Self {
		listed.Status = false
	}
	listed.Tags = slices.Clone(repo.Tags)
	if listed.Tags == nil {
		listed.Tags = []string{}
	}
	return listed
}

// grownDownloads is how many downloads a rate adds over elapsed time.
func grownDownloads(perHour float64, elapsed time.Duration) int64 {
	if perHour <= 0 || elapsed <= 0 {
		return 0
	}
	return int64(math.Floor(perHour * elapsed.Hours()))
}

// compareTimes orders two API times, and strings that are not times after
// those that are.
func compareTimes(a, b string) int {
	timeA, errA := swr.ParseTime(a)
	timeB, errB := swr.ParseTime(b)
	switch {
	case errA == nil && errB == nil:
		return timeA.Compare(timeB)
	case errA == nil:
		return -1
	case errB == nil:
		return 1
	default:
		return strings.Compare(a, b)
	}
}
