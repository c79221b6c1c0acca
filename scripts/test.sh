#!/usr/bin/env bash
# The project's one test command (README and .ci/run call it):
#
#   bash scripts/test.sh [extra `dotnet test` arguments, e.g. --filter Category=Fast]
#
# 1. dotnet restore + dotnet build -c Release of Karpenter.Orleans.sln
#    (on failure: print the compiler errors, exit 1);
# 2. check the solution's test projects against scripts/test-projects.txt: every
#    listed project must exist, evaluate, be a test project of the solution and have
#    been built; a test project of the solution that is not listed is an error too;
# 3. dotnet test, one run per listed test project, each writing
#    .test-results/<Project>.trx; a project that writes no TRX, or (without extra
#    arguments) runs zero tests, counts as a failure;
# 4. add up the TRX counters (scripts/trx-summary.sh) and print, as the last line,
#    `N passed, N failed` (`, N skipped` appended when tests were skipped).
#    Each problem of step 2 or 3 is one failure, printed as a line starting `!! `
#    that names the project.
#
# Exit status: 0 only when the build succeeded, every expected test project ran,
# at least one test ran and none failed; 1 otherwise. Works as root on a fresh Debian 12 with the .NET 10 SDK and no network
# but the package registries (NuGet for restore, Debian's archive for apt-get).
#
# Why one `dotnet test` per project rather than one for the whole solution: with a
# fixed trx LogFileName every project of a solution run writes the same file and
# only the last one survives. The projects run are the checked-in list, compared with
# the solution's, so a project that drops out of the solution or fails to evaluate
# cannot vanish silently while the others pass.
#
# Knobs (environment):
#   KARPO_TEST_HANG_TIMEOUT   one test running longer than this aborts its project's
#                             run and counts as a failure (default 5min)
#   KARPO_TEST_STATE          where services keep their data (default .ci-state)
#   KARPO_TEST_PG_PORT        port of the private PostgreSQL (default 55432)
#   KARPO_TEST_PROJECTS       the expected-project list (default scripts/test-projects.txt)
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
ROOT=$PWD
SLN=Karpenter.Orleans.sln
RESULTS=$ROOT/.test-results
STATE=${KARPO_TEST_STATE:-$ROOT/.ci-state}
HANG_TIMEOUT=${KARPO_TEST_HANG_TIMEOUT:-5min}
EXPECTED_LIST=${KARPO_TEST_PROJECTS:-$ROOT/scripts/test-projects.txt}

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export DOTNET_CLI_UI_LANGUAGE=en
# Leave no MSBuild node or compiler server running once the script ends, so nothing
# outlives the run; --disable-build-servers below does the same per command.
export MSBUILDDISABLENODEREUSE=1
# Plain, line-oriented MSBuild output even on a terminal.
export MSBUILDTERMINALLOGGER=off

log() { printf '== %s\n' "$*"; }
elapsed() { printf '%ds' $((SECONDS - ${1:-0})); }

