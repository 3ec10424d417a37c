#!/usr/bin/env bash
# Long soak, run by hand (CI runs only the 100 x 100 version, as a cargo test
# and a Godot test):
#   ci/soak.sh [clients] [messages] [window] [time_limit_s]   (default 1000 1000 16 600)
# Every client sends numbered messages through one echoing server; every echo
# is checked. Prints lost/duplicated/reordered/corrupt counts, the time and the
# peak RSS; exits non-zero on any anomaly or when the time limit is reached.
set -euo pipefail
cd "$(dirname "$0")/.."

clients="${1:-1000}"
messages="${2:-1000}"
window="${3:-16}"
limit="${4:-600}"

# Each client costs two sockets in this one process; 1024 is a common default.
need=$(( 2 * clients + 64 ))
if (( $(ulimit -n) < need )); then
  ulimit -n "$need" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fi

# Same features as ci/build.sh with test hooks, so the library build is shared.
cargo build --release --features test-hooks --example soak
# The outer timeout only catches a hang the program's own limit missed.
timeout --kill-after=10 $(( limit + 60 )) \
  target/release/examples/soak "$clients" "$messages" "$window" "$limit"
