# Parley. `make run` starts the app with seed data; `make test` runs every check.
GO ?= go
BIN := bin/parley

.PHONY: run build test test-go fuzz-short lint generate check-generate bench clean

run: build
	@./scripts/deps.sh
	./$(BIN) serve

build:
	$(GO) build -o $(BIN) ./cmd/server

# The whole suite: tests with the race detector against real PostgreSQL
# (a private cluster each test binary starts, or TEST_DATABASE_URL; the
# fault tests restart it; a package may take over the default 10 minutes
# on a loaded 2-core machine), a short run of every fuzz target, then
# formatting, vet, staticcheck and generated-code drift.
test:
	@./scripts/deps.sh test
	$(MAKE) test-go fuzz-short lint check-generate

# Every fuzz target for FUZZTIME (3000 executions) each; longer: FUZZTIME=1m make fuzz-short.
fuzz-short:
	./scripts/fuzz-short.sh

# go test's default 10-minute limit per package is too tight for the handlers
# package (hundreds of databases and sign-ins) on a busy two-core machine.
test-go:
	$(GO) test -race -count=1 -timeout 30m ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

generate:
	$(GO) tool templ generate -path views

# Fails when the committed _templ.go files differ from what templ generates.
check-generate:
	@tmp=$$(mktemp -d); cp -r views $$tmp/; \
	  $(GO) tool templ generate -path views >/dev/null; \
	  if ! diff -r -q $$tmp/views views >/dev/null; then \
	    echo "views/*_templ.go are stale: run 'make generate' and commit"; diff -r $$tmp/views views | head -40; rm -rf $$tmp; exit 1; fi; \
	  rm -rf $$tmp

# Go benchmarks, then Parley at a million statements beside PostgreSQL
# alone (pgbench on each page's SQL, raw COPY): one table. The data is
# generated once into ./.bench (BENCH_DIR) and reused; N sets its size.
bench:
	@./scripts/deps.sh
	$(GO) test -run '^$$' -bench . -benchmem ./...
	./scripts/bench.sh

clean:
	rm -rf bin
