#!/usr/bin/env bash
# The installed SDK package offers Shaddock::client: install the build to a fresh prefix, build
# tests/client/installed against that prefix only, check what the library exports, and run it.
#
#   installed_client_test.sh <cmake> <build dir> <source dir> <work dir> <generator> <c++ compiler>
set -euo pipefail

CMAKE=$1 BUILD=$2 SOURCE=$3 WORK=$4 GENERATOR=$5 CXX_COMPILER=$6
PREFIX=$WORK/prefix

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

rm -rf "$WORK"
mkdir -p "$WORK"
"$CMAKE" --install "$BUILD" --prefix "$PREFIX" >"$WORK/install.log" || { cat "$WORK/install.log"; fail "cmake --install"; }
[[ -f $PREFIX/include/shaddock/client.hpp ]] || fail "no include/shaddock/client.hpp in the installed prefix"
lib=$(ls "$PREFIX"/lib*/libshaddock-client.so 2>/dev/null | head -1)
[[ -n $lib ]] || fail "no libshaddock-client.so in the installed prefix"

# Only the shd::client API is exported: no Boost, RapidJSON or codec symbols leak. (No `grep -q` in
# pipes here: with pipefail, the writer may die of SIGPIPE when grep quits early.)
leaks=$(nm -DC --defined-only "$lib" | awk '{ $1=""; $2=""; print }' | grep -v '^ *shd::client::' |
  grep -v -E '^ *(typeinfo|vtable|VTT|guard variable)' || true)
[[ -z $leaks ]] || fail "libshaddock-client.so exports more than shd::client: $leaks"
nm -DC --defined-only "$lib" | grep "shd::client::Client::Impl::" >/dev/null && fail "libshaddock-client.so exports Client::Impl"

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
out=$WORK/build
"$CMAKE" -S "$SOURCE/tests/client/installed" -B "$out" -G "$GENERATOR" -DCMAKE_CXX_COMPILER="$CXX_COMPILER" \
  "${launcher[@]}" -DCMAKE_PREFIX_PATH="$PREFIX" >"$WORK/configure.log" 2>&1 ||
  { cat "$WORK/configure.log"; fail "configuring against the installed SDK"; }
"$CMAKE" --build "$out" >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; fail "building against the installed SDK"; }
ldd "$out/installed_client" | grep "$PREFIX" >/dev/null || fail "installed_client does not load the installed library"

# A port nobody listens on: bind one, note it, release it.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
"$out/installed_client" "$port"
