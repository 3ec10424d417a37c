#!/usr/bin/env bash
# The one command that runs every test:
#   install Godot + build deps -> shipping builds + addon zip ->
#   build the addon (with test hooks) -> cargo tests -> the cargo tests for
#   Windows under Wine -> the Linux library in an older distribution ->
#   runner self-test -> Python venv -> headless Godot tests -> Autobahn
#   conformance -> headless chat demo -> headless multiplayer demo (its
#   output checked) ->
#   editor-help check -> the zip in a fresh project.
# Stops at the first failing stage and names it.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
summary=()
logs=.cache/ci-logs
mkdir -p "$logs"

stage() {
  local name=$1 start rc
  shift
  echo
  echo "=== [$name] $*"
  start=$(date +%s)
  set +e
  "$@" 2>&1 | tee "$logs/$name.log"
  rc=${PIPESTATUS[0]}
  set -e
  local secs=$(( $(date +%s) - start ))
  if (( rc != 0 )); then
    summary+=("FAILED  $name (${secs}s, exit $rc)")
    echo
    echo "=== ci/test.sh: stage '$name' FAILED (exit $rc): $*"
    printf '  %s\n' "${summary[@]}"
    exit "$rc"
  fi
  summary+=("ok      $name (${secs}s)")
}

stage install-godot  bash ci/install-godot.sh
# The shipping builds for the addon zip, cross-built into target/<triple>/,
# apart from the test build below.
stage package        bash ci/package.sh
stage build          env WSP_TEST_HOOKS=1 bash ci/build.sh release
# Same features as the build, so the library compiled above is reused.
stage cargo-test     cargo test --release --features test-hooks
# The same cargo tests cross-built for Windows and run under Wine.
stage windows-tests  bash ci/test-windows.sh
# The zip's Linux library: ELF headers, and loading it in Debian bullseye.
stage linux-portability bash ci/test-linux-portability.sh
stage runner-selftest bash ci/runner-selftest.sh
# The Python interop tests need the venv with the `websockets` library.
stage python-env     bash ci/python-env.sh
stage godot-tests    bash ci/run-godot-tests.sh
# Autobahn|Testsuite cases 1-10 against our client and our server: fails on
# any FAILED case and prints the count per behaviour.
stage autobahn       bash ci/autobahn.sh
# The headless chat demo (the README's demo command runs it too) still works.
stage chat-demo      timeout --kill-after=10 90 ci/godot --headless --path godot_project -s res://examples/chat_headless.gd
# The headless multiplayer demo (host + three clients) runs and prints every expected event.
stage multiplayer-demo bash ci/multiplayer-demo.sh
# Every class, method, property and signal has a description in the editor help.
stage doc-check      bash ci/doc-check.sh
# The zip from the package stage, unpacked into a fresh project, loads and works.
stage package-smoke  bash ci/package-smoke.sh

# One closing count over both test runners: cargo's "test result" lines and
# the Godot runner's "N passed, N failed".
# Sums the numbers in front of $2 ("passed"/"failed") on lines matching $1.
count() { awk -v pat="$1" -v word="$2" '$0 ~ pat { for (i = 2; i <= NF; i++) if ($i ~ "^" word) s += $(i-1) } END { print s + 0 }' "$3"; }
cargo_passed=$(count '^test result:' 'passed' "$logs/cargo-test.log")
cargo_failed=$(count '^test result:' 'failed' "$logs/cargo-test.log")
wine_passed=$(count '^test result:' 'passed' "$logs/windows-tests.log")
wine_failed=$(count '^test result:' 'failed' "$logs/windows-tests.log")
godot_passed=$(count '^[0-9]+ passed, [0-9]+ failed$' 'passed' "$logs/godot-tests.log")
godot_failed=$(count '^[0-9]+ passed, [0-9]+ failed$' 'failed' "$logs/godot-tests.log")

echo
echo "=== ci/test.sh: all stages passed"
printf '  %s\n' "${summary[@]}"
echo "  cargo tests: ${cargo_passed} passed; the same under Wine: ${wine_passed} passed; headless Godot tests: ${godot_passed} passed"
echo "total: $((cargo_passed + wine_passed + godot_passed)) passed, $((cargo_failed + wine_failed + godot_failed)) failed"
