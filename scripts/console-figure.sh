#!/usr/bin/env bash
# Measures the fleet console on a large fleet, as an operator runs it: the real silo process (SQLite, the
# simulated cloud and fleet) with CLUSTERS simulated clusters at workload SCALE, and once the fleet has
# grown to NODES nodes (or WAIT seconds have passed), each console page fetched ROUNDS times with a read
# token. Prints per page the size and the median and worst time, the silo's resident memory, and the API's
# answer times for comparison; then the disruption decisions page of the DISRUPTION largest clusters,
# DISRUPTION_ROUNDS times each (each load runs the planner, so fewer rounds). Nothing is asserted: this
# prints figures (docs/console.md keeps the last ones).
#
#   [KARPO_FIGURE_STORAGE=Sqlite|Memory] [KARPO_FIGURE_MODE=InProcess|Kubernetes] [KARPO_FIGURE_TOOLS=dir] scripts/console-figure.sh [CLUSTERS=100] [SCALE=9] [NODES=10000] [ROUNDS=5] [WAIT=1500] [DISRUPTION=2] [DISRUPTION_ROUNDS=3]
#
# SCALE 9 because a SCALE 7 run had only 9,078 NodeClaims, fewer than the 10,000 nodes issue 13 asks for.
#
# With KARPO_FIGURE_TOOLS naming a folder holding dotnet-counters and dotnet-gcdump (`dotnet tool install
# dotnet-gcdump --tool-path DIR`), it also prints what holds the silo's memory after the pages: the GC's
# counters and the types that take most of the managed heap.
# KARPO_FIGURE_MODE picks how the simulated fleet reaches the silo; InProcess (the default here) keeps the figures
# comparable with earlier ones, Kubernetes runs an API server and an agent per cluster as the embedded default does.
set -euo pipefail
CLUSTERS=${1:-100}
SCALE=${2:-9}
NODES=${3:-10000}
ROUNDS=${4:-5}
WAIT=${5:-1500}
DISRUPTION=${6:-2}
DISRUPTION_ROUNDS=${7:-3}
STORAGE=${KARPO_FIGURE_STORAGE:-Sqlite}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DLL=$ROOT/src/Karpenter.Orleans.Silo/bin/Release/net10.0/karpo-silo.dll
[[ -f $DLL ]] || dotnet build "$ROOT/src/Karpenter.Orleans.Silo" -c Release -nodeReuse:false -v q >/dev/null
WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
URL=http://127.0.0.1:$PORT
args=(--urls "$URL" --Karpo:Auth:AdminToken="$TOKEN" --Karpo:Auth:WriteClientConfig=false
  --Karpo:Auth:TokensPath="$WORK/tokens.json" --Karpo:Storage:Provider="$STORAGE" --Karpo:Storage:SqlitePath="$WORK/karpo.db"
  --Karpo:SimulatedCloud:Enabled=true --Karpo:SimulatedCloud:StateFile="$WORK/cloud.json"
  --Karpo:SimulatedFleet:Enabled=true --Karpo:SimulatedFleet:Mode="${KARPO_FIGURE_MODE:-InProcess}" --Karpo:SimulatedFleet:Scale="$SCALE" --Karpo:SimulatedFleet:WorkloadPeriod=06:00:00
  --Logging:LogLevel:Default=Warning)
regions=(us-east-1 us-west-2)
for ((c = 0; c < CLUSTERS; c++)); do
  args+=(--Karpo:SimulatedFleet:Clusters:$c:ClusterId="$(printf 'fleet-%03d' "$c")" --Karpo:SimulatedFleet:Clusters:$c:Region="${regions[c % 2]}")
done
(cd "$WORK" && exec dotnet "$DLL" "${args[@]}" >"$WORK/silo.log" 2>&1) &
SILO=$!
trap 'kill $SILO 2>/dev/null; wait $SILO 2>/dev/null; rm -rf "$WORK"' EXIT
auth=(-H "Authorization: Bearer $TOKEN")
until curl -fs "${auth[@]}" "$URL/api/v1/clusters" >/dev/null 2>&1; do sleep 1; done
# Sums one field of every cluster's status.
count() {
  curl -fs "${auth[@]}" "$URL/api/v1/clusters?limit=5000" | python3 -c "import json,sys; print(sum(c['$1'] for c in json.load(sys.stdin)))" 2>/dev/null || echo 0
}
echo "load at the start: $(uptime)"
start=$(date +%s)
nodes=0
# The fleet grows as the simulated workloads scale up; wait (at most WAIT seconds) for the node count.
while ((nodes < NODES)) && (($(date +%s) - start < WAIT)); do
  sleep 20
  nodes=$(count nodes)
  echo "  $(($(date +%s) - start)) s: $nodes nodes" >&2
