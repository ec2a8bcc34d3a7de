// Command swr_exporter exports, for Prometheus, what the SWR container image
// service of Huawei Cloud (and of the clouds built on it) says about the
// repositories an account shares and those shared with it.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/promslog"
	"github.com/prometheus/common/promslog/flag"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"

	"github.com/swr-exporter/swr_exporter/collector"
	"github.com/swr-exporter/swr_exporter/config"
	"github.com/swr-exporter/swr_exporter/swr/swrtest"
)

const (
	exporterName        = "swr_exporter"
	defaultListenPort   = ":10029"
	scrapeTimeoutMargin = 500 * time.Millisecond
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main with its arguments and outputs given, so tests can drive the
// whole program; it returns the exit code.
func run(args []string, stdout, stderr *os.File) int {
	app := kingpin.New(exporterName, "Prometheus exporter for the shared repositories of "+
		"Huawei Cloud SWR.")
	configFile := app.Flag(
		"config.file",
		"Configuration file listing the SWR accounts to export.",
	).Default("swr.yml").String()
	configCheck := app.Flag(
		"config.check",
		"Validate the configuration file, print what is wrong, and exit (0 valid, 1 not).",
	).Bool()
	demo := app.Flag(
		"demo",
		"Serve a built-in simulated SWR account instead of the configuration file.",
	).Bool()
	metricsPath := app.Flag(
		"web.telemetry-path",
		"Path under which to expose metrics.",
	).Default("/metrics").String()
	maxRequests := app.Flag(
		"web.max-requests",
		"Most scrapes (/metrics and /probe) served at once; more are answered 503. "+
			"0 means no limit.",
	).Default("40").Int()
	enablePprof := app.Flag(
		"web.enable-pprof",
		"Serve Go profiling data under /debug/pprof/.",
	).Bool()
	webConfig := kingpinflag.AddFlags(app, defaultListenPort)
	logConfig := &promslog.Config{}
	flag.AddFlags(app, logConfig)
	app.Version(version.Print(exporterName))
	app.HelpFlag.Short('h')
	app.UsageWriter(stdout)
	app.ErrorWriter(stderr)
	if _, err := app.Parse(args); err != nil {
		_, _ = fmt.Fprintf(stderr, "%s: %v\n", exporterName, err)
		return 2
	}
	logConfig.Writer = stderr
	logger := promslog.New(logConfig)

	if *configCheck {
		return checkConfig(*configFile, stdout, stderr)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts := serveOptions{configFile: *configFile, demo: *demo, metricsPath: *metricsPath,
		maxRequests: *maxRequests, enablePprof: *enablePprof, webConfig: webConfig}
	if err := serve(ctx, logger, opts); err != nil {
		logger.Error("exporter stopped", "err", err)
		return 1
	}
	return 0
}

// checkConfig is --config.check: it never prints a secret, only what is
// wrong or a summary of what is right.
func checkConfig(path string, stdout, stderr *os.File) int {
	cfg, err := config.LoadFile(path)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "%s: %v\n", exporterName, err)
		return 1
	}
	_, _ = fmt.Fprintf(stdout, "%s is valid: %d account(s): %s\n", path, len(cfg.Accounts),
		strings.ReplaceAll(accountNames(cfg), ",", ", "))
	return 0
}

// accountNames lists the configured accounts for a log line or a message.
func accountNames(cfg *config.Config) string {
	names := make([]string, 0, len(cfg.Accounts))
	for _, account := range cfg.Accounts {
		names = append(names, account.Name)
	}
	return strings.Join(names, ",")
}

// serveOptions are the flags that shape the running exporter.
type serveOptions struct {
	configFile  string
	demo        bool
	metricsPath string
	maxRequests int
	enablePprof bool
	webConfig   *web.FlagConfig
}

// serve runs the exporter until ctx ends.
func serve(ctx context.Context, logger *slog.Logger, opts serveOptions) error {
	logger.Info("starting "+exporterName, "version", version.Info())
	logger.Info("build context", "build_context", version.BuildContext())

	registry := prometheus.NewRegistry()
	registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		versioncollector.NewCollector(exporterName),
	)
	exporter := collector.NewExporter(collector.NewAPIMetrics(registry), logger)

	safeConfig, err := loadConfig(ctx, logger, registry, opts.configFile, opts.demo)
	if err != nil {
		return err
	}
	if err := exporter.Apply(safeConfig.Config()); err != nil {
		return err
	}

	reload := func() error {
		err := safeConfig.Reload(exporter.Apply)
		if err != nil {
			logger.Warn("reloading configuration failed; keeping the previous one", "err", err)
			return err
		}
		logger.Info("reloaded configuration", "file", safeConfig.Path(),
			"accounts", accountNames(safeConfig.Config()))
		return nil
	}
	go reloadOnSIGHUP(ctx, reload)

	handler := newHandler(handlerOptions{
		registry:    registry,
		exporter:    exporter,
		reload:      reload,
		metricsPath: opts.metricsPath,
		maxRequests: opts.maxRequests,
		enablePprof: opts.enablePprof,
		logger:      logger,
	})
	server := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}

	served := make(chan error, 1)
	go func() { served <- web.ListenAndServe(server, opts.webConfig, logger) }()

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down HTTP server: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// loadConfig reads the configuration file, or in demo mode starts the
// simulated SWR service on loopback and points one account at it.
func loadConfig(ctx context.Context, logger *slog.Logger, reg prometheus.Registerer,
	configFile string, demo bool) (*config.SafeConfig, error) {
	if !demo {
		safeConfig := config.NewSafeConfig(configFile, reg)
		if err := safeConfig.Reload(nil); err != nil {
			return nil, err
		}
		logger.Info("loaded configuration", "file", configFile,
			"accounts", accountNames(safeConfig.Config()))
		return safeConfig, nil
	}

	endpoint, err := startDemoService(ctx)
	if err != nil {
		return nil, err
	}
	cfg, err := config.Load([]byte(fmt.Sprintf(`accounts:
  - name: demo
    endpoint: %s
    access_key: %s
    secret_key: %s
`, endpoint, swrtest.DemoAccessKey, swrtest.DemoSecretKey)), ".")
	if err != nil {
		return nil, fmt.Errorf("building demo configuration: %w", err)
	}
	logger.Info("demo mode: serving a simulated SWR account", "endpoint", endpoint)
	return config.NewStaticConfig(cfg, reg), nil
}

