#!/bin/sh
# tools/engines.sh up|down|status|env: local Redis, NATS, ZooKeeper and PostgreSQL for the demo and for
# trying the engine plugins (docs/scaling.md), started through tools/node/engines.js on free loopback
# ports with generated credentials.
#
#   tools/engines.sh up [--only redis,nats,zookeeper,postgres]   start them (in the background)
#   tools/engines.sh status [--json]                              where they are, with credentials
#   tools/engines.sh env                                          shell lines exporting them for the
#                                                                 demo's `scaled` environment: eval "$(tools/engines.sh env)"
#   tools/engines.sh down [--forget]                              stop them, remove their data
#
# The state (ports, credentials, folders, the keeper's pid) is .engines/state.json at the root of the
# tree (SHADDOCK_ENGINES_DIR overrides the folder), mode 0600; the keeper's output is engines.log.
# The next `up` takes the same ports (when free) and credentials again, from kept.json (mode 0600),
# so a configuration written for them stays right; `down --forget` removes kept.json.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR="${SHADDOCK_ENGINES_DIR:-$ROOT/.engines}"
STATE="$DIR/state.json"
LOG="$DIR/engines.log"

keeper_pid() {
  [ -f "$STATE" ] || return 1
  pid=$(node -e 'process.stdout.write(String(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).pid))' "$STATE") || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

show() {
  if [ "${1:-}" = "--json" ]; then cat "$STATE"; return; fi
  node -e '
    const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(`engines kept by pid ${s.pid} since ${s.started}`);
    for (const [kind, e] of Object.entries(s.engines)) {
      if (e.error) { console.log(`  ${kind.padEnd(9)} NOT RUNNING: ${e.error}`); continue; }
      const auth = e.password ? ` password ${e.password}` : e.token ? ` token ${e.token}` : "";
      const user = e.user ? ` user ${e.user} database ${e.database}` : "";
      console.log(`  ${kind.padEnd(9)} ${e.url}${user}${auth}`);
    }' "$STATE"
}

case "${1:-}" in
  up)
    only=""
    if [ "${2:-}" = "--only" ]; then only="${3:?--only needs a list, e.g. redis,nats}"; fi
    if pid=$(keeper_pid); then echo "engines already up (pid $pid):"; show; exit 0; fi
    mkdir -p "$DIR"
    rm -f "$STATE"
    # The keeper outlives this script; its engines die with it. Its own session: a Ctrl-C meant for
    # the terminal's foreground job (tools/dev.sh scaled) does not reach it.
    nohup setsid node "$ROOT/tools/node/engines.js" serve "$STATE" $only >"$LOG" 2>&1 &
    keeper=$!
    i=0
    while [ ! -f "$STATE" ]; do
      if ! kill -0 "$keeper" 2>/dev/null; then echo "engines.sh: the keeper exited:" >&2; cat "$LOG" >&2; exit 1; fi
      i=$((i + 1))
      if [ $i -gt 1200 ]; then echo "engines.sh: engines not up after 120 s (see $LOG)" >&2; exit 1; fi
      sleep 0.1
    done
    show
    ;;
  status)
    if pid=$(keeper_pid); then show "${2:-}"; else echo "engines are down"; exit 3; fi
    ;;
  env)
    if ! keeper_pid >/dev/null; then echo "engines are down (tools/engines.sh up starts them)" >&2; exit 3; fi
    node "$ROOT/tools/node/engines.js" env "$STATE"
    ;;
  down)
    if ! pid=$(keeper_pid); then
      echo "engines are down"
      rm -f "$STATE"
      if [ "${2:-}" = "--forget" ]; then rm -f "$DIR/kept.json"; fi
      exit 0
    fi
    kill -TERM "$pid"
    i=0
    while kill -0 "$pid" 2>/dev/null; do
      i=$((i + 1))
      if [ $i -gt 300 ]; then echo "engines.sh: the keeper (pid $pid) did not stop in 30 s" >&2; exit 1; fi
      sleep 0.1
    done
    echo "engines stopped"
    if [ "${2:-}" = "--forget" ]; then rm -f "$DIR/kept.json"; fi
    ;;
  *)
    sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
