package swrtest

import (
	"net/http"

	"github.com/swr-exporter/swr_exporter/swr"
)

// maxAccessDomains is the one page the access-domains call answers: the API
// reference's default page size, with no way documented to ask for more.
const maxAccessDomains = 100

// listAccessDomains answers the accounts a repository of the Self list is
// shared with, as they stand on the server's clock.
func (s *Server) listAccessDomains(namespace, repository string) (answer, *apiError) {
	data, now, _ := s.snapshot()

	known := false
	for _, repo := range data.Self {
		if repo.Namespace == namespace && repo.Name == repository {
			known = true
			break
		}
	}
	if !known {
		return answer{}, newAPIError(http.StatusNotFound, "SVCSTG.SWR.4040002",
			"Repository not found")
	}

	shares := []swr.AccessDomain{}
	for _, share := range data.Shares {
		if share.Namespace != namespace || share.Repository != repository {
			continue
		}
		if end, ok, err := share.Expiry(); err == nil && ok && !now.Before(end) {
			share.Status = false
		}
		shares = append(shares, share)
		if len(shares) == maxAccessDomains {
			break
		}
	}

	return answer{status: http.StatusOK, body: mustMarshal(shares)}, nil
}
