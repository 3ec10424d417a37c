#!/usr/bin/env bash
# Fuzzes the read path in both roles (fuzz/fuzz_targets/read_path.rs), by hand,
# outside CI:
#   ci/fuzz.sh [seconds]        (default 600)
# Env: FUZZ_SANITIZER (default none; "address" for ASan, several times slower:
# the code under test is safe Rust, so ASan finds little that a panic would not),
# FUZZ_JOBS (parallel fuzzing processes, default 1).
# Needs cargo-fuzz (`cargo install cargo-fuzz`). Only the stable toolchain is
# installed; RUSTC_BOOTSTRAP=1 lets it take the nightly-only flags cargo fuzz
# passes. The corpus (fuzz/corpus, seeded by fuzz/make_seeds.py) and crash
# inputs (fuzz/artifacts) are git-ignored. Exits non-zero on a crash; replay
# one with: RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none read_path <file>
set -euo pipefail
cd "$(dirname "$0")/.."

secs="${1:-600}"
sanitizer="${FUZZ_SANITIZER:-none}"
jobs="${FUZZ_JOBS:-1}"
corpus=fuzz/corpus/read_path
artifacts=fuzz/artifacts/read_path
mkdir -p "$corpus" "$artifacts" .cache
if [[ -z "$(ls -A "$corpus")" ]]; then
  python3 fuzz/make_seeds.py "$corpus"
fi
command -v cargo-fuzz >/dev/null || { echo "cargo-fuzz missing: cargo install cargo-fuzz" >&2; exit 1; }

export RUSTC_BOOTSTRAP=1
extra=()
# With -jobs, libFuzzer writes each worker's output to fuzz-N.log in the cwd.
if (( jobs > 1 )); then extra=(-jobs="$jobs" -workers="$jobs"); fi
crashes_before=$(find "$artifacts" -type f | wc -l)
log=.cache/fuzz-read_path.log
start=$(date +%s)
set +e
# Default build: optimized, with debug assertions and overflow checks on.
cargo fuzz run --sanitizer "$sanitizer" read_path "$corpus" -- \
  -max_total_time="$secs" -dict=fuzz/read_path.dict -print_final_stats=1 \
  "${extra[@]}" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
crashes=$(( $(find "$artifacts" -type f | wc -l) - crashes_before ))

echo
echo "fuzz read_path: $(( $(date +%s) - start )) s wall, sanitizer $sanitizer, exit $rc"
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$log" || true
grep -E '^#[0-9]+' "$log" | tail -n1 | sed 's/^/last status: /' || true
echo "corpus: $(find "$corpus" -type f | wc -l) inputs, $(du -sh "$corpus" | cut -f1)"
echo "new crash/timeout/oom inputs: $crashes (in $artifacts)"
(( rc == 0 && crashes == 0 ))
