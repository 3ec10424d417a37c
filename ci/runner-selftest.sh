#!/usr/bin/env bash
# Self-test of the headless test runner: runs it on the fixtures in
# godot_project/tests/selftest/ and checks that pass.gd passes and that every
# other fixture fails, for the right reason. rust_panic.gd needs the extension
# built with WSP_TEST_HOOKS=1 (cargo feature `test-hooks`).
set -euo pipefail
cd "$(dirname "$0")/.."

logdir=.cache/test-logs/selftest
mkdir -p "$logdir"
ok=0
bad=0

# expect <fixture> <pass|fail> <regex the log must contain>...
expect() {
  local name=$1 want=$2
  shift 2
  local log="$logdir/$name.log" rc problems=()
  set +e
  timeout --kill-after=10 60 ci/godot --headless --path godot_project \
    -s res://tests/harness/runner.gd -- "res://tests/selftest/$name.gd" </dev/null >"$log" 2>&1
  rc=$?
  set -e
  if (( rc == 124 || rc == 137 )); then
    problems+=("hit the outer timeout (runner's watchdog did not end it)")
  elif [[ $want == pass && $rc -ne 0 ]]; then
    problems+=("exit $rc, expected 0")
  elif [[ $want == fail && $rc -eq 0 ]]; then
    problems+=("exit 0, expected non-zero")
  fi
  local re
  for re in "$@"; do
    grep -qE -- "$re" "$log" || problems+=("log lacks /$re/")
  done
  if ((${#problems[@]})); then
    echo "SELFTEST FAIL $name.gd: ${problems[*]} (log: $log)"
    tail -n 30 "$log" | sed 's/^/    | /'
    bad=$((bad + 1))
  else
    echo "SELFTEST ok   $name.gd (exit $rc)"
    ok=$((ok + 1))
  fi
}

expect pass         pass '^RESULT PASS pass\.gd' '^CHECKS [1-9][0-9]* FAILED 0 ERRORS 0'
expect fail_check   fail '^CHECK FAILED.*deliberately failing check' '^RESULT FAIL .*check\(s\) failed'
expect script_error fail '^LOGGED SCRIPT ERROR: .*null' '^RESULT FAIL .*undeclared error'
expect no_checks    fail '^RESULT FAIL .*no checks ran'
expect hang         fail '^RESULT FAIL .*watchdog'
# An engine message to stderr (not an error call) is caught: the Unicode parsing error.
expect stderr_message fail '^LOGGED STDERR: Unicode parsing error' '^CHECKS [1-9][0-9]* FAILED 0 ERRORS 1' '^RESULT FAIL .*undeclared error'
# The panic must be what fails it: every check passes, one logged error names the panic.
expect rust_panic   fail '^LOGGED ERROR: .*panic' '^CHECKS [1-9][0-9]* FAILED 0 ERRORS [1-9]' '^RESULT FAIL .*undeclared error'

echo "runner selftest: $ok ok, $bad wrong"
(( bad == 0 ))