done
echo "load before the pages: $(uptime)"
claims=$(count nodeClaims)
PID=$(pgrep -P $SILO -f karpo-silo.dll || echo $SILO)
rss=$(awk '/VmRSS/ {print int($2/1024)}' "/proc/$PID/status" 2>/dev/null || echo "?")
echo "fleet: $CLUSTERS clusters ($STORAGE storage), $nodes nodes, $claims NodeClaims, silo RSS ${rss} MiB, $(nproc) cores"
first=fleet-000
printf '%-36s %10s %10s %10s  %s\n' page bytes median_s worst_s 'http codes'
# Fetches one page $2 times; prints its size, median and worst time and the status codes, and keeps the
# last body in $WORK/page.html.
measure() {
  local page=$1 rounds=$2 times=() codes=() out code time size sorted
  for ((r = 0; r < rounds; r++)); do
    # A page that fails (503 while the silo is overloaded, a timeout) is reported, not fatal.
    out=$(curl -s -o "$WORK/page.html" --max-time 120 "${auth[@]}" -w '%{http_code} %{time_total} %{size_download}' "$URL$page" || true)
    read -r code time size <<<"$out"
    times+=("$time")
    codes+=("$code")
  done
  sorted=$(printf '%s\n' "${times[@]}" | sort -g)
  printf '%-36s %10s %10s %10s  %s\n' "$page" "$size" "$(sed -n "$(((rounds + 1) / 2))p" <<<"$sorted")" "$(tail -n1 <<<"$sorted")" "$(printf '%s\n' "${codes[@]}" | sort | uniq -c | awk '{printf "%s×%s ", $1, $2}')"
}
for page in / "/clusters/$first" /nodeclaims "/nodeclaims?cluster=$first" /pending /capacity "/api/v1/clusters?limit=5000" "/api/v1/nodeclaims?limit=500"; do
  measure "$page" "$ROUNDS"
done
# The disruption page runs the planner over the whole cluster on each load, so the largest clusters are its
# worst case. The page answers 200 even when the planner timed out, so say what the last body held.
largest=$(curl -fs "${auth[@]}" "$URL/api/v1/clusters?limit=5000" | python3 -c "
import json, sys
for c in sorted(json.load(sys.stdin), key=lambda c: -c['nodes'])[:$DISRUPTION]:
    print(c['clusterId'], c['nodes'])" 2>/dev/null || true)
while read -r cluster cnodes; do
  [[ -n $cluster ]] || continue
  measure "/clusters/$cluster/disruption" "$DISRUPTION_ROUNDS"
  if grep -q 'id="disruption-problem"' "$WORK/page.html"; then
    echo "  ($cluster, $cnodes nodes: the planner did not answer in time on the last load)"
  else
    echo "  ($cluster, $cnodes nodes: $(grep -o 'data-node=' "$WORK/page.html" | wc -l) decision rows on the last load)"
  fi
done <<<"$largest"
echo "silo RSS after the pages: $(awk '/VmRSS/ {print int($2/1024)}' "/proc/$PID/status" 2>/dev/null || echo "?") MiB"
echo "load after the pages: $(uptime)"
TOOLS=${KARPO_FIGURE_TOOLS:-}
if [[ -n $TOOLS ]]; then
  # Ten seconds of the runtime's counters (heap size, committed memory, fragmentation, thread pool).
  "$TOOLS/dotnet-counters" collect -p "$PID" --counters System.Runtime --duration 00:00:00:10 --format csv -o "$WORK/counters.csv" >/dev/null 2>&1 || true
  [[ -f $WORK/counters.csv ]] && python3 - "$WORK/counters.csv" <<'PY'
import csv, sys
last = {}
for row in csv.reader(open(sys.argv[1])):
    if len(row) >= 5 and row[0] != "Timestamp":
        last[row[2]] = row[4]
for name, value in sorted(last.items()):
    if any(k in name for k in ("gc", "memory", "heap", "thread_pool", "working_set")):
        print(f"  {name}: {value}")
PY
  "$TOOLS/dotnet-gcdump" collect -p "$PID" -o "$WORK/silo.gcdump" >/dev/null 2>&1 || true
  # The report lists types in size bands; sorted by bytes, the top 40 say what holds the heap.
  [[ -f $WORK/silo.gcdump ]] && "$TOOLS/dotnet-gcdump" report "$WORK/silo.gcdump" | python3 -c '
import sys
lines = sys.stdin.read().splitlines()
print("\n".join(lines[:2]))
rows = []
for line in lines[2:]:
    parts = line.split(None, 2)
    if len(parts) == 3 and parts[0].replace(",", "").isdigit():
        rows.append((int(parts[0].replace(",", "")), line))
for _, line in sorted(rows, reverse=True)[:40]:
    print(line)
'
  echo "silo RSS after the heap dump (a full collection): $(awk '/VmRSS/ {print int($2/1024)}' "/proc/$PID/status") MiB"
fi
