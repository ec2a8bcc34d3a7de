package swrtest

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/swr-exporter/swr_exporter/swr"
)

// The demo account's credentials. They are fake on purpose: the demo server
// accepts them and no real service does.
const (
	DemoAccessKey = "DEMOACCESSKEY0000000"
	DemoSecretKey = "demo-secret-key"
)

// Names and addresses of the fictional demo world.
const (
	demoOwner    = "fernhollow"
	demoRegistry = "swr.ap-southeast-3.myhuaweicloud.com"
	demoInternal = "100.79.1.215:20202"
)

// NewDemoServer returns a server holding DemoData that accepts the demo
// account, with now as its clock (time.Now when nil).
func NewDemoServer(now func() time.Time) *Server {
	if now == nil {
		now = time.Now
	}

	server := NewServer(DemoData(now()), Account{
		AccessKey: DemoAccessKey,
		SecretKey: DemoSecretKey,
	})
	server.SetClock(now)
	return server
}

// demoRepo is one repository of the demo data set.
type demoRepo struct {
	name        string
	category    string
	description string
	sizeMB      int64
	// release is the newest version tag; a few earlier patch releases
	// and "latest" are listed with it.
	release string
	perHour float64
}

// demoNamespace is a namespace of the demo data set, and whose it is.
type demoNamespace struct {
	domainName string
	namespace  string
	// expired lists the repositories whose share has expired (thirdparty).
	expired []string
	repos   []demoRepo
}

// demoSelf is what Fernhollow, the demo account, shares with others.
var demoSelf = []demoNamespace{
	{domainName: demoOwner, namespace: "platform", repos: []demoRepo{
		{"api-gateway", "app_server", "Edge gateway in front of the public APIs", 212, "3.4.6", 42},
		{"auth-service", "app_server", "Sign-in, sessions and service tokens", 148, "2.11.3", 35},
		{"config-server", "app_server", "Central configuration, versioned", 96, "1.8.2", 8},
		{"service-mesh/sidecar", "other", "Proxy injected beside workloads", 74, "1.21.4", 120},
		{"log-shipper", "other", "Forwards container logs to the archive", 58, "0.9.12", 64},
		{"base/alpine-runtime", "linux", "Hardened base image for Go services", 18, "3.20.5", 15},
		{"base/jdk-runtime", "lang", "Base image for JVM services", 412, "21.0.6", 12},
		{"metrics-agent", "other", "Node and process metrics collector", 41, "2.3.1", 0},
	}},
	{domainName: demoOwner, namespace: "payments", repos: []demoRepo{
		{"ledger", "database", "Double-entry ledger service", 268, "5.2.0", 6},
		{"invoice-renderer", "app_server", "Renders invoices to PDF", 734, "1.14.7", 3},
		{"card-tokenizer", "app_server", "Swaps card numbers for tokens", 87, "4.0.2", 18},
		{"payout-scheduler", "app_server", "Batches and schedules payouts", 122, "2.6.9", 1.5},
		{"fraud-scorer", "framework_app", "Scores transactions for fraud risk", 2860, "7.1.3", 9},
		{"reconciliation-worker", "app_server", "Matches bank statements", 176, "3.0.4", 0},
		{"currency-rates", "app_server", "Daily exchange rates feed", 33, "1.2.11", 2},
	}},
	{domainName: demoOwner, namespace: "data", repos: []demoRepo{
		{"etl-runner", "framework_app", "Runs the nightly extract jobs", 1540, "4.8.1", 4},
		{"warehouse-loader", "app_server", "Loads the warehouse tables", 388, "2.2.5", 2},
		{"stream-processor", "framework_app", "Stateful stream processing", 1210, "3.9.0", 11},
		{"feature-store", "database", "Online store of model features", 645, "1.5.3", 7},
		{"notebook-server", "lang", "Shared notebooks with the data toolchain", 4380, "2025.11", 1},
		{"ml/model-trainer", "framework_app", "GPU training image", 6210, "0.14.2", 0.5},
		{"ml/model-server", "framework_app", "Serves trained models over HTTP", 2940, "0.14.2", 25},
		{"schema-registry", "app_server", "Schemas of every event topic", 205, "7.6.1", 14},
	}},
	{domainName: demoOwner, namespace: "web", repos: []demoRepo{
		{"storefront", "app_server", "Public shop front end", 164, "12.3.0", 55},
		{"admin-console", "app_server", "Back-office console", 139, "6.0.8", 4},
		{"image-resizer", "other", "On-the-fly image resizing", 221, "2.4.4", 30},
		{"search-frontend", "app_server", "Product search pages", 118, "3.7.2", 22},
		{"checkout-ui", "app_server", "Checkout pages", 97, "8.1.5", 40},
		{"docs-site", "other", "Developer documentation site", 46, "1.0.31", 2},
		{"edge-cache", "other", "Caching proxy for static assets", 63, "1.25.3", 0},
	}},
}

