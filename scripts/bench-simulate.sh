#!/usr/bin/env bash
# Times the whole `karpo simulate -o json` process (start to last byte) on Karpenter's benchmark mix, as a user runs
# it: wall time, CPU time and peak RSS of each run, from /usr/bin/time (KARPO_TIMINGS=1: per phase). See
# docs/benchmarks.md, "Whole command".
#
#   scripts/bench-simulate.sh [PODS] [RUNS]     default 10000 pods, 3 runs per input file
#
# KARPO=path/to/karpo times another build (default: dotnet publish -c Release into .karpo/publish, once).
# The inputs (YAML documents, kind: List, kubectl JSON and YAML dumps, the 400-type catalog) are written by the
# hidden `karpo bench --write-manifests FOLDER --pods N` into .karpo/bench-inputs, once; they are not committed.
set -euo pipefail

pods=${1:-10000}
runs=${2:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
karpo=${KARPO:-$root/.karpo/publish/karpo}
inputs=$root/.karpo/bench-inputs

if [[ ! -x $karpo ]]; then
  dotnet publish "$root/src/Karpenter.Orleans.Cli" -c Release -o "$root/.karpo/publish" -v q -nodeReuse:false >&2
fi

if [[ ! -f $inputs/benchmark-$pods.yaml ]]; then
  "$karpo" bench --write-manifests "$inputs" --pods "$pods" >/dev/null
fi

for name in "benchmark-$pods.yaml" "benchmark-$pods-list.yaml" "benchmark-$pods-kubectl.json" "benchmark-$pods-kubectl.yaml"; do
  size=$(du -m "$inputs/$name" | cut -f1)
  for ((i = 1; i <= runs; i++)); do
    /usr/bin/time -f "$name (${size} MB) run $i: %e s wall, %U s user + %S s sys CPU, %M KB peak RSS" \
      "$karpo" simulate -f "$inputs/$name" --instance-types "$inputs/benchmark-catalog.json" -o json 2>&1 >/dev/null | tail -1
  done
done
