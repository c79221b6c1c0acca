#!/usr/bin/env bash
# The project's one test command (README and .ci/run call it):
#
#   bash scripts/test.sh [extra `dotnet test` arguments, e.g. --filter Category=Fast]
#
# 1. dotnet restore + dotnet build -c Release of Karpenter.Orleans.sln
#    (on failure: print the compiler errors, exit 1);
# 2. dotnet test, one run per test project of the solution, each writing
#    .test-results/<Project>.trx;
# 3. add up the TRX counters (scripts/trx-summary.sh) and print, as the last line,
#    `N passed, N failed` (`, N skipped` appended when tests were skipped).
#
# Exit status: 0 only when the build succeeded, at least one test ran and none
# failed. Works as root on a fresh Debian 12 with the .NET 10 SDK and no network
# but the package registries (NuGet for restore, Debian's archive for apt-get).
#
# Why one `dotnet test` per project rather than one for the whole solution: with a
# fixed trx LogFileName every project of a solution run writes the same file and
# only the last one survives. The project list still comes from the solution, so a
# test project added to Karpenter.Orleans.sln is picked up without editing this file.
#
# Knobs (environment):
#   KARPO_TEST_HANG_TIMEOUT   one test running longer than this aborts its project's
#                             run and counts as a failure (default 5min)
#   KARPO_TEST_STATE          where services keep their data (default .ci-state)
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
ROOT=$PWD
SLN=Karpenter.Orleans.sln
RESULTS=$ROOT/.test-results
STATE=${KARPO_TEST_STATE:-$ROOT/.ci-state}
HANG_TIMEOUT=${KARPO_TEST_HANG_TIMEOUT:-5min}

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
# start_postgres is called in the "services" step of main() below; start_moto is not
# called yet (the issue that brings the AWS EC2 provider adds it there). Each hook is
# safe to run on a fresh machine, exports where its service listens, and stops the
# service on exit.
# ================================================================================

# start_postgres: a private PostgreSQL on 127.0.0.1:55432 with data in
# $STATE/pg, role and database "orleans" (password "orleans").
# Installs Debian's postgresql package when no server binaries are present.
# Exports KARPO_TEST_POSTGRES (an Npgsql connection string) and PGHOST/PGPORT.
PG_PORT=55432
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
  runuser -u postgres -- "$bindir/pg_ctl" -D "$pgdata" -l "$pglog" -w -t 60 start >/dev/null ||
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
MOTO_PORT=5055
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

# Test projects of the solution: its projects whose IsTestProject is true
# (Microsoft.NET.Test.Sdk sets it), in solution order.
test_projects() {
  local p
  dotnet sln "$SLN" list | tr '\\' '/' | grep -E '\.(cs|fs|vb)proj$' | while IFS= read -r p; do
    p=${p%$'\r'}
    if [[ $(dotnet msbuild "$p" -getProperty:IsTestProject -p:Configuration=Release -nologo 2>/dev/null) == true ]]; then
      printf '%s\n' "$p"
    fi
  done
}

EXTRA_FAILED=0
TRX_FILES=()
run_tests() {
  local projects p name trx rc t
  mapfile -t projects < <(test_projects)
  if ((${#projects[@]} == 0)); then
    echo "no test project found in $SLN"
    return 0
  fi
  for p in "${projects[@]}"; do
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
      echo "!! $name: no results file $trx (exit $rc); counted as one failure"
      EXTRA_FAILED=$((EXTRA_FAILED + 1))
      continue
    fi
    TRX_FILES+=("$trx")
    # dotnet test failed although the TRX shows a completed run without failures:
    # something went wrong around the run; do not let it pass silently.
    if ((rc != 0)) && grep -qE '<ResultSummary outcome="(Completed|Passed|Warning)"' "$trx" &&
      grep -qE '<Counters [^>]* failed="0" error="0"' "$trx"; then
      echo "!! $name: dotnet test exited $rc but its TRX shows no failure; counted as one failure"
      EXTRA_FAILED=$((EXTRA_FAILED + 1))
    fi
  done
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
  # not skip, without KARPO_TEST_POSTGRES). start_moto joins here with the EC2 provider.
  start_postgres || { echo "0 passed, 0 failed"; return 1; }

  run_tests "$@"

  log "summary (${SECONDS}s in all, results in ${RESULTS#"$ROOT"/}/)"
  bash "$ROOT/scripts/trx-summary.sh" --extra-failed "$EXTRA_FAILED" ${TRX_FILES[@]+"${TRX_FILES[@]}"}
  local rc=$?
  # trx-summary exits 2 when no test ran: that is a failure of the suite too.
  ((rc == 0)) || return 1
  return 0
}

main "$@"
