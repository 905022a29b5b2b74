#!/usr/bin/env bash
# tools/dev.sh - the one entry point for developers and CI.
#
#   tools/dev.sh setup            install every Debian and npm package the project needs (idempotent)
#   tools/dev.sh build            configure and build into build/ (Ninja + ccache)
#   tools/dev.sh run [APP_DIR]    setup, build, then run the app's cluster in the foreground (Ctrl-C stops);
#                                 default: the chat demo (config/ = apps/chat/config), web client on :3001
#   tools/dev.sh test [ARGS...]   setup, build, then run the whole test suite (ARGS go to ctest)
#   tools/dev.sh bench [ARGS...]  setup, build, then run the benchmarks (bench/run.js; --quick for a smoke run)
#   tools/dev.sh help             this text
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${SHADDOCK_BUILD_DIR:-$ROOT/build}"
JOBS="${SHADDOCK_JOBS:-$(nproc)}"

# Debian 12 packages: compilers and build tools, the libraries, and the tools tests use.
DEB_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  clang libclang-rt-14-dev
  libboost-dev libboost-program-options-dev
  rapidjson-dev libpoco-dev libcppunit-dev libssl-dev
  abigail-tools binutils procps openssl openssh-server openssh-client
  chromium
  nodejs npm
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
  for d in "$ROOT"/tests/interop "$ROOT"/bench/pomelo; do
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
  if [[ ! -f $BUILD/CMakeCache.txt ]]; then
    log "configuring $BUILD"
    cmake -S "$ROOT" -B "$BUILD" "${gen[@]}" "${launcher[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
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

cmd_test() {
  local start=$SECONDS
  log "running the test suite"
  (cd "$BUILD" && ctest --output-on-failure -j "$JOBS" "$@")
  log "test suite finished in $((SECONDS - start)) s"
}

cmd_bench() {
  log "running the benchmarks (results in bench/results/)"
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  SHADDOCK_BUILD_DIR="$BUILD" node "$ROOT/bench/run.js" "$@"
}

case "${1:-help}" in
  setup) cmd_setup ;;
  build) cmd_build ;;
  run) shift; cmd_setup; cmd_build; cmd_run "$@" ;;
  test) shift; cmd_setup; cmd_build; cmd_test "$@" ;;
  bench) shift; cmd_setup; cmd_build; cmd_bench "$@" ;;
  help|-h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) log "unknown command: $1 (try: tools/dev.sh help)"; exit 2 ;;
esac