// demoThirdParty is what three other fictional accounts share with the demo
// account.
var demoThirdParty = []demoNamespace{
	{
		domainName: "quillmoor-labs",
		namespace:  "quillmoor",
		expired:    []string{"dns-updater", "cache-warmer"},
		repos: []demoRepo{
			{"postgres-ha", "database", "PostgreSQL with automatic failover", 452, "16.4.2", 5},
			{"redis-operator", "other", "Operator for replicated Redis", 71, "1.3.9", 3},
			{"backup-agent", "other", "Streams volume snapshots offsite", 88, "2.0.6", 6},
			{"vault-sidecar", "other", "Injects secrets into pods", 39, "0.7.3", 12},
			{"cert-rotator", "other", "Renews and rotates TLS certificates", 27, "1.1.4", 2},
			{"dns-updater", "other", "Keeps DNS records in step with services", 22, "0.4.0", 0},
			{"queue-broker", "app_server", "Broker with durable queues", 512, "3.13.7", 8},
			{"ingress-controller", "app_server", "HTTP ingress for clusters", 134, "1.11.2", 16},
			{"cache-warmer", "other", "Preloads caches after deploys", 31, "0.2.5", 0},
		},
	},
	{
		domainName: "tarnwick-analytics",
		namespace:  "tarnwick",
		expired:    []string{"sampler"},
		repos: []demoRepo{
			{"geo-enricher", "app_server", "Adds region and city to events", 306, "2.5.0", 4},
			{"clickstream-collector", "app_server", "Collects page events", 92, "5.1.1", 19},
			{"dashboard-renderer", "app_server", "Renders dashboards to images", 688, "3.2.7", 2},
			{"anomaly-detector", "framework_app", "Flags unusual metrics", 1890, "1.9.4", 3},
			{"report-builder", "app_server", "Scheduled reports by mail", 244, "4.4.2", 1},
			{"ml/tokenizer", "framework_app", "Text tokenizer service", 874, "0.8.5", 6},
			{"ml/embedding-server", "framework_app", "Text embeddings over gRPC", 5120, "0.8.5", 9},
			{"sampler", "other", "Samples event streams for audits", 54, "1.0.2", 0},
		},
	},
	{
		domainName: "vellum-ridge",
		namespace:  "vellum",
		expired:    []string{"tts-engine", "spellcheck"},
		repos: []demoRepo{
			{"pdf-converter", "app_server", "Converts office files to PDF", 966, "2.7.1", 7},
			{"ocr-engine", "framework_app", "Text recognition for scans", 3310, "5.3.0", 5},
			{"translation-api", "framework_app", "Machine translation service", 7480, "1.6.2", 4},
			{"tts-engine", "framework_app", "Speech synthesis", 2150, "0.9.9", 0},
			{"doc-indexer", "app_server", "Full-text indexing of documents", 415, "3.1.8", 3},
			{"media-transcoder", "app_server", "Video and audio transcoding", 1780, "6.0.1", 2},
			{"thumbnailer", "other", "Thumbnails for documents and video", 83, "1.4.6", 10},
			{"spellcheck", "other", "Spelling and grammar checks", 129, "2.2.0", 0},
		},
	},
}

// permanent, as a demoShare's ends, makes the share last for ever.
const permanent = math.MaxInt32

// demoShare is a share of one of the demo account's repositories. ends is the
// number of days after the next deadline to come that it ends (see
// deadline): 0 is within a day, 4 within a week, a negative number is past.
type demoShare struct {
	namespace    string
	repository   string
	accessDomain string
	ends         int
	description  string
}

// demoShares are the accounts the demo account's repositories are shared
// with. A few have several accounts; some shares end for good, some soon,
// some have already ended.
var demoShares = []demoShare{
	{"platform", "api-gateway", "quillmoor-labs", permanent, "Gateway for the joint API"},
	{"platform", "api-gateway", "tarnwick-analytics", 0, "Load test, ends tomorrow"},
	{"platform", "api-gateway", "vellum-ridge", 180, "Partner integration"},
	{"platform", "api-gateway", "oakbarrow-retail", -3, "Pilot, finished"},
	{"platform", "auth-service", "quillmoor-labs", permanent, "Shared sign-in"},
	{"platform", "service-mesh/sidecar", "quillmoor-labs", permanent, "Mesh for shared clusters"},
	{"platform", "service-mesh/sidecar", "tarnwick-analytics", permanent,
		"Mesh for shared clusters"},
	{"platform", "service-mesh/sidecar", "vellum-ridge", 4, "Mesh trial"},
	{"platform", "base/alpine-runtime", "oakbarrow-retail", 58, "Base images for the vendor"},
	{"platform", "log-shipper", "tarnwick-analytics", -12, "Audit export, ended"},
	{"payments", "ledger", "brightmoss-logistics", 0, "Settlement audit access"},
	{"payments", "card-tokenizer", "oakbarrow-retail", 27, "Tokenization for the shop"},
	{"payments", "fraud-scorer", "tarnwick-analytics", 4, "Model review"},
	{"payments", "fraud-scorer", "oakbarrow-retail", 90, "Fraud checks at the till"},
	{"payments", "currency-rates", "brightmoss-logistics", permanent, "Rates feed"},
	{"payments", "currency-rates", "oakbarrow-retail", permanent, "Rates feed"},
	{"data", "etl-runner", "tarnwick-analytics", 2, "Joint data project"},
	{"data", "stream-processor", "tarnwick-analytics", 120, "Joint data project"},
	{"data", "feature-store", "vellum-ridge", -1, "Evaluation, ended"},
	{"data", "ml/model-server", "vellum-ridge", 6, "Hosted inference trial"},
	{"data", "ml/model-server", "tarnwick-analytics", permanent, "Production inference"},
	{"data", "schema-registry", "tarnwick-analytics", permanent, "Shared event schemas"},
	{"data", "schema-registry", "quillmoor-labs", 365, "Shared event schemas"},
	{"web", "storefront", "oakbarrow-retail", permanent, "White-label shop"},
	{"web", "image-resizer", "oakbarrow-retail", 0, "Image pipeline trial"},
	{"web", "image-resizer", "brightmoss-logistics", -30, "Catalogue import, ended"},
	{"web", "checkout-ui", "oakbarrow-retail", 14, "White-label checkout"},
	{"web", "docs-site", "quillmoor-labs", permanent, "Docs mirror"},
}