# --------------------------------------------------------------------------------
# Clean-up on exit. Each service hook registers what undoes it; run in reverse order,
# quietly, so the summary stays the last line printed.
# --------------------------------------------------------------------------------
CLEANUPS=()
on_exit() { CLEANUPS+=("$1"); }
run_cleanups() {
  local i
  for ((i = ${#CLEANUPS[@]} - 1; i >= 0; i--)); do
    eval "${CLEANUPS[i]}" >/dev/null 2>&1 || true
  done
}
trap run_cleanups EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ================================================================================
# Service hooks for later issues.
#
# start_postgres, start_moto, ensure_chromium, ensure_promtool and ensure_kubectl are called in the "services" step of main() below. Each hook is
# safe to run on a fresh machine, exports where its service listens, and stops the
# service on exit.
# ================================================================================

# start_postgres: a private PostgreSQL on 127.0.0.1:55432 with data in
# $STATE/pg, role and database "orleans" (password "orleans").
# Installs Debian's postgresql package when no server binaries are present.
# Exports KARPO_TEST_POSTGRES (an Npgsql connection string) and PGHOST/PGPORT.
PG_PORT=${KARPO_TEST_PG_PORT:-55432}
start_postgres() {
  local bindir pgdata pglog
  if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
    log "installing postgresql (apt-get)"
    # Keep the package from starting its own cluster on port 5432: only the private
    # instance below should run. (policy-rc.d is Debian's switch for that.)
    local policy_added=
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && policy_added=1
    fi
    local ok=1
    DEBIAN_FRONTEND=noninteractive apt-get update -q >"$STATE/apt.log" 2>&1 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >>"$STATE/apt.log" 2>&1 || ok=
    [[ -n $policy_added ]] && rm -f /usr/sbin/policy-rc.d
    [[ -n $ok ]] || { cat "$STATE/apt.log" >&2; echo "start_postgres: apt-get install postgresql failed" >&2; return 1; }
  fi
  # Highest installed major version.
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  pgdata=$STATE/pg
  id postgres >/dev/null 2>&1 || { echo "start_postgres: no 'postgres' user (package not installed?)" >&2; return 1; }

  # The server refuses to run as root: the data directory belongs to "postgres",
  # who must also be able to reach it through every parent directory. When the
  # checkout sits below a private directory (say /root), fall back to /var/tmp.
  mkdir -p "$pgdata"
  chmod 755 "$STATE"
  chown postgres:postgres "$pgdata"
  chmod 700 "$pgdata"
  if ! runuser -u postgres -- test -w "$pgdata"; then
    pgdata=/var/tmp/karpo-test-pg-$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)
    log "postgres cannot reach $STATE/pg; using $pgdata"
    mkdir -p "$pgdata" && chown postgres:postgres "$pgdata" && chmod 700 "$pgdata" || return 1
  fi
  # The server log lives in the data directory: only "postgres" can write there.
  pglog=$pgdata/server.log
  if [[ ! -f $pgdata/PG_VERSION ]]; then
    runuser -u postgres -- "$bindir/initdb" -D "$pgdata" -U postgres --auth=trust \
      --encoding=UTF8 --locale=C.UTF-8 >"$STATE/initdb.log" 2>&1 ||
      { cat "$STATE/initdb.log" >&2; return 1; }
    # Loopback TCP only (no unix socket: a deep checkout path can exceed the socket
    # path limit); durability is not needed for a throwaway test database.
    cat >>"$pgdata/postgresql.conf" <<EOF

# --- scripts/test.sh: private test instance ---
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = ''
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF
  fi
  # A server left over from an interrupted run is stopped first.
  runuser -u postgres -- "$bindir/pg_ctl" -D "$pgdata" status >/dev/null 2>&1 &&
    runuser -u postgres -- "$bindir/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null 2>&1
  # The port is given here too, so a data directory made with another port still listens where asked.
  runuser -u postgres -- "$bindir/pg_ctl" -D "$pgdata" -l "$pglog" -o "-p $PG_PORT" -w -t 60 start >/dev/null ||
    { cat "$pglog" >&2; echo "start_postgres: server did not start" >&2; return 1; }
  on_exit "runuser -u postgres -- '$bindir/pg_ctl' -D '$pgdata' -m fast -w stop"

  local psql=("$bindir/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -d postgres)
  if [[ -z $("${psql[@]}" -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'orleans'") ]]; then
    "${psql[@]}" -c "CREATE ROLE orleans LOGIN PASSWORD 'orleans'" || return 1
  fi
  if [[ -z $("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = 'orleans'") ]]; then
    "${psql[@]}" -c "CREATE DATABASE orleans OWNER orleans" || return 1
  fi

  export PGHOST=127.0.0.1 PGPORT=$PG_PORT
  export KARPO_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=orleans;Password=orleans;Database=orleans"
  log "postgres ready on 127.0.0.1:$PG_PORT ($("$bindir/postgres" --version))"
}

# start_moto: moto_server (an EC2-compatible endpoint; the machine image provides
# it) on 127.0.0.1:5055 in the background, killed on exit.
# Exports KARPO_TEST_EC2_ENDPOINT and dummy AWS credentials/region for the SDK.
MOTO_PORT=${KARPO_TEST_MOTO_PORT:-5055}
start_moto() {
  local pid i
  command -v moto_server >/dev/null || { echo "start_moto: moto_server not found on PATH" >&2; return 1; }
  if (exec 3<>"/dev/tcp/127.0.0.1/$MOTO_PORT") 2>/dev/null; then
    echo "start_moto: 127.0.0.1:$MOTO_PORT is already in use" >&2
    return 1
  fi
  moto_server -H 127.0.0.1 -p "$MOTO_PORT" >"$STATE/moto.log" 2>&1 </dev/null &
  pid=$!
  on_exit "kill $pid; wait $pid"
  for ((i = 0; i < 300; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$MOTO_PORT") 2>/dev/null; then
      export KARPO_TEST_EC2_ENDPOINT="http://127.0.0.1:$MOTO_PORT"
      export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
      export AWS_EC2_METADATA_DISABLED=true
      log "moto_server ready on 127.0.0.1:$MOTO_PORT"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  cat "$STATE/moto.log" >&2
  echo "start_moto: moto_server did not start listening on 127.0.0.1:$MOTO_PORT" >&2
  return 1
}

# ensure_chromium: Debian's chromium, the browser the console's Playwright tests drive
# (tests/Karpenter.Orleans.Silo.Tests/Console; Playwright downloads nothing). Installed with
# apt-get when missing; exports KARPO_TEST_CHROMIUM. Without it those tests fail, naming it.
ensure_chromium() {
  local browser=${KARPO_TEST_CHROMIUM:-/usr/bin/chromium}
  if [[ ! -x $browser ]]; then
    log "installing chromium (apt-get)"
    { DEBIAN_FRONTEND=noninteractive apt-get update -q &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } >"$STATE/apt-chromium.log" 2>&1 ||
      { cat "$STATE/apt-chromium.log" >&2; echo "ensure_chromium: apt-get install chromium failed" >&2; return 1; }
  fi
  export KARPO_TEST_CHROMIUM=$browser
}

# ensure_promtool: Prometheus' promtool, which runs the alert rules' unit tests
# (tests/Karpenter.Orleans.Silo.Tests/Operations/PromtoolTests, deploy/prometheus/alerts.test.yml). Installed
# with Debian's prometheus package when missing, without starting its service; exports KARPO_TEST_PROMTOOL.
# Without it those tests fail, naming it; every other test still runs.
ensure_promtool() {
  local tool=${KARPO_TEST_PROMTOOL:-/usr/bin/promtool}
  if [[ ! -x $tool ]]; then
    log "installing promtool (apt-get prometheus)"
    local policy_added=
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && policy_added=1
    fi
    { DEBIAN_FRONTEND=noninteractive apt-get update -q &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus; } >"$STATE/apt-promtool.log" 2>&1 ||
      log "promtool could not be installed (see ${STATE#"$ROOT"/}/apt-promtool.log); the promtool tests will fail"
    [[ -n $policy_added ]] && rm -f /usr/sbin/policy-rc.d
  fi
  export KARPO_TEST_PROMTOOL=$tool
  return 0
}

# ensure_kubectl: the real kubectl the API server tests drive
# (tests/Karpenter.Orleans.Kubernetes.ApiServer.Tests). Installs it with apt-get when it is
# not on PATH: the "kubectl" package where an apt source provides it, else Debian's
# "kubernetes-client" (kubectl 1.20; the tests pass with it too). When neither installs, the
# kubectl tests report themselves skipped with that reason; every other test still runs.
ensure_kubectl() {
  command -v kubectl >/dev/null && return 0
  log "installing kubectl (apt-get)"
  {
    DEBIAN_FRONTEND=noninteractive apt-get update -q &&
      { DEBIAN_FRONTEND=noninteractive apt-get install -y -q kubectl ||
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q kubernetes-client; }
  } >"$STATE/apt-kubectl.log" 2>&1
  if command -v kubectl >/dev/null; then
    log "kubectl ready ($(kubectl version --client 2>/dev/null | head -n 1))"
  else
    log "kubectl could not be installed (see ${STATE#"$ROOT"/}/apt-kubectl.log); the kubectl tests will be skipped"
  fi
  return 0
}

# ================================================================================
# Build
# ================================================================================

# Prints the build's error lines (deduplicated: MSBuild repeats them in its summary),
# or its last lines when it failed without any compiler/MSBuild error line.
print_build_errors() {
  local out=$1 errors
  errors=$(grep -E '(: error |error [A-Z]+[0-9]+:|^error:|MSBUILD : error)' "$out" | sed 's/^[[:space:]]*//' | awk '!seen[$0]++')
  echo "---- errors -------------------------------------------------------------"
  if [[ -n $errors ]]; then
    printf '%s\n' "$errors"
  else
    tail -n 40 "$out"
  fi
  echo "-------------------------------------------------------------------------"
  echo "(full output: ${out#"$ROOT"/})"
}

build() {
  local t=$SECONDS
  log "restore $SLN"
  if ! dotnet restore "$SLN" --disable-build-servers -v:q -nologo >"$RESULTS/restore.log" 2>&1; then
    echo "RESTORE FAILED"
    print_build_errors "$RESULTS/restore.log"
    return 1
  fi
  log "build $SLN -c Release ($(elapsed "$t") so far)"
  if ! dotnet build "$SLN" -c Release --no-restore --disable-build-servers -nologo \
    -v:q -clp:NoSummary >"$RESULTS/build.log" 2>&1; then
    echo "BUILD FAILED"
    print_build_errors "$RESULTS/build.log"
    return 1
  fi
  log "restored and built in $(elapsed "$t")"
}

# ================================================================================
# Tests
# ================================================================================

EXTRA_FAILED=0
TRX_FILES=()
PROJECTS=()

# One failure not in any TRX file, with the line that says why.
problem() {
  echo "!! $*"
  EXTRA_FAILED=$((EXTRA_FAILED + 1))
}

# Prints one MSBuild property of a project (Release); fails when the project does not
# evaluate.
property() {
  local out
  out=$(dotnet msbuild "$1" -getProperty:"$2" -p:Configuration=Release -nologo 2>&1) || { printf '%s\n' "$out" >&2; return 1; }
  printf '%s\n' "${out%$'\r'}"
}

# Fills PROJECTS with the expected test projects that exist, evaluate, are test
# projects of the solution and were built; reports every disagreement between the
# list and the solution as a failure.
check_projects() {
  local p built target listed=() in_sln=() sln_test=() unevaluated=()
  if [[ ! -f $EXPECTED_LIST ]]; then
    problem "expected-project list ${EXPECTED_LIST#"$ROOT"/} is missing"
    return
  fi
  mapfile -t listed < <(grep -vE '^\s*(#|$)' "$EXPECTED_LIST" | tr -d '\r' | sed 's/[[:space:]]*$//')
  ((${#listed[@]} > 0)) || problem "expected-project list ${EXPECTED_LIST#"$ROOT"/} names no project"
  mapfile -t in_sln < <(dotnet sln "$SLN" list | tr '\\' '/' | tr -d '\r' | grep -E '\.(cs|fs|vb)proj$')

  # Test projects of the solution (IsTestProject, set by Microsoft.NET.Test.Sdk) must be listed.
  for p in "${in_sln[@]}"; do
    if ! built=$(property "$p" IsTestProject 2>"$RESULTS/evaluate.log"); then
      problem "$p: MSBuild evaluation failed ($(grep -m1 -E 'error' "$RESULTS/evaluate.log" || tail -n 1 "$RESULTS/evaluate.log"))"
      unevaluated+=("$p")
      continue
    fi
    [[ $built == true ]] && sln_test+=("$p")
  done
  for p in "${sln_test[@]}"; do
    printf '%s\n' "${listed[@]}" | grep -qxF "$p" || problem "$p: test project of $SLN missing from ${EXPECTED_LIST#"$ROOT"/}"
  done

  for p in "${listed[@]}"; do
    if [[ ! -f $p ]]; then
      problem "$p: expected test project is missing"
    elif printf '%s\n' ${unevaluated[@]+"${unevaluated[@]}"} | grep -qxF "$p"; then
      continue # reported above
    elif ! printf '%s\n' "${in_sln[@]}" | grep -qxF "$p"; then
      problem "$p: expected test project is not in $SLN (so it was not built)"
    elif ! printf '%s\n' ${sln_test[@]+"${sln_test[@]}"} | grep -qxF "$p"; then
      problem "$p: expected test project does not evaluate as a test project (IsTestProject is not true)"
    elif ! target=$(property "$p" TargetPath 2>/dev/null) || [[ ! -f $target ]]; then
      problem "$p: expected test project was not built (no ${target:-TargetPath})"
    else
      PROJECTS+=("$p")
    fi
  done
}

run_tests() {
  local p name trx rc t total
  for p in "${PROJECTS[@]}"; do
    name=$(basename "$p")
    name=${name%.*proj}
    trx=$RESULTS/$name.trx
    t=$SECONDS
    log "test $name"
    dotnet test "$p" -c Release --no-build --disable-build-servers -nologo \
      --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
      --results-directory "$RESULTS" \
      --blame-hang-timeout "$HANG_TIMEOUT" --blame-hang-dump-type none \
      "$@" 2>&1 | tee "$RESULTS/$name.log" | grep -vE '^\s*$'
    rc=${PIPESTATUS[0]}
    log "$name finished in $(elapsed "$t") (exit $rc)"
    if [[ ! -f $trx ]]; then
      problem "$name: no results file ${trx#"$ROOT"/} (exit $rc); counted as one failure"
      continue
    fi
    TRX_FILES+=("$trx")
    # dotnet test failed although the TRX shows a completed run without failures:
    # something went wrong around the run; do not let it pass silently.
    if ((rc != 0)) && grep -qE '<ResultSummary outcome="(Completed|Passed|Warning)"' "$trx" &&
      grep -qE '<Counters [^>]* failed="0" error="0"' "$trx"; then
      problem "$name: dotnet test exited $rc but its TRX shows no failure; counted as one failure"
    fi
    # Without a filter every expected project must run something (with one, a
    # project may rightly match nothing; trx-summary still needs one test overall).
    (($# > 0)) || check_ran_tests "$name" "$trx"
  done
}

check_ran_tests() {
  local total
  total=$(grep -o '<Counters [^>]*>' "$2" | head -n 1 | sed -n 's/.* total="\([0-9]*\)".*/\1/p')
  if [[ ${total:-0} == 0 ]]; then
    problem "$1: ran zero tests; counted as one failure"
  fi
}

# ================================================================================
main() {
  rm -rf "$RESULTS"
  mkdir -p "$RESULTS" "$STATE"

  if ! build; then
    echo "0 passed, 0 failed"
    return 1
  fi

  # ---- services ---------------------------------------------------------------
  # PostgreSQL backs the ADO.NET storage, clustering and reminder tests (they fail,
  # not skip, without KARPO_TEST_POSTGRES). moto_server is the EC2 and SQS endpoint of
  # the AWS provider's tests (they start their own when KARPO_TEST_EC2_ENDPOINT is unset).
  start_postgres || { echo "0 passed, 0 failed"; return 1; }
  start_moto || { echo "0 passed, 0 failed"; return 1; }
  ensure_chromium || { echo "0 passed, 0 failed"; return 1; }
  ensure_promtool
  # kubectl drives the API server's kubectl tests (they skip, saying why, only without it).
  ensure_kubectl

  check_projects
  run_tests "$@"

  log "summary (${SECONDS}s in all, results in ${RESULTS#"$ROOT"/}/)"
  bash "$ROOT/scripts/trx-summary.sh" --extra-failed "$EXTRA_FAILED" ${TRX_FILES[@]+"${TRX_FILES[@]}"}
  local rc=$?
  # trx-summary exits 2 when no test ran: that is a failure of the suite too.
  ((rc == 0)) || return 1
  return 0
}

main "$@"
