#!/usr/bin/env bash
# Longer fuzz runs of one reader (docs/fuzzing.md walks through them):
#
#   bash scripts/fuzz.sh TARGET [SECONDS]        afl-fuzz (AFL++) with SharpFuzz, default 3600 s
#   bash scripts/fuzz.sh --mutate TARGET [N]     the built-in mutator, N mutants (default 1000000), no AFL;
#                                                failing inputs go to $KARPO_FUZZ_DIR/findings/TARGET
#   bash scripts/fuzz.sh --replay TARGET PATH... run saved inputs through the plain build, print each outcome
#
# Targets: registration snapshot deltas spend-cap quota agent-object manifest catalog.
#
# For afl-fuzz it installs Debian's afl++ when missing, restores the SharpFuzz tool (.config/dotnet-tools.json),
# builds tests/Karpenter.Orleans.Fuzz in Release, copies the build to $KARPO_FUZZ_DIR/bin (default .fuzz/bin)
# and instruments the project's readers and the libraries they parse with (YamlDotNet, KubernetesClient) there;
# the seeds are tests/Karpenter.Orleans.Fuzz/corpus/TARGET. Findings land in $KARPO_FUZZ_DIR/out-TARGET;
# a second run of the same target resumes it. At the end every crash and hang is replayed through the plain
# (uninstrumented) build, which prints the exception.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
ROOT=$PWD
FUZZ_DIR=${KARPO_FUZZ_DIR:-$ROOT/.fuzz}
PROJECT=tests/Karpenter.Orleans.Fuzz
PLAIN=$ROOT/$PROJECT/bin/Release/net10.0/Karpenter.Orleans.Fuzz.dll
# The project's own readers and the third-party parsers they hand input to.
INSTRUMENT=(Karpenter.Orleans.Scheduling.dll karpo-silo.dll YamlDotNet.dll KubernetesClient.dll)

usage() {
  sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit 2
}

build() {
  dotnet build "$PROJECT" -c Release -nologo -v quiet
}

(($# >= 1)) || usage
case $1 in
  --mutate)
    (($# >= 2)) || usage
    build
    # Failing inputs are written to findings/TARGET/ under the current folder.
    mkdir -p "$FUZZ_DIR" && cd "$FUZZ_DIR"
    exec dotnet "$PLAIN" run "$2" --mutants "${3:-1000000}"
    ;;
  --replay)
    (($# >= 3)) || usage
    build
    exec dotnet "$PLAIN" replay "${@:2}"
    ;;
  -*)
    usage
    ;;
esac

TARGET=$1
SECONDS_TO_RUN=${2:-3600}
[[ -d $PROJECT/corpus/$TARGET ]] || { echo "no seed corpus $PROJECT/corpus/$TARGET"; exit 2; }

if ! command -v afl-fuzz > /dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends afl++
fi
dotnet tool restore > /dev/null
build

# A fresh copy each run: instrumenting rewrites the assemblies in place, and the plain build must stay plain.
rm -rf "$FUZZ_DIR/bin"
mkdir -p "$FUZZ_DIR"
cp -r "$(dirname "$PLAIN")" "$FUZZ_DIR/bin"
for assembly in "${INSTRUMENT[@]}"; do
  dotnet sharpfuzz "$FUZZ_DIR/bin/$assembly"
done

OUT=$FUZZ_DIR/out-$TARGET
INPUT=$PROJECT/corpus/$TARGET
# Resume a previous run's queue rather than starting over from the seeds.
[[ -d $OUT/default/queue ]] && INPUT=-

# dotnet itself is not instrumented (SharpFuzz reports coverage from inside the managed code), hence SKIP_BIN_CHECK.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
afl-fuzz -V "$SECONDS_TO_RUN" -i "$INPUT" -o "$OUT" -t 5000 -m none -- dotnet "$FUZZ_DIR/bin/Karpenter.Orleans.Fuzz.dll" afl "$TARGET" || true

grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|bitmap_cvg|saved_crashes|saved_hangs) ' "$OUT/default/fuzzer_stats" || true
shopt -s nullglob
findings=("$OUT"/default/crashes/id:* "$OUT"/default/hangs/id:*)
if ((${#findings[@]} == 0)); then
  echo "no crashes or hangs"
  exit 0
fi
echo "replaying ${#findings[@]} finding(s) through the plain build:"
dotnet "$PLAIN" replay "$TARGET" "${findings[@]}"
