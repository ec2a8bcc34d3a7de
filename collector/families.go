package collector

import (
	"cmp"
	"slices"
	"strconv"

	dto "github.com/prometheus/client_model/go"

	"github.com/swr-exporter/swr_exporter/swr"
)

// Label names as the families below spell them, one string each, for the
// label pairs to point at.
var (
	labelAccount      = "account"
	labelCategory     = "category"
	labelDomainName   = "domain_name"
	labelInternalPath = "internal_path"
	labelIsPublic     = "is_public"
	labelNamespace    = "namespace"
	labelPath         = "path"
	labelRepository   = "repository"
	labelSharedBy     = "shared_by"
)

// repositoryRow is one repository of a pass, with the list it came from.
type repositoryRow struct {
	repository *swr.Repository
	sharedBy   *dto.LabelPair
}

// repositoryFamilies builds the per-repository families of a pass, the
// series emitRepository sends, straight into client_model's types and in
// the order a registry sorts them. A registry given a hundred thousand
// repositories spends most of a scrape making a label pair for each label
// of every series, checking every series and sorting every family, and
// holds five times the exposition's size while it does; here the series of
// a repository share their label pairs, and each family is sorted once, by
// the repositories' own strings.
//
// The repositories must be label-safe and unique per list, as
// Scraper.fetch leaves them. TestGatherMatchesCollect and FuzzCollectorInput
// hold the result to what a registry makes of emitRepository.
func repositoryFamilies(account string, sources []sourceResult) []*dto.MetricFamily {
	rows := repositoryRows(sources)
	if len(rows) == 0 {
		return nil
	}
	accountPair := &dto.LabelPair{Name: &labelAccount, Value: &account}

	// account, namespace, repository, shared_by: the labels in the order of
	// their names, which is the order rows are sorted in. The pairs of the
	// names serve the info family too.
	names := make([]dto.LabelPair, 2*len(rows))
	labels := make([]*dto.LabelPair, 4*len(rows))
	for i, row := range rows {
		namespace, name := &names[2*i], &names[2*i+1]
		namespace.Name, namespace.Value = &labelNamespace, &row.repository.Namespace
		name.Name, name.Value = &labelRepository, &row.repository.Name
		copy(labels[4*i:], []*dto.LabelPair{accountPair, namespace, name, row.sharedBy})
	}
	labelsOf := func(i int) []*dto.LabelPair { return labels[4*i : 4*i+4 : 4*i+4] }
	repo := func(i int) *swr.Repository { return rows[i].repository }

	families := []*dto.MetricFamily{
		buildFamily(repositorySize, len(rows), labelsOf, func(i int) (float64, bool) {
			return count(repo(i).Size)
		}),
		buildFamily(repositoryTags, len(rows), labelsOf, func(i int) (float64, bool) {
			return count(repo(i).NumImages)
		}),
		buildFamily(repositoryDownloads, len(rows), labelsOf, func(i int) (float64, bool) {
			return count(repo(i).NumDownload)
		}),
		buildFamily(repositoryExpired, len(rows), labelsOf, func(i int) (float64, bool) {
			return boolValue(!repo(i).Status), rows[i].sharedBy == thirdPartyPair
		}),
		infoFamily(accountPair, rows, names),
		buildFamily(repositoryCreated, len(rows), labelsOf, func(i int) (float64, bool) {
			return timestamp(repo(i).CreatedAt)
		}),
		buildFamily(repositoryUpdated, len(rows), labelsOf, func(i int) (float64, bool) {
			return timestamp(repo(i).UpdatedAt)
		}),
	}
	return slices.DeleteFunc(families, func(f *dto.MetricFamily) bool { return f == nil })
}

// repositoryRows lists the repositories of the sources that were read,
// sorted by namespace, repository and list.
func repositoryRows(sources []sourceResult) []repositoryRow {
	n := 0
	for _, source := range sources {
		if source.err == nil {
			n += len(source.repositories)
		}
	}
	rows := make([]repositoryRow, 0, n)
	for _, source := range sources {
		if source.err != nil {
			continue
		}
		sharedBy := sharedByPair(source.sharedBy)
		for i := range source.repositories {
			rows = append(rows, repositoryRow{repository: &source.repositories[i],
				sharedBy: sharedBy})
		}
	}
	slices.SortFunc(rows, func(a, b repositoryRow) int {
		return cmp.Or(
			cmp.Compare(a.repository.Namespace, b.repository.Namespace),
			cmp.Compare(a.repository.Name, b.repository.Name),
			cmp.Compare(a.sharedBy.GetValue(), b.sharedBy.GetValue()),
		)
	})
	return rows
}

