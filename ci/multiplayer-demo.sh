#!/usr/bin/env bash
# Runs the headless multiplayer demo (examples/multiplayer/multiplayer_headless.gd:
# a host and three clients in one Godot process) and checks what it printed,
# not only its exit code: joins with matching ids, every spawn on every peer,
# synchronized positions, the chat / ping / tag RPCs, a late joiner getting
# the players and scores, the leave and the stop.
set -euo pipefail
cd "$(dirname "$0")/.."

out=$(mktemp)
trap 'rm -f "$out"' EXIT

set +e
timeout --kill-after=10 120 ci/godot --headless --path godot_project \
  -s res://examples/multiplayer/multiplayer_headless.gd </dev/null 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
set -e

failures=0
fail() { echo "multiplayer-demo: $*" >&2; failures=$((failures + 1)); }
# expect <count> <extended regex> <what>: the output has exactly count matching
# lines; a count of "N+" means at least N.
expect() {
  local n want=${1%+}
  n=$(grep -cE -- "$2" "$out" || true)
  if [[ "$1" == *+ ]]; then
    (( n >= want )) || fail "expected at least $want line(s) of $3 (/$2/), found $n"
  else
    (( n == want )) || fail "expected $want line(s) of $3 (/$2/), found $n"
  fi
}

(( rc == 0 )) || fail "the demo exited with $rc"
# The demo must run over the class its net.gd names.
peer_class=$(sed -nE 's/^const NATIVE_PEER := "([A-Za-z]+)"$/\1/p' godot_project/examples/multiplayer/net.gd)
[[ -n "$peer_class" ]] || fail "no NATIVE_PEER constant in godot_project/examples/multiplayer/net.gd"
expect 1 "^multiplayer demo: a host and three clients over ${peer_class:-?}$" 'the peer class named in net.gd'
expect 1 '^\[host \] hosting on port [0-9]+ as peer 1$' 'the host starting'
alice=$(sed -nE 's/^\[alice\] connected as peer ([0-9]+)$/\1/p' "$out")
bob=$(sed -nE 's/^\[bob  \] connected as peer ([0-9]+)$/\1/p' "$out")
carol=$(sed -nE 's/^\[carol\] connected as peer ([0-9]+)$/\1/p' "$out")
if [[ -z "$alice" || -z "$bob" || -z "$carol" ]] || (( alice == bob || bob == carol || alice == carol )); then
  fail "alice, bob and carol did not all connect with distinct ids ('$alice', '$bob', '$carol')"
else
  for viewer in 'host ' alice 'bob  ' carol; do
    for who in "host (1)" "alice ($alice)" "bob ($bob)" "carol ($carol)"; do
      expect 1 "^\[$viewer\] spawned ${who//[()]/\\&}$" "'$viewer' spawning $who"
    done
  done
  expect 1 "^\[host \] peer $alice connected$" 'the host seeing alice join'
  expect 1 "^\[host \] peer $bob connected$" 'the host seeing bob join'
  expect 1 "^\[bob  \] peer $alice connected$" 'bob seeing alice (relayed by the server)'
  expect 3 "^\[(host |alice|bob  )\] chat alice \($alice\): hello from alice$" "alice's chat line on each peer"
  expect 3 "^\[(host |alice|bob  )\] alice \($alice\) tagged bob \($bob\), score 1$" 'the tag on each peer'
  expect 3 "^\[(host |alice|carol)\] despawned bob \($bob\)$" "bob's player despawned on the other peers"
  expect 3 "^\[(host |alice|carol)\] peer $bob disconnected$" 'bob leaving, seen by the other peers'
fi
expect 9+ "^\[(host |alice|bob  )\] sees .* at \([0-9-]+, [0-9-]+\); its own .*$" 'position reports during the walk'
expect 1 '^---- every peer sees every player where its owner put it$' 'synchronized positions agreeing'
expect 1 '^---- each peer saw the other two walk at least [0-9]+ px$' 'players seen moving'
expect 1 "^---- alice's score of 1 synchronized to every peer$" 'the score synchronized by the server'
expect 1 '^\[bob  \] pong from the host after [0-9.]+ ms$' "the answer to bob's ping"
expect 1 "^---- carol joined late and got all four players, alice with score 1$" 'the late joiner getting players and scores'
expect 2 '^\[(alice|carol)\] server disconnected$' 'alice and carol told that the host stopped'
expect 1 '^\[alice\] connection failed' 'alice failing to rejoin'
expect 1 '^MULTIPLAYER DEMO OK: ' 'the success line'

if (( failures > 0 )); then
  echo "multiplayer-demo: FAILED ($failures check(s))" >&2
  exit 1
fi
echo "multiplayer-demo: all checks passed on the demo's output"
