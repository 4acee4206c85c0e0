#!/usr/bin/env bash
# The metering service against a chain of its own (scripts/meter-env.sh: attrib-meter,
# ports +2000): a fresh chain and model (scripts/meter-setup.sh), then the meter's
# end-to-end test and its crash test (METER_CRASH_RUNS kill -9s, default 50). The chain
# is stopped at the end, also on failure. KEEP_CHAIN=1 reuses a running chain and model
# (ATTRIB_METER_TEST_MODEL).
source "$(dirname "${BASH_SOURCE[0]}")/meter-env.sh"
trap 'bash scripts/localnet.sh stop' EXIT
if [ "${KEEP_CHAIN:-0}" != 1 ]; then
  ATTRIB_METER_TEST_MODEL=$(bash scripts/meter-setup.sh | tail -1)
fi
export ATTRIB_METER_TEST_MODEL
cargo test --locked -p attrib-meter --test e2e_chain --test crash -- --ignored --test-threads=1 --nocapture
