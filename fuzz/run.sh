#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60) and prints, per target, the executions,
# libFuzzer's coverage (cov: edges, ft: features), the corpus size and the crashes found.
#
#   bash fuzz/run.sh 600                        # a 10-minute-per-target campaign
#   FUZZ_TARGETS="abi vfs" bash fuzz/run.sh 30   # some targets only
#
# Needs a nightly toolchain and cargo-fuzz (`cargo +nightly install --locked cargo-fuzz`).
# Starts from the committed seeds in fuzz/corpus/<target>; what the run adds goes to
# fuzz/target/corpus/<target> (not committed), crashes to fuzz/artifacts/<target>, logs to
# fuzz/target/logs/<target>.log. Exits 1 when any target crashed, timed out or ran out of memory.
#
# FUZZ_SANITIZER (default `none`): our crates forbid unsafe code, and AddressSanitizer halves the
# executions; set it to `address` for a campaign that also checks wasmi's unsafe internals.
# FUZZ_DEBUG_ASSERTIONS=1 builds with debug assertions and overflow checks (cargo-fuzz's own
# default). Off by default, so targets run as embedders build them: wasmi 2.0.0's translator
# trips its internal `debug_assert!` "a register operand already exists on the stack" within a
# minute of `differential` (an upstream invariant that release builds do not check).
set -euo pipefail
cd "$(dirname "$0")"

seconds=${1:-60}
targets=${FUZZ_TARGETS:-load execute differential abi modules vfs}
sanitizer=${FUZZ_SANITIZER:-none}
build_flags=(-s "$sanitizer" --release)
if [ "${FUZZ_DEBUG_ASSERTIONS:-0}" = 1 ]; then
  build_flags=(-s "$sanitizer" --debug-assertions)
fi
# Every target must stay far below this: checkers cap guest memory at 64 MiB and tables at
# 2M elements, so a run near the limit means host memory is not bounded.
rss_limit_mb=${FUZZ_RSS_LIMIT_MB:-1024}

cargo +nightly fuzz build "${build_flags[@]}"

mkdir -p target/logs
results=()
failed=0
for target in $targets; do
  mkdir -p "target/corpus/$target" "artifacts/$target" "corpus/$target"
  log="target/logs/$target.log"
  before=$(find "artifacts/$target" -type f | wc -l)
  status=0
  cargo +nightly fuzz run "${build_flags[@]}" "$target" "target/corpus/$target" "corpus/$target" -- \
    -max_total_time="$seconds" -timeout=20 -rss_limit_mb="$rss_limit_mb" \
    -print_final_stats=1 >"$log" 2>&1 || status=$?
  after=$(find "artifacts/$target" -type f | wc -l)
  crashes=$((after - before))
  if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then
    # libFuzzer exited on its own error (or a build failure) without writing an artifact.
    crashes=1
  fi
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  coverage=$(grep -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*' "$log" | tail -1 || true)
  cov=$(sed -n 's/cov: \([0-9]*\).*/\1/p' <<<"$coverage")
  ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$coverage")
  corp=$(sed -n 's/.*corp: \([0-9]*\).*/\1/p' <<<"$coverage")
  results+=("$(printf '%-13s %12s %7s %7s %7s %8s' "$target" "${executions:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$crashes")")
  if [ "$crashes" -ne 0 ]; then
    failed=1
    echo "!! $target: crash, timeout or OOM; see fuzz/$log and fuzz/artifacts/$target" >&2
    grep -m1 -A3 -E '^(==[0-9]+== ?ERROR|thread .* panicked)' "$log" >&2 || tail -5 "$log" >&2
  fi
done

echo
echo "fuzz campaign: ${seconds}s per target, flags ${build_flags[*]}"
printf '%-13s %12s %7s %7s %7s %8s\n' target executions cov ft corpus crashes
printf '%s\n' "${results[@]}"
exit "$failed"