// infoFamily builds swr_shared_repository_info, whose labels sort the
// repositories in an order of their own, category first. names holds the
// namespace and repository pairs of each row.
func infoFamily(accountPair *dto.LabelPair, rows []repositoryRow,
	names []dto.LabelPair) *dto.MetricFamily {
	order := make([]int, len(rows))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		x, y := rows[a].repository, rows[b].repository
		return cmp.Or(
			cmp.Compare(x.Category, y.Category),
			cmp.Compare(x.DomainName, y.DomainName),
			cmp.Compare(x.InternalPath, y.InternalPath),
			cmp.Compare(strconv.FormatBool(x.IsPublic), strconv.FormatBool(y.IsPublic)),
			cmp.Compare(x.Namespace, y.Namespace),
			cmp.Compare(x.Path, y.Path),
			cmp.Compare(x.Name, y.Name),
			cmp.Compare(rows[a].sharedBy.GetValue(), rows[b].sharedBy.GetValue()),
		)
	})

	pairs := make([]dto.LabelPair, 4*len(order))
	labels := make([]*dto.LabelPair, 9*len(order))
	for i, row := range order {
		r := rows[row].repository
		category, domainName, internalPath, path := &pairs[4*i], &pairs[4*i+1],
			&pairs[4*i+2], &pairs[4*i+3]
		category.Name, category.Value = &labelCategory, &r.Category
		domainName.Name, domainName.Value = &labelDomainName, &r.DomainName
		internalPath.Name, internalPath.Value = &labelInternalPath, &r.InternalPath
		path.Name, path.Value = &labelPath, &r.Path
		copy(labels[9*i:], []*dto.LabelPair{accountPair, category, domainName, internalPath,
			isPublicPair(r.IsPublic), &names[2*row], path, &names[2*row+1], rows[row].sharedBy})
	}

	return buildFamily(repositoryInfo, len(order),
		func(i int) []*dto.LabelPair { return labels[9*i : 9*i+9 : 9*i+9] },
		func(int) (float64, bool) { return 1, true })
}

// buildFamily makes the family of metric with up to n series: series i has
// the labels labelsOf(i) and the value valueOf(i), and is left out when
// valueOf says so. The family's structures are allocated a slice at a time.
// A family left with no series is nil, as a registry would not send it.
func buildFamily(metric *repositoryMetric, n int, labelsOf func(int) []*dto.LabelPair,
	valueOf func(int) (float64, bool)) *dto.MetricFamily {
	values := make([]float64, n)
	kept := make([]bool, n)
	count := 0
	for i := range n {
		values[i], kept[i] = valueOf(i)
		if kept[i] {
			count++
		}
	}

	if count == 0 {
		return nil
	}

	metrics := make([]dto.Metric, count)
	var counters []dto.Counter
	var gauges []dto.Gauge
	if metric.kind == dto.MetricType_COUNTER {
		counters = make([]dto.Counter, count)
	} else {
		gauges = make([]dto.Gauge, count)
	}
	family := &dto.MetricFamily{Name: &metric.name, Help: &metric.help,
		Type: metric.kind.Enum(), Metric: make([]*dto.Metric, 0, count)}
	for i := range n {
		if !kept[i] {
			continue
		}
		m := &metrics[len(family.Metric)]
		m.Label = labelsOf(i)
		if counters != nil {
			m.Counter = &counters[len(family.Metric)]
			m.Counter.Value = &values[i]
		} else {
			m.Gauge = &gauges[len(family.Metric)]
			m.Gauge.Value = &values[i]
		}
		family.Metric = append(family.Metric, m)
	}
	return family
}

// count is a count the API sent, left out when below zero, which is a
// broken answer rather than a value.
func count(n int64) (float64, bool) {
	return float64(n), n >= 0
}

// timestamp is a time the API sent, in seconds since the epoch, or false
// when the time cannot be read.
func timestamp(apiTime string) (float64, bool) {
	t, err := swr.ParseTime(apiTime)
	return float64(t.Unix()), err == nil
}

var (
	sharedBySelf       = string(swr.Self)
	sharedByThirdParty = string(swr.ThirdParty)
	selfPair           = &dto.LabelPair{Name: &labelSharedBy, Value: &sharedBySelf}
	thirdPartyPair     = &dto.LabelPair{Name: &labelSharedBy, Value: &sharedByThirdParty}

	isPublicTrue  = "true"
	isPublicFalse = "false"
	publicPair    = &dto.LabelPair{Name: &labelIsPublic, Value: &isPublicTrue}
	notPublicPair = &dto.LabelPair{Name: &labelIsPublic, Value: &isPublicFalse}
)

func sharedByPair(sharedBy swr.SharedBy) *dto.LabelPair {
	if sharedBy == swr.Self {
		return selfPair
	}
	return thirdPartyPair
}

func isPublicPair(public bool) *dto.LabelPair {
	if public {
		return publicPair
	}
	return notPublicPair
}
