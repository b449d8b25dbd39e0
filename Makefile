# Coffer — see README.md. Two commands set everything up on a fresh machine: `make run`, `make test`.
.PHONY: run stop test coverage bench soak fmt clean build release

run:            ## build (release) and run the whole system on a throwaway PostgreSQL
	@scripts/run.sh

stop:           ## stop what `make run` started
	@scripts/run.sh stop

test:           ## one debug build, then every test against a real PostgreSQL
	@scripts/test.sh

coverage:       ## every test with coverage on; prints line coverage per module
	@scripts/coverage.sh

bench:          ## release build, then the benchmarks (prints a table)
	@scripts/bench.sh

soak:           ## a 10-minute load on one service, sampling RSS (SOAK_SECONDS to change)
	@scripts/soak.sh

build:
	swift build

release:
	swift build -c release

fmt:            ## format the sources with swift format and .swift-format
	swift format format --in-place --recursive --parallel Package.swift Shared Services Tests Plugins Tools

clean:          ## stop everything and remove .run/ (the throwaway database included)
	-@scripts/run.sh stop
	rm -rf .run
