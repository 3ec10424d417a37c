#!/usr/bin/env bash
# Autobahn|Testsuite conformance, both roles, cases 1-10 (12.* and 13.*,
# permessage-deflate, are not implemented and excluded):
#   - client: `wstest -m fuzzingserver` against RustWebSocketPeer
#     (godot_project/tests/autobahn/client.gd echoes every case);
#   - server: `wstest -m fuzzingclient` against a RustWebSocketServer echo
#     server (godot_project/tests/autobahn/server.gd).
# Ports are picked at run time. Reads both JSON reports, prints the count of
# cases per behaviour (OK, NON-STRICT, INFORMATIONAL, UNIMPLEMENTED, FAILED)
# and each case that is neither OK nor INFORMATIONAL, and fails on any FAILED
# case or missing report. Reports (HTML too): .cache/autobahn-reports/.
# Needs ci/build.sh to have run; installs wstest with ci/install-autobahn.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)

bash ci/install-autobahn.sh
WSTEST="$REPO/.cache/autobahn/wstest"
OUT="$REPO/.cache/autobahn-reports"
CASES='["*"]'
EXCLUDED='["12.*", "13.*"]'
# Outer limits for each role's whole run; a normal one takes a minute or two.
ROLE_TIMEOUT="${WSP_AUTOBAHN_TIMEOUT:-900}"

die() { echo "[autobahn] FAILED: $*" >&2; exit 1; }

pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_port PORT PID: waits until something listens on PORT, or PID died.
wait_port() {
  local i
  for i in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

rm -rf "$OUT"
mkdir -p "$OUT/client" "$OUT/server"

# ---- client role: fuzzingserver <- RustWebSocketPeer -------------------------
port=$(free_port)
cat > "$OUT/fuzzingserver.json" <<JSON
{"url": "ws://127.0.0.1:$port", "outdir": "$OUT/client",
 "cases": $CASES, "exclude-cases": $EXCLUDED, "exclude-agent-cases": {}}
JSON
echo "[autobahn] client role: wstest -m fuzzingserver on port $port"
(cd "$OUT" && exec "$WSTEST" -m fuzzingserver -s "$OUT/fuzzingserver.json" --webport 0) \
  > "$OUT/fuzzingserver.log" 2>&1 &
pids+=($!)
wait_port "$port" "${pids[-1]}" || die "wstest -m fuzzingserver did not listen on $port: $(tail -n 20 "$OUT/fuzzingserver.log")"
timeout --kill-after=10 "$ROLE_TIMEOUT" ci/godot --headless --path godot_project \
    -s res://tests/autobahn/client.gd -- "ws://127.0.0.1:$port" RustWebSocketPeer \
    </dev/null > "$OUT/client-driver.log" 2>&1 \
  || die "the client driver exited $? (log: $OUT/client-driver.log): $(tail -n 20 "$OUT/client-driver.log")"
kill "${pids[-1]}" 2>/dev/null || true

# ---- server role: RustWebSocketServer <- fuzzingclient -----------------------
server_log="$OUT/echo-server.log"
ci/godot --headless --path godot_project -s res://tests/autobahn/server.gd \
  </dev/null > "$server_log" 2>&1 &
pids+=($!)
port=""
for i in $(seq 1 300); do
  port=$(sed -n 's/^LISTENING \([0-9][0-9]*\)$/\1/p' "$server_log" | head -n1)
  [[ -n "$port" ]] && break
  kill -0 "${pids[-1]}" 2>/dev/null || break
  sleep 0.1
done
[[ -n "$port" ]] || die "the echo server did not print its port: $(tail -n 20 "$server_log")"
cat > "$OUT/fuzzingclient.json" <<JSON
{"outdir": "$OUT/server",
 "servers": [{"agent": "RustWebSocketServer", "url": "ws://127.0.0.1:$port"}],
 "cases": $CASES, "exclude-cases": $EXCLUDED, "exclude-agent-cases": {}}
JSON
echo "[autobahn] server role: wstest -m fuzzingclient against the echo server on port $port"
(cd "$OUT" && exec timeout --kill-after=10 "$ROLE_TIMEOUT" "$WSTEST" -m fuzzingclient -s "$OUT/fuzzingclient.json") \
    > "$OUT/fuzzingclient.log" 2>&1 \
  || die "wstest -m fuzzingclient exited $? (log: $OUT/fuzzingclient.log): $(tail -n 20 "$OUT/fuzzingclient.log")"
kill "${pids[-1]}" 2>/dev/null || true

# ---- verdicts -------------------------------------------------------------------
python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
order = ["OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "WRONG CODE", "UNCLEAN", "FAILED"]
bad = 0
for role, agent in (("client", "RustWebSocketPeer"), ("server", "RustWebSocketServer")):
    path = os.path.join(out, role, "index.json")
    try:
        cases = json.load(open(path))[agent]
    except (IOError, ValueError, KeyError) as e:
        print("[autobahn] FAILED: no %s report for %s in %s (%s)" % (role, agent, path, e))
        bad += 1
        continue
    counts = {}
    for case in cases.values():
        counts[case["behavior"]] = counts.get(case["behavior"], 0) + 1
    names = order + sorted(set(counts) - set(order))
    print("[autobahn] %s role (%s): %d cases: %s" % (role, agent, len(cases),
          ", ".join("%s %d" % (n, counts[n]) for n in names if n in counts)))
    key = lambda c: [int(x) for x in c.split(".")]
    for cid in sorted(cases, key=key):
        b = cases[cid]["behavior"]
        if b not in ("OK", "INFORMATIONAL"):
            print("[autobahn]   %-8s %s (close: %s) %s" % (cid, b, cases[cid]["behaviorClose"],
                  os.path.join(out, role, cases[cid]["reportfile"])))
        if b == "FAILED":
            bad += 1
sys.exit(1 if bad else 0)
PY
