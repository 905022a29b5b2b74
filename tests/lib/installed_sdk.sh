# Sourced by the tests of the installed SDK package (tests/abi, tests/client). Their arguments:
#   <cmake> <build dir> <source dir> <work dir> <generator> <c++ compiler>
# install_sdk installs the build into $WORK/prefix (a fresh $WORK); build_project configures and builds
# a CMake project that sees the SDK only through CMAKE_PREFIX_PATH.

CMAKE=$1 BUILD=$2 SOURCE=$3 WORK=$4 GENERATOR=$5 CXX_COMPILER=$6
PREFIX=$WORK/prefix

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

install_sdk() {
  rm -rf "$WORK"
  mkdir -p "$WORK"
  "$CMAKE" --install "$BUILD" --prefix "$PREFIX" >"$WORK/install.log" || { cat "$WORK/install.log"; fail "cmake --install"; }
}

build_project() {  # <name: the build tree is $WORK/name> <source dir> [more cmake configure arguments...]
  local out=$WORK/$1 src=$2
  shift 2
  local launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  if ! "$CMAKE" -S "$src" -B "$out" -G "$GENERATOR" -DCMAKE_CXX_COMPILER="$CXX_COMPILER" "${launcher[@]}" \
      -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >"$out.configure.log" 2>&1; then
    cat "$out.configure.log"
    fail "configuring $src against the installed SDK"
  fi
  "$CMAKE" --build "$out" >"$out.build.log" 2>&1 || { cat "$out.build.log"; fail "building $src against the installed SDK"; }
}