// DemoData is the data set of the demo server: a fictional company,
// Fernhollow, that shares about thirty repositories in four namespaces and
// is shared some twenty-five by three other fictional accounts, a few of
// which have expired. Times follow from now: repositories were created
// weeks to months before it and updated hours to days before it, and of
// the shares some are permanent, some end within a day, some within a week,
// some later, and some have ended.
func DemoData(now time.Time) Data {
	var data Data
	index := 0
	for _, group := range demoSelf {
		for _, repo := range group.repos {
			data.Self = append(data.Self, repo.build(group, index, now))
			index++
		}
	}

	for _, group := range demoThirdParty {
		for _, repo := range group.repos {
			listed := repo.build(group, index, now)
			listed.Status = !slices.Contains(group.expired, repo.name)
			data.ThirdParty = append(data.ThirdParty, listed)
			index++
		}
	}

	for i, share := range demoShares {
		data.Shares = append(data.Shares, share.build(i, now))
	}
	return data
}

// build makes the i-th repository of the demo data set.
func (repo demoRepo) build(group demoNamespace, i int, now time.Time) Repo {
	tags := releaseTags(repo.release, 1+i%4)
	age := time.Duration(40+i*23%500)*24*time.Hour + time.Duration(i*97%1440)*time.Minute
	idle := time.Duration(1+i*7%240)*time.Hour + time.Duration(i*13%60)*time.Minute
	created, updated := now.Add(-age), now.Add(-idle)
	image := group.namespace + "/" + repo.name

	return Repo{
		Repository: swr.Repository{
			Name:         repo.name,
			Category:     repo.category,
			Description:  repo.description,
			Path:         demoRegistry + "/" + image,
			InternalPath: demoInternal + "/" + image,
			DomainName:   group.domainName,
			Namespace:    group.namespace,
			CreatedAt:    created.UTC().Format(repositoryTimeLayout),
			UpdatedAt:    updated.UTC().Format(repositoryTimeLayout),
			Size:         repo.sizeMB << 20,
			NumImages:    int64(len(tags)),
			NumDownload:  int64(repo.perHour*24*float64(30+i*11%300)) + int64(i*131%500),
			IsPublic:     i%9 == 0,
			Tags:         tags,
		},
		DownloadsPerHour: repo.perHour,
	}
}

// releaseTags lists a release, up to earlier-1 patch releases before it, and
// "latest".
func releaseTags(release string, earlier int) []string {
	dot := strings.LastIndex(release, ".")
	patch, err := strconv.Atoi(release[dot+1:])
	if dot < 0 || err != nil {
		return []string{release, "latest"}
	}

	var tags []string
	for p := max(0, patch-earlier+1); p <= patch; p++ {
		tags = append(tags, fmt.Sprintf("%s.%d", release[:dot], p))
	}
	return append(tags, "latest")
}

// build makes the i-th share of the demo data set.
func (share demoShare) build(i int, now time.Time) swr.AccessDomain {
	created := now.Add(-time.Duration(20+i*17%300) * 24 * time.Hour)
	creator, creatorID := "platform-admin", "7c1e0f3a9b2d4e6f8a0b1c2d3e4f5a6b"
	if i%3 == 0 {
		creator, creatorID = "release-bot", "0d9c8b7a6f5e4d3c2b1a09f8e7d6c5b4"
	}

	granted := swr.AccessDomain{
		Namespace:    share.namespace,
		Repository:   share.repository,
		AccessDomain: share.accessDomain,
		Permit:       "read",
		Deadline:     swr.DeadlineForever,
		Description:  share.description,
		CreatorID:    creatorID,
		CreatorName:  creator,
		Created:      created.UTC().Format(shareTimeLayout),
		Updated:      created.Add(time.Duration(i%5) * time.Hour).UTC().Format(shareTimeLayout),
		Status:       true,
	}
	if share.ends != permanent {
		granted.Deadline = deadline(now, share.ends)
		granted.Status = share.ends >= 0
	}
	return granted
}
