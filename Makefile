# Attrib: the obvious targets. `make demo` and `make test` are the README's two commands.
.PHONY: demo demo-ibc test e2e e2e-auditor e2e-services meter-e2e soak fmt lint unit fuzz fuzz-long wasm size-profile schema schema-check tools localnet-up localnet-down localnet-status deploy gas sim ci

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
