# Agora — the two commands that matter: `make run` and `make test`.
SWIFT ?= swift
PORT ?= 8080
AGORA := .build/debug/agora

.PHONY: deps build run test test-system bench release clean

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

# Builds the demo shop in content/ into output/ and serves it, with the cart and checkout, on
# http://127.0.0.1:$(PORT) (the database is data/agora.sqlite).
run: build
	$(AGORA) build
	$(AGORA) serve --port $(PORT)

# Every suite: the Swift tests, then the system suites against the real binary (contract, fuzzing,
# browser; see Tests/system). FUZZ_EXAMPLES=5000 make test-system fuzzes longer.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test
	@scripts/install-deps.sh system
	scripts/system-tests.sh

# The same build as `make test` (with --build-tests, so nothing is compiled twice).
test-system: deps
	@scripts/install-deps.sh system
	$(SWIFT) build --build-tests
	scripts/system-tests.sh

# The release binary carries Swift's runtime and Foundation inside it (`--static-swift-stdlib`): it
# starts in half the time (a third of a "nothing changed" build went to loading and binding the
# shared libraries), calls the runtime directly, and runs on a machine without Swift installed.
RELEASE_FLAGS := -c release --static-swift-stdlib

release: deps
	$(SWIFT) build $(RELEASE_FLAGS)

# Full and incremental builds of 1,000 to 50,000 products side by side with Hugo, the server under
# wrk (SQLite; PostgreSQL with one server and three), the view counters against Redis INCR and the
# feed; each writes its figures into BENCHMARKS.md.
bench:
	@scripts/install-deps.sh bench
	$(SWIFT) build $(RELEASE_FLAGS)
	scripts/bench-build.sh
	scripts/bench-server.sh
	scripts/bench-postgres.sh
	scripts/bench-views.sh
	scripts/bench-feed.sh

clean:
	rm -rf .build bench-out
