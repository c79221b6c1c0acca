#!/usr/bin/env bash
# Adds up the results in TRX files (the test-result files `dotnet test --logger trx`
# writes) and prints one line per file, then, as the very last line:
#
#   N passed, N failed              or    N passed, N failed, N skipped
#
# (the skipped part only when something was skipped).
#
# usage: scripts/trx-summary.sh [--extra-failed N] FILE.trx...
#   --extra-failed N   also count N failures that are not in any TRX file
#                      (test.sh uses it for a test project whose run crashed,
#                      hung or wrote no TRX file at all).
#
# exit status: 0 when at least one test ran and none failed;
#              1 when anything failed; 2 when no test ran at all.
#
# Only grep, sed and awk: no python, no xml tools.
set -euo pipefail

extra_failed=0
if [[ "${1:-}" == "--extra-failed" ]]; then
  extra_failed=${2:?--extra-failed needs a number}
  shift 2
fi

# One record per file: "<file> <Counters element> <ResultSummary outcome>".
# The <Counters .../> element holds the totals of the run; the outcome says
# whether the run itself completed (an aborted run can show 0 failed).
records() {
  local f counters outcome
  for f in "$@"; do
    counters=$(grep -o '<Counters [^>]*>' "$f" | head -n 1 || true)
    outcome=$(grep -o '<ResultSummary outcome="[A-Za-z]*"' "$f" | head -n 1 | sed 's/.*outcome="\([A-Za-z]*\)"/\1/' || true)
    printf '%s\t%s\t%s\n' "$f" "${counters:-<Counters />}" "${outcome:-Missing}"
  done
}

records "$@" | awk -F '\t' -v extra="$extra_failed" '
  # value of attribute `name` in a <Counters .../> element, 0 when absent
  function attr(s, name,    m) {
    if (match(s, " " name "=\"[0-9]+\"")) {
      m = substr(s, RSTART, RLENGTH)
      sub(/^[^"]*"/, "", m); sub(/"$/, "", m)
      return m + 0
    }
    return 0
  }
  function line(p, f, s) {
    return p " passed, " f " failed" (s > 0 ? ", " s " skipped" : "")
  }
  {
    file = $1; c = $2; outcome = $3
    total = attr(c, "total"); executed = attr(c, "executed")
    passed = attr(c, "passed")
    failed = attr(c, "failed") + attr(c, "error") + attr(c, "timeout") + attr(c, "aborted")
    # TRX marks skipped tests as not executed. Some adapters fill the notExecuted
    # counter, others only leave total above executed: take whichever is larger.
    skipped = attr(c, "notExecuted") + attr(c, "notRunnable")
    if (total - executed > skipped) skipped = total - executed
    note = ""
    # A run that did not complete (test host crash, hang timeout, session timeout)
    # counts as one failure even when no single test was marked failed.
    if (outcome != "Completed" && outcome != "Passed" && outcome != "Warning" && failed == 0) { failed = 1; note = "  (run did not complete: " outcome ")" }
    name = file; sub(/^.*\//, "", name)
    printf "  %-48s %s%s\n", name, line(passed, failed, skipped), note
    P += passed; F += failed; S += skipped
  }
  END {
    F += extra
    if (extra > 0) printf "  %-48s %d failed\n", "(runs without results)", extra
    if (F == 0 && P + 0 == 0) print "  (no test ran: that counts as a failed run)"
    print line(P + 0, F + 0, S + 0)
    if (F > 0) exit 1
    if (P + 0 == 0) exit 2
    exit 0
  }'
