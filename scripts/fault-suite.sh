#!/usr/bin/env bash
# The fault suite in one command (docs/reliability.md):
#
#   bash scripts/fault-suite.sh [--long] [extra `dotnet test` arguments]
#
# Builds tests/Karpenter.Orleans.Fault.Tests (which builds the silo it runs as child
# processes), starts the private PostgreSQL the way scripts/test.sh does (its
# start_postgres, read from that file, not copied), runs the suite and prints the
# invariant report (fault points x runs, every invariant pass/fail), which is also
# kept in .test-results/fault-suite/*.md.
#
# --long (or KARPO_FAULT_SUITE_LONG=1): every fault point a second time (#2), all
# eight points on the PostgreSQL pair, more pods per batch and more reconnects.
# The default mode is the one scripts/test.sh runs with the other test projects.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
ROOT=$PWD
STATE=${KARPO_TEST_STATE:-$ROOT/.ci-state}
RESULTS=$ROOT/.test-results
PROJECT=tests/Karpenter.Orleans.Fault.Tests/Karpenter.Orleans.Fault.Tests.csproj
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 MSBUILDDISABLENODEREUSE=1 MSBUILDTERMINALLOGGER=off

if [[ ${1:-} == --long ]]; then
  export KARPO_FAULT_SUITE_LONG=1
  shift
fi

log() { printf '== %s\n' "$*"; }
CLEANUPS=()
on_exit() { CLEANUPS+=("$1"); }
run_cleanups() {
  local i
  for ((i = ${#CLEANUPS[@]} - 1; i >= 0; i--)); do eval "${CLEANUPS[i]}" >/dev/null 2>&1 || true; done
}
trap run_cleanups EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$STATE" "$RESULTS"
rm -rf "$RESULTS/fault-suite"

# PostgreSQL: reuse a server that already answers (KARPO_TEST_POSTGRES set by the caller),
# else scripts/test.sh's start_postgres, taken from that file so there is one definition.
if [[ -z ${KARPO_TEST_POSTGRES:-} ]]; then
  eval "$(sed -n '/^PG_PORT=/p; /^start_postgres() {/,/^}/p' scripts/test.sh)"
  declare -F start_postgres >/dev/null || { echo "fault-suite: start_postgres not found in scripts/test.sh" >&2; exit 1; }
  start_postgres || exit 1
fi

log "build $PROJECT -c Release"
dotnet build "$PROJECT" -c Release --disable-build-servers -nologo -v:q -clp:NoSummary >"$RESULTS/fault-suite-build.log" 2>&1 ||
  { grep -E ': error ' "$RESULTS/fault-suite-build.log" | sort -u; echo "BUILD FAILED (see ${RESULTS#"$ROOT"/}/fault-suite-build.log)"; exit 1; }

log "run the fault suite${KARPO_FAULT_SUITE_LONG:+ (long mode)}"
dotnet test "$PROJECT" -c Release --no-build --disable-build-servers -nologo \
  --logger "trx;LogFileName=Karpenter.Orleans.Fault.Tests.trx" --logger "console;verbosity=normal" \
  --results-directory "$RESULTS" "$@"
rc=$?

log "invariant report (${RESULTS#"$ROOT"/}/fault-suite/)"
cat "$RESULTS"/fault-suite/*.md 2>/dev/null || echo "no report written"
exit $rc