// startDemoService serves the simulated SWR service on a loopback port until
// ctx ends, and returns its URL.
func startDemoService(ctx context.Context) (string, error) {
	listener, err := new(net.ListenConfig).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("starting demo SWR service: %w", err)
	}
	server := &http.Server{
		Handler:           swrtest.NewDemoServer(time.Now),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() { _ = server.Serve(listener) }()
	go func() {
		<-ctx.Done()
		_ = server.Close()
	}()
	return "http://" + listener.Addr().String(), nil
}

func reloadOnSIGHUP(ctx context.Context, reload func() error) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			_ = reload()
		}
	}
}

// scrapeContext bounds a scrape by the timeout Prometheus announces, less a
// margin for encoding and the network, so that a slow account yields a
// failed source instead of a failed scrape.
func scrapeContext(r *http.Request) (context.Context, context.CancelFunc) {
	header := r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds")
	seconds, err := strconv.ParseFloat(header, 64)
	if header == "" || err != nil || seconds <= 0 {
		return context.WithCancel(r.Context())
	}
	timeout := time.Duration(seconds * float64(time.Second))
	timeout = max(timeout-scrapeTimeoutMargin, timeout/2)
	return context.WithTimeout(r.Context(), timeout)
}

// handlerOptions are what the HTTP endpoints need.
type handlerOptions struct {
	registry    *prometheus.Registry
	exporter    *collector.Exporter
	reload      func() error
	metricsPath string
	maxRequests int
	enablePprof bool
	logger      *slog.Logger
}

// newHandler routes the exporter's endpoints.
func newHandler(opts handlerOptions) http.Handler {
	mux := http.NewServeMux()
	limit := newInFlightLimit(opts.maxRequests)
	mux.Handle(opts.metricsPath, limit.wrap(func(w http.ResponseWriter, r *http.Request) {
		serveScrape(w, r, opts, "", []prometheus.Gatherer{opts.registry})
	}))
	mux.Handle("/probe", limit.wrap(func(w http.ResponseWriter, r *http.Request) {
		account := r.URL.Query().Get("account")
		if account == "" {
			http.Error(w, "the account parameter is missing", http.StatusBadRequest)
			return
		}
		serveScrape(w, r, opts, account, nil)
	}))
	if opts.enablePprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	mux.HandleFunc("/-/reload", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost && r.Method != http.MethodPut {
			w.Header().Set("Allow", "POST, PUT")
			http.Error(w, "reload with POST", http.StatusMethodNotAllowed)
			return
		}
		if err := opts.reload(); err != nil {
			http.Error(w, "reloading configuration failed: "+err.Error(),
				http.StatusInternalServerError)
			return
		}
		_, _ = fmt.Fprintln(w, "configuration reloaded")
	})
	mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = fmt.Fprintln(w, "Healthy")
	})
	mux.HandleFunc("/-/ready", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = fmt.Fprintln(w, "Ready")
	})
	mux.Handle("/", newLandingPage(opts.exporter, opts.metricsPath))
	return mux
}

// inFlightLimit bounds the scrapes served at once, so that a flood of
// requests cannot pile up goroutines and memory behind a slow API.
type inFlightLimit struct {
	slots chan struct{}
}

func newInFlightLimit(n int) *inFlightLimit {
	if n <= 0 {
		return &inFlightLimit{}
	}
	return &inFlightLimit{slots: make(chan struct{}, n)}
}

func (l *inFlightLimit) wrap(next http.HandlerFunc) http.Handler {
	if l.slots == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case l.slots <- struct{}{}:
			defer func() { <-l.slots }()
			next(w, r)
		default:
			http.Error(w, fmt.Sprintf("too many scrapes at once (limit %d); try again later",
				cap(l.slots)), http.StatusServiceUnavailable)
		}
	})
}

// serveScrape gathers one account (or all when account is empty) into a
// registry of this request's own, plus the exporter's own metrics.
func serveScrape(w http.ResponseWriter, r *http.Request, opts handlerOptions, account string,
	gatherers []prometheus.Gatherer) {
	ctx, cancel := scrapeContext(r)
	defer cancel()

	scrape, err := opts.exporter.Collector(ctx, account)
	if errors.Is(err, collector.ErrUnknownAccount) {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	// The scrape is gathered first so that the API request counters it moves
	// are up to date in the same answer.
	gatherer := collector.Concat(append([]prometheus.Gatherer{scrape}, gatherers...)...)
	promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(opts.logger.Handler(), slog.LevelError),
		ErrorHandling: promhttp.ContinueOnError,
	}).ServeHTTP(w, r)
}
