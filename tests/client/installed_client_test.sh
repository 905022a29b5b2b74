#!/usr/bin/env bash
# The installed SDK package offers Shaddock::client: install the build to a fresh prefix, build
# tests/client/installed against that prefix only, check what the library exports, and run it.
#
#   installed_client_test.sh <cmake> <build dir> <source dir> <work dir> <generator> <c++ compiler>
set -euo pipefail

source "$(dirname "$0")/../lib/installed_sdk.sh"

install_sdk
[[ -f $PREFIX/include/shaddock/client.hpp ]] || fail "no include/shaddock/client.hpp in the installed prefix"
lib=$(ls "$PREFIX"/lib*/libshaddock-client.so 2>/dev/null | head -1)
[[ -n $lib ]] || fail "no libshaddock-client.so in the installed prefix"

# Only the shd::client API is exported: no Boost, RapidJSON or codec symbols leak. (No `grep -q` in
# pipes here: with pipefail, the writer may die of SIGPIPE when grep quits early.)
leaks=$(nm -DC --defined-only "$lib" | awk '{ $1=""; $2=""; print }' | grep -v '^ *shd::client::' |
  grep -v -E '^ *(typeinfo|vtable|VTT|guard variable)' || true)
[[ -z $leaks ]] || fail "libshaddock-client.so exports more than shd::client: $leaks"
nm -DC --defined-only "$lib" | grep "shd::client::Client::Impl::" >/dev/null && fail "libshaddock-client.so exports Client::Impl"

build_project build "$SOURCE/tests/client/installed"
out=$WORK/build
ldd "$out/installed_client" | grep "$PREFIX" >/dev/null || fail "installed_client does not load the installed library"

# A port nobody listens on: bind one, note it, release it.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
"$out/installed_client" "$port"
