#!/usr/bin/env bash
# The metering service on PostgreSQL (SPEC §11): a server of the project's own
# (scripts/postgres.sh, a fresh database), the store suite and the HTTP API tests on it
# (ATTRIB_TEST_PG_URL), then two meters of one operator failing over on one database, on
# a chain of its own (chain id attrib-pg, ports +6000). PostgreSQL and the chain are
# stopped at the end, also on failure. KEEP_CHAIN=1 reuses a running chain and model
# (ATTRIB_METER_TEST_MODEL); METER_PG_FAILOVER=0 runs the chain-less tests only (CI's
# early step: scripts/meter-e2e.sh runs the failover test on the meter's chain).
export CHAIN_ID="${CHAIN_ID:-attrib-pg}" PORT_OFFSET="${PORT_OFFSET:-6000}"
source "$(dirname "${BASH_SOURCE[0]}")/meter-env.sh"
cleanup() {
  bash scripts/localnet.sh stop || true
  bash scripts/postgres.sh stop || true
}
trap cleanup EXIT
ATTRIB_TEST_PG_URL=$(bash scripts/postgres.sh reset | tail -1)
export ATTRIB_TEST_PG_URL

step "the store suite and the HTTP API on PostgreSQL ($ATTRIB_TEST_PG_URL)"
cargo test --locked -p attrib-meter --lib --test http

[ "${METER_PG_FAILOVER:-1}" = 1 ] || exit 0
step "two meters on one PostgreSQL database: the standby takes over from a killed writer"
if [ "${KEEP_CHAIN:-0}" != 1 ]; then
  ATTRIB_METER_TEST_MODEL=$(bash scripts/meter-setup.sh | tail -1)
fi
export ATTRIB_METER_TEST_MODEL
cargo test --locked --workspace --test failover_pg -- --ignored --nocapture
