package config

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// SafeConfig holds the configuration in use and replaces it on reload,
// keeping the old one when the new file is bad.
type SafeConfig struct {
	path string

	// reloading serialises reloads, so that a SIGHUP and a POST at once
	// apply and record their configurations in the same order.
	reloading sync.Mutex

	mu     sync.RWMutex
	config *Config

	lastReloadSuccessful prometheus.Gauge
	lastReloadSuccess    prometheus.Gauge
}

// NewSafeConfig returns a holder for the file at path, with its reload
// gauges registered in reg. Call Reload to load the file.
func NewSafeConfig(path string, reg prometheus.Registerer) *SafeConfig {
	s := &SafeConfig{
		path: path,
		lastReloadSuccessful: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "swr_exporter_config_last_reload_successful",
			Help: "Whether the last configuration reload succeeded (1) or failed (0).",
		}),
		lastReloadSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "swr_exporter_config_last_reload_success_timestamp_seconds",
			Help: "Time of the last successful configuration reload, in seconds since the epoch.",
		}),
	}
	reg.MustRegister(s.lastReloadSuccessful, s.lastReloadSuccess)
	return s
}

// NewStaticConfig returns a holder of a configuration that has no file, as
// the demo mode uses; Reload keeps it.
func NewStaticConfig(cfg *Config, reg prometheus.Registerer) *SafeConfig {
	s := NewSafeConfig("", reg)
	s.set(cfg)
	return s
}

// Path is the file the configuration is read from, empty for a static one.
func (s *SafeConfig) Path() string {
	return s.path
}

// Reload reads the file again and, when it is valid, hands it to apply
// (which may be nil) before putting it in use. On error the configuration
// in use stays and the error says why the new one was refused.
func (s *SafeConfig) Reload(apply func(*Config) error) error {
	s.reloading.Lock()
	defer s.reloading.Unlock()

	cfg := s.Config()
	if s.path != "" {
		var err error
		if cfg, err = LoadFile(s.path); err != nil {
			s.lastReloadSuccessful.Set(0)
			return err
		}
	}
	if apply != nil {
		if err := apply(cfg); err != nil {
			s.lastReloadSuccessful.Set(0)
			return err
		}
	}
	s.set(cfg)
	return nil
}

func (s *SafeConfig) set(cfg *Config) {
	s.mu.Lock()
	s.config = cfg
	s.mu.Unlock()
	s.lastReloadSuccessful.Set(1)
	s.lastReloadSuccess.Set(float64(time.Now().UnixNano()) / 1e9)
}

// Config returns the configuration in use; it must not be modified.
func (s *SafeConfig) Config() *Config {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.config
}
