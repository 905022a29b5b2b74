#!/usr/bin/env bash
# The AOI library through the installed SDK package: install the build to a fresh prefix, build
# tests/aoi/installed against it (an app module and a program, both linking Shaddock::aoi), run the
# program, check that the app exports only its entry symbol, then run the app in the installed host
# and look for its AOI answer in the log.
#
#   installed_aoi_test.sh <cmake> <build dir> <source dir> <work dir> <generator> <c++ compiler>
set -euo pipefail

source "$(dirname "$0")/../lib/installed_sdk.sh"

install_sdk
[[ -f $PREFIX/include/shaddock/aoi/tower_aoi.hpp ]] || fail "the AOI header is not installed"
ls "$PREFIX"/lib*/libshd_aoi.a >/dev/null 2>&1 || fail "libshd_aoi.a is not installed"
build_project aoi "$SOURCE/tests/aoi/installed"
"$WORK/aoi/aoi_check" || fail "aoi_check against the installed library"
[[ $(nm -D --defined-only "$WORK/aoi/aoi_app.so" | awk '{print $3}') == shd_app_entry_v1 ]] ||
  fail "aoi_app.so exports more than its entry symbol"

APP_DIR=$WORK/appdir
mkdir -p "$WORK/no-plugins"
mkdir -p "$APP_DIR/config"
echo '{"aoi_app": [{"id": "aoi-server-1"}]}' >"$APP_DIR/config/servers.json"
echo '{"plugins": [], "app": "aoi_app"}' >"$APP_DIR/config/plugins.json"
LOG=$WORK/host.log
env -u SHADDOCK_ENV -u NODE_ENV -u SHADDOCK_PLUGINS_DIR -u SHADDOCK_APPS_DIR \
  "$PREFIX/bin/shaddock-host" --app-dir "$APP_DIR" --env development --plugins-dir "$WORK/no-plugins" \
  --apps-dir "$WORK/aoi" >"$LOG" 2>&1 &
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
grep -q "configure: object 2 is seen by 1 watcher(s)" "$LOG" || fail "the app did not log its AOI answer"
[[ $status -eq 0 ]] || fail "shaddock-host exited with $status after SIGTERM, expected 0"
echo "PASS: the installed SDK builds and runs an app that uses Shaddock::aoi"
