#!/usr/bin/env bash
# The installed SDK package is all a third party needs: install the build to a fresh prefix, build
# apps/hello, tests/abi/installed_plugin and tests/abi/installed_headers (every installed header)
# against that prefix only, check that a missing RapidJSON is reported by find_package(Shaddock),
# describe the app and the plugin with the installed shaddock-host, then run them together and stop
# with SIGTERM, expecting a clean stop.
#
#   installed_sdk_test.sh <cmake> <build dir> <source dir> <work dir> <generator> <c++ compiler>
set -euo pipefail

source "$(dirname "$0")/../lib/installed_sdk.sh"

install_sdk
[[ -f $PREFIX/lib/cmake/Shaddock/ShaddockConfig.cmake ]] || fail "no ShaddockConfig.cmake in the installed prefix"
[[ -x $PREFIX/bin/shaddock-host ]] || fail "no bin/shaddock-host in the installed prefix"

build_project app "$SOURCE/apps/hello"

# The README's "Writing a plugin" example, exactly as printed there: its C++ and CMake blocks.
README_PLUGIN=$WORK/readme_plugin
mkdir -p "$README_PLUGIN"
awk '/^## Writing a plugin/{on=1} on && /^```cpp/{grab=1; next} grab && /^```/{exit} grab{print}' "$SOURCE/README.md" \
  >"$README_PLUGIN/my_plugin.cpp"
awk '/^## Writing a plugin/{on=1} on && /^```cmake/{grab=1; next} grab && /^```/{exit} grab{print}' "$SOURCE/README.md" \
  >"$README_PLUGIN/CMakeLists.txt"
[[ -s $README_PLUGIN/my_plugin.cpp && -s $README_PLUGIN/CMakeLists.txt ]] || fail "README has no plugin example to build"
build_project readme "$README_PLUGIN"
[[ -f $WORK/readme/my_plugin.so ]] || fail "the README example did not produce my_plugin.so"
[[ $(nm -D --defined-only "$WORK/readme/my_plugin.so" | awk '{print $3}') == shd_plugin_entry_v1 ]] ||
  fail "the README example exports more than its entry symbol"
build_project plugin "$SOURCE/tests/abi/installed_plugin"
[[ -f $WORK/app/hello.so ]] || fail "apps/hello did not produce hello.so"
[[ -f $WORK/plugin/installed_greeter.so ]] || fail "installed_plugin did not produce installed_greeter.so"

# Every installed header compiles in an outside project with only what find_package(Shaddock) brings
# (the cpp/*.hpp headers include RapidJSON: the package must find it and pass on its settings)...
build_project headers "$SOURCE/tests/abi/installed_headers"
[[ -f $WORK/headers/installed_headers.so ]] || fail "installed_headers did not produce installed_headers.so"
# ...and with RapidJSON out of reach (every find_path looks only under an empty root), configuring
# fails in find_package(Shaddock), naming the Debian package to install.
NO_RAPIDJSON=$WORK/headers-without-rapidjson
mkdir -p "$WORK/empty-root"
if "$CMAKE" -S "$SOURCE/tests/abi/installed_headers" -B "$NO_RAPIDJSON" -G "$GENERATOR" \
    -DCMAKE_CXX_COMPILER="$CXX_COMPILER" -DCMAKE_PREFIX_PATH="$PREFIX" \
    -DCMAKE_FIND_ROOT_PATH="$WORK/empty-root" -DCMAKE_FIND_ROOT_PATH_MODE_INCLUDE=ONLY >"$NO_RAPIDJSON.log" 2>&1; then
  cat "$NO_RAPIDJSON.log"
  fail "the installed package configured a project without RapidJSON"
fi
grep -q "apt install rapidjson-dev" "$NO_RAPIDJSON.log" ||
  { cat "$NO_RAPIDJSON.log"; fail "find_package(Shaddock) without RapidJSON does not name rapidjson-dev"; }

# The installed host describes both without running them.
HOST=$PREFIX/bin/shaddock-host
"$HOST" --list-plugins "$WORK/app" >"$WORK/list-app.txt" || { cat "$WORK/list-app.txt"; fail "--list-plugins on the app"; }
"$HOST" --list-plugins "$WORK/plugin" >"$WORK/list-plugin.txt" || { cat "$WORK/list-plugin.txt"; fail "--list-plugins on the plugin"; }
grep -q "name:      hello" "$WORK/list-app.txt" && grep -q "kind:      app" "$WORK/list-app.txt" &&
  grep -q "requires:  shd.example.greeting/1" "$WORK/list-app.txt" || { cat "$WORK/list-app.txt"; fail "hello.so described wrongly"; }
grep -q "name:      installed_greeter" "$WORK/list-plugin.txt" && grep -q "kind:      plugin" "$WORK/list-plugin.txt" &&
  grep -q "provides:  shd.example.greeting/1" "$WORK/list-plugin.txt" || { cat "$WORK/list-plugin.txt"; fail "installed_greeter.so described wrongly"; }

# Run them together: the app greets through the freshly built plugin, then SIGTERM stops it cleanly.
APP_DIR=$WORK/appdir
mkdir -p "$APP_DIR/config"
echo '{"hello": [{"id": "hello-server-1"}]}' >"$APP_DIR/config/servers.json"
echo '{"plugins": ["installed_greeter"], "app": "hello"}' >"$APP_DIR/config/plugins.json"
LOG=$WORK/host.log
env -u SHADDOCK_ENV -u NODE_ENV -u SHADDOCK_PLUGINS_DIR -u SHADDOCK_APPS_DIR \
  "$HOST" --app-dir "$APP_DIR" --env development --plugins-dir "$WORK/plugin" --apps-dir "$WORK/app" >"$LOG" 2>&1 &
pid=$!
for _ in $(seq 100); do
  grep -q "start_all: the whole cluster is up" "$LOG" && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
grep -q "start_all: the whole cluster is up" "$LOG" || { kill -9 "$pid" 2>/dev/null; cat "$LOG"; fail "the server did not come up"; }
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
cat "$LOG"
[[ $status -eq 0 ]] || fail "shaddock-host exited with $status after SIGTERM, expected 0"
grep -q "hello: configure: Howdy from the installed SDK, world!" "$LOG" || fail "the app did not greet through installed_greeter"
grep -q "server stopped cleanly" "$LOG" || fail "no 'server stopped cleanly' in the log"
echo "PASS: installed SDK builds and runs an app and a separate plugin"
