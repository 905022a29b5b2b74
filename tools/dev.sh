#!/usr/bin/env bash
# tools/dev.sh - the one entry point for developers and CI.
#
#   tools/dev.sh setup            install every Debian and npm package the project needs (idempotent)
#   tools/dev.sh build            configure and build into build/ (Ninja + ccache)
#   tools/dev.sh run [APP_DIR]    setup, build, then run the app's cluster in the foreground (Ctrl-C stops);
#                                 default: the chat demo (config/ = apps/chat/config), web client on :3001
#   tools/dev.sh scaled [APP_DIR] the same on local engines (tools/engines.sh up): the app's `scaled`
#                                 environment, its master in the foreground and the standby masters of
#                                 masterha.json in the background; Ctrl-C stops them, the engines stay up
#   tools/dev.sh test [ARGS...]   setup, build, then run the whole test suite (ARGS go to ctest)
#   tools/dev.sh test --sanitize address,undefined [ARGS...]
#                                 the same in build-asan/, built with AddressSanitizer + UBSan: any report
#                                 fails the run (reports are also kept in build-asan/sanitizer-logs/)
#   tools/dev.sh test --sanitize thread [ARGS...]
#                                 ThreadSanitizer build in build-tsan/; without ARGS runs the threaded
#                                 parts (ctest -L 'connector|rpc|client|robot'); see docs/security.md
#   (build and run take --sanitize LIST too; SHADDOCK_BUILD_DIR overrides the build folder)
#   tools/dev.sh bench [ARGS...]  setup, build, then run the benchmarks (bench/run.js; --quick for a smoke run)
#   tools/dev.sh help             this text
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${SHADDOCK_BUILD_DIR:-$ROOT/build}"
JOBS="${SHADDOCK_JOBS:-$(nproc)}"
SANITIZE=""  # --sanitize LIST: the SHADDOCK_SANITIZERS of the build (cmake/Sanitizers.cmake)
# The ctest selection of `test --sanitize thread` without ARGS: the parts that run threads of their own.
TSAN_DEFAULT_TESTS=(-L 'connector|rpc|client|robot|redis')

# Debian 12 packages: compilers and build tools, the libraries, and the tools tests use.
DEB_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  clang libclang-rt-14-dev
  libboost-dev libboost-program-options-dev
  rapidjson-dev libpoco-dev libcppunit-dev libssl-dev
  abigail-tools binutils procps openssl openssh-server openssh-client
  chromium
  nodejs npm
  prometheus
  redis-server libhiredis-dev nats-server libnats-dev zookeeper libzookeeper-mt-dev postgresql
)

log() { printf '[dev] %s\n' "$*" >&2; }

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

