#!/usr/bin/env bash
# Runs each libFuzzer harness built in BUILD for SECONDS (nice'd), on a working copy of its seed
# corpus, and prints libFuzzer's final statistics (executions, coverage "cov", features "ft").
#   scripts/run-fuzzers.sh build-fuzz 180
# Crashing inputs go to BUILD/fuzz-artifacts/; the exit status is non-zero when one is found.
set -euo pipefail
build=${1:?build folder}
seconds=${2:-180}
root="$(cd "$(dirname "$0")/.." && pwd)"
status=0
for name in csv checkpoint; do
  work="$build/fuzz-corpus/$name"
  artifacts="$build/fuzz-artifacts/$name/"
  mkdir -p "$work" "$artifacts"
  echo "== fuzzer $name: ${seconds} s, seeds fuzz/corpus/$name/"
  # -rss_limit_mb: a checkpoint must not make the loader allocate more than this;
  # -timeout: nor take longer than this per input
  if ! nice -n 10 "$build/bnlstm_${name}_fuzzer" "$work" "$root/fuzz/corpus/$name" \
      -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 \
      -artifact_prefix="$artifacts" 2>"$build/fuzz-$name.log"; then
    status=1
    echo "fuzzer $name found a problem: see $build/fuzz-$name.log and $artifacts"
  fi
  grep -E "^#[0-9]+[[:space:]]+(DONE|INITED)|stat::number_of_executed_units|stat::peak_rss_mb|SUMMARY" \
    "$build/fuzz-$name.log" || true
done
exit $status
