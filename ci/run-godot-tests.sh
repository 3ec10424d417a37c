#!/usr/bin/env bash
# Runs every godot_project/tests/test_*.gd headless, each in its own Godot
# process, through tests/harness/runner.gd:
#   ci/run-godot-tests.sh [filter]     (filter: substring of the file name)
# Prints `PASS|FAIL test_x.gd 1.23s` per test (the log's tail on failure) and
# closes with `N passed, N failed`. Exits non-zero if any failed or none ran.
# Needs ci/build.sh to have run. Env: WSP_TEST_TIMEOUT (outer timeout per test,
# default 120 s; a test whose `timeout_seconds = N` is larger gets N + 60 s).
set -euo pipefail
cd "$(dirname "$0")/.."

filter="${1:-}"
default_timeout="${WSP_TEST_TIMEOUT:-120}"
logdir=.cache/test-logs
mkdir -p "$logdir"

if [[ ! -f godot_project/.godot/extension_list.cfg ]]; then
  echo "godot_project/.godot/extension_list.cfg missing: run ci/build.sh first" >&2
fi

# Prints the outer timeout for a test file.
outer_timeout() {
  local t="$default_timeout" n
  n=$(grep -oE 'timeout_seconds[[:space:]]*=[[:space:]]*[0-9]+' "$1" | grep -oE '[0-9]+$' | sort -n | tail -n1 || true)
  if [[ -n "$n" ]] && (( n + 60 > t )); then t=$((n + 60)); fi
  echo "$t"
}

# run_one <res path> <log file> <outer timeout>: runs the runner; sets RC and SECS.
run_one() {
  local start end
  start=$(date +%s%N)
  set +e
  timeout --kill-after=10 "$3" ci/godot --headless --path godot_project \
    -s res://tests/harness/runner.gd -- "$1" </dev/null >"$2" 2>&1
  RC=$?
  set -e
  end=$(date +%s%N)
  SECS=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
}

passed=0
failed=0
failed_names=()
shopt -s nullglob
for f in godot_project/tests/test_*.gd; do
  name=$(basename "$f")
  [[ -z "$filter" || "$name" == *"$filter"* ]] || continue
  log="$logdir/${name%.gd}.log"
  t=$(outer_timeout "$f")
  run_one "res://tests/$name" "$log" "$t"
  checks=$(grep -E '^CHECKS [0-9]+' "$log" | tail -n1 | awk '{print $2}' || true)
  why=""
  if (( RC == 124 || RC == 137 )); then
    why="timed out after ${t}s (outer timeout)"
  elif (( RC != 0 )); then
    why="exit code $RC"
  elif [[ -z "$checks" ]]; then
    why="exit 0 but the runner printed no CHECKS line"
  elif (( checks == 0 )); then
    why="no checks ran"
  elif ! grep -qE "^RESULT PASS " "$log"; then
    why="exit 0 but no RESULT PASS line"
  fi
  if [[ -z "$why" ]]; then
    echo "PASS $name ${SECS}s ($checks checks)"
    passed=$((passed + 1))
  else
    echo "FAIL $name ${SECS}s: $why (log: $log)"
    tail -n 40 "$log" | sed 's/^/    | /'
    failed=$((failed + 1))
    failed_names+=("$name")
  fi
done

if (( failed > 0 )); then
  echo "failed: ${failed_names[*]}"
fi
echo "$passed passed, $failed failed"
if (( passed + failed == 0 )); then
  echo "no test matched godot_project/tests/test_*${filter}*.gd" >&2
  exit 1
fi
(( failed == 0 ))