cmd_setup() {
  local missing=()
  for p in "${DEB_PACKAGES[@]}"; do
    # A node/npm that came with the machine (not from Debian) is fine as long as it runs.
    if [[ $p == nodejs || $p == npm ]] && command -v "${p/nodejs/node}" >/dev/null 2>&1; then continue; fi
    have_pkg "$p" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "installing Debian packages: ${missing[*]}"
    if [[ $(id -u) -ne 0 ]]; then
      log "error: installing packages needs root (run as root, or install: ${missing[*]})"
      exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    log "Debian packages: all present"
  fi
  # npm packages for interop tests, pinned by exact version in package-lock.json.
  local d
  for d in "$ROOT"/tests/interop "$ROOT"/tests/game/reference "$ROOT"/bench/pomelo "$ROOT"/tests/cluster/pomelo_cli; do
    if [[ -f $d/package-lock.json && ( ! -d $d/node_modules || $d/package-lock.json -nt $d/node_modules/.package-lock.json ) ]]; then
      log "npm ci in ${d#$ROOT/}"
      (cd "$d" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    fi
  done
}

cmd_build() {
  local gen=() launcher=()
  command -v ninja >/dev/null 2>&1 && gen=(-G Ninja)
  command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  local san=()
  [[ -n $SANITIZE ]] && san=(-DSHADDOCK_SANITIZERS="$SANITIZE")
  if [[ ! -f $BUILD/CMakeCache.txt ]]; then
    log "configuring $BUILD${SANITIZE:+ (sanitizers: $SANITIZE)}"
    cmake -S "$ROOT" -B "$BUILD" "${gen[@]}" "${launcher[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${san[@]}" >/dev/null
  elif [[ -n $SANITIZE ]] && ! grep -qx "SHADDOCK_SANITIZERS:STRING=$SANITIZE" "$BUILD/CMakeCache.txt"; then
    log "reconfiguring $BUILD (sanitizers: $SANITIZE)"
    cmake -S "$ROOT" -B "$BUILD" "${san[@]}" >/dev/null
  fi
  # Paths under the checkout hash as relative ones, so every clone and worktree shares one ccache.
  export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1
  log "building ($JOBS jobs)"
  cmake --build "$BUILD" -j "$JOBS"
}

cmd_run() {
  local app_dir="${1:-$ROOT}"
  app_dir="$(cd "$app_dir" && pwd)"
  log "starting the cluster of $app_dir (Ctrl-C stops every server)"
  exec "$BUILD/bin/shaddock-host" --app-dir "$app_dir"
}

# The `scaled` environment (docs/scaling.md, "The chat demo on engines"): Redis, NATS and ZooKeeper
# from tools/engines.sh, handed to the configuration through the environment.
cmd_scaled() {
  local app_dir="${1:-$ROOT}"
  app_dir="$(cd "$app_dir" && pwd)"
  "$ROOT/tools/engines.sh" up --only redis,nats,zookeeper
  eval "$("$ROOT/tools/engines.sh" env)"
  local id master_log before
  id=$(node -e 'const m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); process.stdout.write((m.scaled || m).id)' \
       "$app_dir/config/master.json")
  master_log="$app_dir/logs/$id.log"
  before=$(stat -c %s "$master_log" 2>/dev/null || echo 0)
  log "starting the scaled cluster of $app_dir (Ctrl-C stops the cluster and the standby masters)"
  "$BUILD/bin/shaddock-host" --app-dir "$app_dir" --env scaled &
  local master=$! standbys=""
  # The standbys enter the election after the master, so the master of master.json leads.
  local i
  for ((i = 0; i < 600; i++)); do
    tail -c +$((before + 1)) "$master_log" 2>/dev/null | grep -q "all servers startup in" && break
    kill -0 "$master" 2>/dev/null || break
    sleep 0.1
  done
  local out
  if out=$("$BUILD/bin/shaddock" masterha -d "$app_dir" -e scaled); then
    printf '%s\n' "$out"
    standbys=$(printf '%s\n' "$out" | sed -n 's/.*(pid \([0-9]*\).*/\1/p' | tr '\n' ' ')
  else
    log "the standby masters did not start: $out"
  fi
  trap 'kill -TERM $master $standbys 2>/dev/null || true' INT TERM
  local status=0
  wait "$master" || status=$?
  # The cluster stops with whichever master leads; the standbys go with it.
  kill -TERM $standbys 2>/dev/null || true
  log "stopped; the engines still run (tools/engines.sh down stops them)"
  return "$status"
}

cmd_test() {
  local start=$SECONDS status=0
  if [[ -z $SANITIZE ]]; then
    log "running the test suite"
    (cd "$BUILD" && ctest --output-on-failure -j "$JOBS" "$@")
    log "test suite finished in $((SECONDS - start)) s"
    return
  fi
  # Sanitizer run: ctest sets ASAN/LSAN/UBSAN/TSAN_OPTIONS (cmake/Sanitizers.cmake) unless they are set
  # here already. A report from any process (also one a test spawned and killed) lands in
  # sanitizer-logs/ and fails the run even when the test that caused it passed.
  (($#)) || [[ $SANITIZE != *thread* ]] || set -- "${TSAN_DEFAULT_TESTS[@]}"
  local logs=$BUILD/sanitizer-logs
  rm -rf "$logs" && mkdir -p "$logs"
  log "running the test suite under the sanitizers $SANITIZE ($BUILD)"
  (cd "$BUILD" && ctest --output-on-failure -j "$JOBS" "$@") || status=$?
  local reports=("$logs"/*)
  if [[ -e ${reports[0]} ]]; then
    log "sanitizer reports (${#reports[@]} files in ${logs#$ROOT/}):"
    local f
    for f in "${reports[@]}"; do printf '==== %s\n' "${f#$ROOT/}" >&2; cat "$f" >&2; done
    ((status)) || status=1
  fi
  log "sanitizer test run ($SANITIZE) finished in $((SECONDS - start)) s: $([[ $status -eq 0 ]] && echo clean || echo FAILED)"
  return "$status"
}

# --sanitize LIST (first argument of build/run/test/bench): a sanitizer build in a folder of its own.
parse_sanitize() {
  SANITIZE=${1//[[:space:]]/}
  [[ $SANITIZE =~ ^(address|undefined|thread)(,(address|undefined|thread))*$ ]] ||
    { log "--sanitize takes a comma-separated list of address, undefined, thread (got '$1')"; exit 2; }
  if [[ -z ${SHADDOCK_BUILD_DIR:-} ]]; then
    case ",$SANITIZE," in
      *,thread,*) BUILD=$ROOT/build-tsan ;;
      *,address,*) BUILD=$ROOT/build-asan ;;
      *) BUILD=$ROOT/build-ubsan ;;
    esac
  fi
}

cmd_bench() {
  log "running the benchmarks (results in bench/results/)"
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  SHADDOCK_BUILD_DIR="$BUILD" node "$ROOT/bench/run.js" "$@"
}

cmd=${1:-help}
(($#)) && shift
if [[ ${1:-} == --sanitize ]]; then
  [[ $# -ge 2 ]] || { log "--sanitize needs a list (address,undefined or thread)"; exit 2; }
  parse_sanitize "$2"
  shift 2
elif [[ ${1:-} == --sanitize=* ]]; then
  parse_sanitize "${1#--sanitize=}"
  shift
fi

case "$cmd" in
  setup) cmd_setup ;;
  build) cmd_build ;;
  run) cmd_setup; cmd_build; cmd_run "$@" ;;
  scaled) cmd_setup; cmd_build; cmd_scaled "$@" ;;
  test) cmd_setup; cmd_build; cmd_test "$@" ;;
  bench) cmd_setup; cmd_build; cmd_bench "$@" ;;
  help|-h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) log "unknown command: $cmd (try: tools/dev.sh help)"; exit 2 ;;
esac
