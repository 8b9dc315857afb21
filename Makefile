# sla_exporter build and test entry points. `make test` is what CI runs.
GO          ?= go
STATICCHECK ?= $(shell $(GO) env GOPATH)/bin/staticcheck
STATICCHECK_VERSION := v0.8.2
PKGS        := ./...
FUZZTIME    ?= 10s
# Minimizing a new input is capped: on the large seed configurations the default (60s) would
# spend the whole run minimizing.
FUZZMINIMIZE ?= 2s

.PHONY: all build test unit test-load test-uptime test-distributed test-redmine test-rt test-zabbix test-browser lint fmt vet staticcheck fuzz bench golden help

all: build test

help: ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo unknown)
REVISION    ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
LDFLAGS     := -X github.com/prometheus/common/version.Version=$(VERSION) \
               -X github.com/prometheus/common/version.Revision=$(REVISION) \
               -X github.com/prometheus/common/version.Branch=$(shell git rev-parse --abbrev-ref HEAD 2>/dev/null)

build: ## Build the exporter into ./sla_exporter.
	$(GO) build -ldflags "$(LDFLAGS)" -o sla_exporter ./cmd/sla_exporter

test: lint unit test-uptime test-distributed test-load ## Lint, then run every test with the race detector, the uptime script, the sharded HA test and the load test included.

# TestUptimeEndToEnd runs a 75-second script on the wall clock: it has its own target, which
# `make test` runs after the others.
unit: ## Run every test with the race detector, but the uptime end-to-end test (make test-uptime).
	$(GO) test -race -count=1 -skip '^TestUptimeEndToEnd$$' $(PKGS)

# The uptime sources against real programs: blackbox_exporter and Prometheus (deploy/ci/install-tools.sh)
# on loopback, a scripted outage and gap, about 90 s. CI=true: a missing program fails the test.
test-uptime: ## Run the uptime sources end to end against blackbox_exporter and Prometheus (~90 s; needs deploy/ci/install-tools.sh).
	CI=true $(GO) test -race -count=1 -run '^TestUptimeEndToEnd$$' -v ./deploy/e2e/

test-load: ## Run the bounded load test: 200 scrapers for 30 s against serve with 1,000 objectives (issue 12).
	SLA_LOAD_TEST=1 $(GO) test -run '^TestLoad$$' -v -count=1 -timeout 5m ./cmd/sla_exporter/

# Two shards x two replicas of the exporter, Prometheus remote-writing to VictoriaMetrics, vmalert
# and Alertmanager on loopback (deploy/ci/install-tools.sh), a scripted outage and a replica killed,
# about 75 s. Plain `go test` skips it (SLA_DISTRIBUTED unset); CI=true: a missing program fails.
test-distributed: ## Run the sharded HA test: 2 shards x 2 replicas, Prometheus, VictoriaMetrics, vmalert, Alertmanager (~75 s).
	CI=true SLA_DISTRIBUTED=1 $(GO) test -race -count=1 -run '^TestShardedHA$$' -v ./deploy/e2e/

# The redmine source against a real Redmine, which deploy/ci/install-redmine.sh installs (as root,
# about 35 s). CI=true: a Redmine that is missing fails the test instead of skipping it.
test-redmine: ## Run the redmine source against a real Redmine (install it first: sudo deploy/ci/install-redmine.sh).
	CI=true $(GO) test -race -count=1 -run '^(TestRealRedmine|TestReplaySync|TestShippedConfig)$$' -v ./collector/redmine/

# The pages in a real headless Chromium and the report printed to PDF, read back with poppler
# (make test runs them too). CI=true: a missing chromium or poppler-utils fails instead of
# skipping. Screenshots and the PDF are written to SLA_ARTEFACTS to be looked at.
SLA_ARTEFACTS ?= $(CURDIR)/artefacts
test-browser: ## Run the browser and PDF tests (needs chromium, poppler-utils: deploy/ci/install-tools.sh); artefacts in ./artefacts.
	CI=true SLA_ARTEFACTS=$(SLA_ARTEFACTS) $(GO) test -count=1 -v -run '^(TestBrowser|TestDemoPDF|TestPrint|TestReportPDF|TestReportEndpointPDF)' ./collector/web/ ./collector/report/ ./collector/pdf/ ./cmd/sla_exporter/
	@echo "artefacts: $(SLA_ARTEFACTS)"

lint: fmt vet staticcheck ## gofmt, go vet and staticcheck.

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

staticcheck: $(STATICCHECK)
	$(STATICCHECK) $(PKGS)

$(STATICCHECK):
	$(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

fuzz: ## Run each fuzz target for FUZZTIME.
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$f"; bash deploy/ci/fuzz-target.sh $$pkg $$f $(FUZZTIME) $(FUZZMINIMIZE); \
	  done; done

bench: ## Run the benchmarks recorded in docs/performance.md.
	$(GO) test -run='^$$' -bench=. -benchmem $(PKGS)

golden: ## Rewrite golden files after an intended change (the packages that define -update).
	$(GO) test ./collector/ ./collector/file/ ./dashboards/ ./rules/ -update
	$(GO) test ./collector/redmine -run TestRealRedmine -update   # needs Redmine: deploy/ci/install-redmine.sh
	$(GO) test ./collector/zabbix -run TestRealZabbix -record     # needs Zabbix: deploy/ci/install-zabbix.sh
	$(GO) test ./deploy/e2e -run TestKubernetesPrometheusRule -update

# The zabbix source against a real Zabbix 6.0: deploy/ci/install-zabbix.sh installs it (as root:
# about 25 s for the packages and 10 s for the database the first time, 7 s after), the test starts
# PostgreSQL, the frontend under php -S and zabbix_server on free loopback ports (about 10 s).
test-zabbix: ## Install Zabbix 6.0 (deploy/ci/install-zabbix.sh: root or sudo) and run the zabbix source's tests against it.
	bash deploy/ci/install-zabbix.sh
	CI=true $(GO) test -race -count=1 -v -run 'TestRealZabbix|TestShippedConfig' ./collector/zabbix/
	$(GO) test -race -count=1 -skip 'TestRealZabbix|TestShippedConfig' ./collector/zabbix/

test-rt: ## Install Request Tracker 5 (deploy/ci/install-rt.sh: root or sudo) and run the rt source's tests against it.
	bash deploy/ci/install-rt.sh
	CI=true $(GO) test -race -count=1 -v -run 'TestRealRT|TestLiveConfig' ./collector/rt/
	$(GO) test -race -count=1 -skip 'TestRealRT|TestLiveConfig' ./collector/rt/
