package swrtest

import (
	"fmt"
	"time"

	"github.com/swr-exporter/swr_exporter/swr"
)

// Layouts of the times the service writes, both UTC.
const (
	repositoryTimeLayout = "2006-01-02T15:04:05Z"
	shareTimeLayout      = "2006-01-02T15:04:05.000Z"
)

// generatedOwner is the domain name of the account that Generate's Self
// repositories belong to.
const generatedOwner = "generated-owner"

// Generate builds a data set of self and thirdparty repositories for tests
// and benchmarks. Everything in it follows from the counts and now:
//
//   - Self repositories are ns-NNN/app-NNNNN, spread over ten namespaces;
//     thirdparty ones are vendor-NNN/lib-NNNNN of seven tenant-NN domains,
//     and every fifth of them is expired.
//   - Sizes range from 1 MiB to 4 GiB, tags from one to five, and download
//     rates from none to three an hour.
//   - Every third self repository is shared with one account, in turn for
//     ever, until a future deadline, and until a past one (expired); every
//     ninth is shared with a second account for ever.
func Generate(self, thirdparty int, now time.Time) Data {
	var data Data
	for i := range self {
		repo := generatedRepo(i, fmt.Sprintf("ns-%03d", i%10), fmt.Sprintf("app-%05d", i),
			generatedOwner, now)
		data.Self = append(data.Self, repo)
		data.Shares = append(data.Shares, generatedShares(i, repo.Repository, now)...)
	}

	for i := range thirdparty {
		repo := generatedRepo(i, fmt.Sprintf("vendor-%03d", i%10), fmt.Sprintf("lib-%05d", i),
			fmt.Sprintf("tenant-%02d", i%7), now)
		repo.Status = i%5 != 4
		data.ThirdParty = append(data.ThirdParty, repo)
	}
	return data
}

// generatedRepo is the i-th repository of a generated list.
func generatedRepo(i int, namespace, name, owner string, now time.Time) Repo {
	tags := make([]string, 1+i%5)
	for patch := range tags {
		tags[patch] = fmt.Sprintf("v1.%d.%d", i%4, patch)
	}
	created := now.Add(-time.Duration(30+i%365) * 24 * time.Hour)
	updated := now.Add(-time.Duration(1+i%30*24+i%24) * time.Hour)

	path := fmt.Sprintf("swr.example.com/%s/%s", namespace, name)
	return Repo{
		Repository: swr.Repository{
			Name:         name,
			Category:     "other",
			Description:  fmt.Sprintf("generated repository %d", i),
			Path:         path,
			InternalPath: "10.0.0.1:20202/" + namespace + "/" + name,
			DomainName:   owner,
			Namespace:    namespace,
			CreatedAt:    created.UTC().Format(repositoryTimeLayout),
			UpdatedAt:    updated.UTC().Format(repositoryTimeLayout),
			Size:         int64(1+i*7919%4096) << 20,
			NumImages:    int64(len(tags)),
			NumDownload:  int64(i * 37 % 10000),
			Tags:         tags,
		},
		DownloadsPerHour: float64(i % 4),
	}
}

// generatedShares are the shares of the i-th generated self repository.
func generatedShares(i int, repo swr.Repository, now time.Time) []swr.AccessDomain {
	if i%3 != 0 {
		return nil
	}

	share := generatedShare(repo, fmt.Sprintf("tenant-%02d", i%7), now)
	switch i / 3 % 3 {
	case 0:
		share.Deadline = swr.DeadlineForever
	case 1:
		share.Deadline = deadline(now, 1+i%60)
	case 2:
		share.Deadline = deadline(now, -1-i%60)
		share.Status = false
	}
	shares := []swr.AccessDomain{share}

	if i%9 == 0 {
		second := generatedShare(repo, fmt.Sprintf("partner-%02d", i%5), now)
		second.Deadline = swr.DeadlineForever
		shares = append(shares, second)
	}
	return shares
}

func generatedShare(repo swr.Repository, accessDomain string, now time.Time) swr.AccessDomain {
	created := now.Add(-90 * 24 * time.Hour).UTC().Format(shareTimeLayout)
	return swr.AccessDomain{
		Namespace:    repo.Namespace,
		Repository:   repo.Name,
		AccessDomain: accessDomain,
		Permit:       "read",
		Description:  "generated share",
		CreatorID:    "00000000000000000000000000000001",
		CreatorName:  "generator",
		Created:      created,
		Updated:      created,
		Status:       true,
	}
}

// deadline returns the deadline of a share that ends days after the next one
// to come, as the service spells it. Shares end at midnight in the zone of
// their creator, UTC+8 for the service's examples, which is 16:00 UTC; so
// deadline(now, 0) is within a day of now, and a negative days is past.
func deadline(now time.Time, days int) string {
	next := now.UTC().Truncate(24 * time.Hour).Add(16 * time.Hour)
	if !next.After(now) {
		next = next.Add(24 * time.Hour)
	}
	return next.AddDate(0, 0, days).Format(shareTimeLayout)
}
