# Attrib: the obvious targets. `make demo` and `make test` are the README's two commands.
.PHONY: demo demo-ibc test e2e e2e-auditor e2e-services meter-e2e soak-meter soak fmt lint unit fuzz fuzz-long wasm size-profile schema schema-check ts ts-check ts-e2e dashboard dashboard-test dashboard-perf tools localnet-up localnet-down localnet-status deploy gas ci meter-pg bench-meter sim

demo:            ## local chain up, contracts built and deployed, SPEC §10 played through the CLI
	bash scripts/demo.sh
demo-ibc:        ## the demo with the cross-chain purchase (second chain + relayer)
	bash scripts/demo.sh --ibc
test:            ## everything CI runs
	bash scripts/test.sh
ci: test
e2e:             ## the #[ignore]d end-to-end tests on fresh attrib-e2e + buyer-e2e chains
	bash scripts/e2e.sh
e2e-auditor:     ## the auditor's #[ignore]d end-to-end test on a fresh attrib-audit chain
	bash scripts/e2e-auditor.sh
e2e-services:    ## meter + auditor + loadgen on a fresh attrib-int chain, an operator made to cheat by the test harness
	bash scripts/e2e-services.sh
meter-e2e:       ## the metering service on a fresh attrib-meter chain: e2e and kill -9 crash test (METER_CRASH_RUNS)
	bash scripts/meter-e2e.sh
soak-meter:      ## the meter's kill -9 crash test at length: 500 kills (METER_CRASH_RUNS), figures → target/soak-meter.json
	mkdir -p target && METER_CRASH_RUNS=$${METER_CRASH_RUNS:-500} METER_CRASH_REPORT=$(CURDIR)/target/soak-meter.json bash scripts/meter-e2e.sh
meter-pg:        ## the metering service on PostgreSQL 15 (installed, started, stopped): store suite, HTTP API, failover on an attrib-pg chain
	bash scripts/meter-pg.sh
bench-meter:     ## the metering service's benchmark (issue 13) on a fresh attrib-bench chain → target/bench-meter.json
	bash scripts/bench-meter.sh
sim:             ## the mechanism simulation: every scenario, all seeds → target/sim/ (ATTRIB_SIM_ARGS)
	bash scripts/sim.sh
soak:            ## the protocol under random operation at length (ATTRIB_SOAK_CASES, ATTRIB_SOAK_SEED)
	bash scripts/soak.sh
fmt:
	cargo fmt --all
lint:
	cargo clippy --workspace --all-targets -- -D warnings
unit:            ## unit and multi-tests; the end-to-end tests show as ignored
	cargo test --workspace
fuzz:            ## every fuzz target ~25 s (cargo-fuzz on nightly; as CI runs it)
	bash scripts/fuzz.sh ci
fuzz-long:       ## every fuzz target 4 minutes, with a table of executions, coverage, crashes
	bash scripts/fuzz.sh long
wasm:            ## artifacts/*.wasm + checksums, checked with cosmwasm-check
	bash scripts/build-wasm.sh
size-profile:    ## what makes each wasm big (twiggy), by kind of code
	bash scripts/size-profile.sh
schema:          ## regenerate schema/
	bash scripts/schema.sh gen
schema-check:
	bash scripts/schema.sh check
ts:              ## regenerate the TypeScript clients (packages/attrib-ts) from schema/
	bash scripts/ts.sh gen
ts-check:        ## the committed TypeScript clients match schema/ and type-check
	bash scripts/ts.sh check
ts-e2e:          ## the TypeScript clients' Node test on a fresh attrib-ts chain
	bash scripts/ts-e2e.sh --own-chain
dashboard:       ## the protocol dashboard on loopback against the running demo chain
	bash scripts/dashboard.sh serve
dashboard-test:  ## the dashboard in Chromium (playwright-core) against the chain of the environment
	bash scripts/dashboard.sh test
dashboard-perf:  ## the overview with 1 000 settled epochs (a chain of its own, ~17 min the first time, then kept) → target/dashboard/perf-history.json
	bash scripts/dashboard-perf.sh
tools:           ## install wasm tools and wasmd into ~/.cache/attrib
	bash scripts/tools.sh all
localnet-up:
	bash scripts/localnet.sh start
localnet-down:
	bash scripts/localnet.sh stop
localnet-status:
	bash scripts/localnet.sh status
deploy:          ## build, start attrib-local if it is down, deploy (a live deployment is reused)
	bash scripts/deploy.sh
gas:             ## gas table on the local chain → target/gas-table.json
	bash scripts/gas.sh
