# Build, test and package swr_exporter.
#
#   make build         ./swr_exporter, built with the Go of RELEASE_GO, plus the files the
#                      image is made of in .build/
#   make test          the README's test command
#   make lint          go vet and a gofmt check
#   make bench         the benchmarks, without the tests: their output and a plot in
#                      docs/benchmarks/, their tables in docs/benchmarks.md
#   make docker        the container image swr-exporter:$(VERSION) from what build staged,
#                      with buildah if there is one, else docker
#   make clean         remove what build made
#
# Every variable below can be set on the command line, e.g.
# `make build docker IMAGE_ARCH=arm64` or `make build VERSION=0.2.0`.

GO ?= go
# A failing benchmark must fail `make bench`, though its output goes through tee.
SHELL := bash
.SHELLFLAGS := -o pipefail -c

# The Go release builds use, whatever Go runs make: the go command fetches
# it through the module proxy (GOTOOLCHAIN). The standard library's known
# vulnerabilities are answered by this version; .ci/lint checks it with
# govulncheck, and the README and Dockerfile name it. RELEASE_GO=local
# builds with the Go at hand.
RELEASE_GO ?= go1.27.3

# Version information, read once from git and stamped into the binary through
# github.com/prometheus/common/version; `--version` prints it.
VERSION ?= $(or $(shell git describe --tags --always --dirty 2>/dev/null | sed 's/^v//'),unknown)
REVISION ?= $(shell git rev-parse HEAD 2>/dev/null)
BRANCH ?= $(shell git rev-parse --abbrev-ref HEAD 2>/dev/null)
BUILD_USER ?= $(shell id -un)@$(shell uname -n)
BUILD_DATE ?= $(shell date -u +%Y%m%d-%H:%M:%S)
# Expand each once, so that both binaries carry the same values.
VERSION := $(VERSION)
REVISION := $(REVISION)
BRANCH := $(BRANCH)
BUILD_USER := $(BUILD_USER)
BUILD_DATE := $(BUILD_DATE)

VERSION_PKG := github.com/prometheus/common/version
GO_LDFLAGS := -X $(VERSION_PKG).Version=$(VERSION) \
	-X $(VERSION_PKG).Revision=$(REVISION) \
	-X $(VERSION_PKG).Branch=$(BRANCH) \
	-X $(VERSION_PKG).BuildUser=$(BUILD_USER) \
	-X $(VERSION_PKG).BuildDate=$(BUILD_DATE)
BUILD_FLAGS := -trimpath -ldflags '$(GO_LDFLAGS)'

# The image is Linux on the host's architecture unless told otherwise. Its
# files are staged in .build/, the only part of the checkout the Dockerfile
# reads (see .dockerignore).
HOST_OS := $(shell $(GO) env GOOS)
HOST_ARCH := $(shell $(GO) env GOARCH)
IMAGE_ARCH ?= $(HOST_ARCH)
IMAGE_NAME ?= swr-exporter
IMAGE_TAG ?= $(VERSION)
STAGE := .build
IMAGE_BINARY := $(STAGE)/linux-$(IMAGE_ARCH)/swr_exporter
CA_CERTIFICATES ?= /etc/ssl/certs/ca-certificates.crt

# Extra flags for `buildah bud` or `docker build`, and for buildah itself
# (for example BUILDAH='buildah --storage-driver vfs').
BUILDAH ?= buildah
DOCKER ?= docker
IMAGE_BUILD_FLAGS ?=

.PHONY: all build test lint bench docker clean

all: build

build:
	GOTOOLCHAIN=$(RELEASE_GO) CGO_ENABLED=0 $(GO) build $(BUILD_FLAGS) -o swr_exporter .
	@mkdir -p $(dir $(IMAGE_BINARY))
ifeq ($(HOST_OS)-$(HOST_ARCH),linux-$(IMAGE_ARCH))
	cp swr_exporter $(IMAGE_BINARY)
else
	GOTOOLCHAIN=$(RELEASE_GO) CGO_ENABLED=0 GOOS=linux GOARCH=$(IMAGE_ARCH) \
		$(GO) build $(BUILD_FLAGS) -o $(IMAGE_BINARY) .
endif
	@test -r $(CA_CERTIFICATES) || { \
		echo "$(CA_CERTIFICATES) is missing: install ca-certificates or set CA_CERTIFICATES" >&2; \
		exit 1; }
	cp $(CA_CERTIFICATES) $(STAGE)/ca-certificates.crt

test:
	$(GO) test -race -timeout 30m ./...

lint:
	$(GO) vet ./...
	@unformatted="$$(find . -path ./.git -prune -o -path ./.cache -prune -o \
		-path ./$(STAGE) -prune -o -name '*.go' -print | xargs gofmt -l)"; \
	if [ -n "$$unformatted" ]; then \
		echo "gofmt wants to change these files:" >&2; \
		echo "$$unformatted" >&2; \
		exit 1; \
	fi

# Each benchmark runs BENCH_COUNT times; the plot shows their mean.
BENCH_COUNT ?= 3
BENCH_OUT := docs/benchmarks

bench:
	@mkdir -p $(BENCH_OUT)
	$(GO) test -run '^$$' -bench . -benchmem -count $(BENCH_COUNT) -timeout 2h ./... \
		| tee $(BENCH_OUT)/exporter.txt
	cd bench && $(GO) test -run '^$$' -bench . -benchmem -count $(BENCH_COUNT) ./... \
		| tee ../$(BENCH_OUT)/sdk.txt
	cd bench && $(GO) run ./report -png ../$(BENCH_OUT)/scrape.png -doc ../docs/benchmarks.md \
		../$(BENCH_OUT)/exporter.txt ../$(BENCH_OUT)/sdk.txt

# The image is made of what `build` staged, so run `make build docker`.
docker:
	@test -x $(IMAGE_BINARY) -a -r $(STAGE)/ca-certificates.crt || { \
		echo "$(IMAGE_BINARY) or $(STAGE)/ca-certificates.crt is missing: run make build first" >&2; \
		exit 1; }
	@if command -v $(firstword $(BUILDAH)) >/dev/null 2>&1; then \
		set -x; \
		$(BUILDAH) bud --platform linux/$(IMAGE_ARCH) $(IMAGE_BUILD_FLAGS) \
			-t $(IMAGE_NAME):$(IMAGE_TAG) . ; \
	else \
		set -x; \
		$(DOCKER) build --platform linux/$(IMAGE_ARCH) $(IMAGE_BUILD_FLAGS) \
			-t $(IMAGE_NAME):$(IMAGE_TAG) . ; \
	fi

clean:
	rm -rf swr_exporter $(STAGE)
