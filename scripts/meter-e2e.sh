#!/usr/bin/env bash
# The metering service against a chain of its own (scripts/meter-env.sh: attrib-meter,
# ports +2000): a fresh chain and model (scripts/meter-setup.sh), then the meter's
# end-to-end test and its crash test (METER_CRASH_RUNS kill -9s, default 50), then two
# meters failing over on one PostgreSQL database (scripts/postgres.sh). The chain and
# PostgreSQL are stopped at the end, also on failure. KEEP_CHAIN=1 reuses a running chain and model
# (ATTRIB_METER_TEST_MODEL).
source "$(dirname "${BASH_SOURCE[0]}")/meter-env.sh"
trap 'bash scripts/localnet.sh stop; bash scripts/postgres.sh stop' EXIT
if [ "${KEEP_CHAIN:-0}" != 1 ]; then
  ATTRIB_METER_TEST_MODEL=$(bash scripts/meter-setup.sh | tail -1)
fi
ATTRIB_TEST_PG_URL=$(bash scripts/postgres.sh reset | tail -1)
export ATTRIB_METER_TEST_MODEL ATTRIB_TEST_PG_URL
cargo test --locked --workspace --test e2e_chain --test crash --test failover_pg -- --ignored --test-threads=1 --nocapture
