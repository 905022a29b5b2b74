#!/usr/bin/env bash
# `shaddock init`, end to end, the way a new user meets it: install the build to a fresh prefix; with
# the installed `shaddock`, check --help and the refusals, scaffold a project, build it against the
# prefix only with warnings as errors; then init_cluster_test.js starts it with the installed
# `shaddock start`, drives it with the npm Pomelo client and stops it with `shaddock stop`.
#
#   init_test.sh <cmake> <build dir> <source dir> <work dir> <generator> <c++ compiler>
# The environment gives SHADDOCK_NODE, the node binary.
set -euo pipefail

source "$(dirname "$0")/../lib/installed_sdk.sh"

if [[ ! -d $SOURCE/tests/interop/node_modules/pomelo-jsclient-websocket ]]; then
  echo "tests/interop/node_modules is missing (run npm ci there): skipped"
  exit 77
fi
: "${SHADDOCK_NODE:?the node binary (set by CTest)}"

install_sdk
CLI=$PREFIX/bin/shaddock
[[ -x $CLI && -x $PREFIX/bin/shaddock-host ]] || fail "no bin/shaddock or bin/shaddock-host in the installed prefix"
for plugin in cluster connector pomelo_protocol rpc server; do
  [[ -f $PREFIX/lib/shaddock/plugins/$plugin.so ]] || fail "no lib/shaddock/plugins/$plugin.so in the installed prefix"
done

# run <expected status> <output file> <command...>: the status must be the expected one.
run() {
  local expected=$1 out=$2 status=0
  shift 2
  "$@" >"$out" 2>&1 || status=$?
  [[ $status -eq $expected ]] || { cat "$out"; fail "$* exited $status, expected $expected"; }
}

run 0 "$WORK/help.txt" "$CLI" init --help
grep -q "usage: shaddock init <path>" "$WORK/help.txt" && grep -q -- "--force" "$WORK/help.txt" &&
  grep -q "Exit status" "$WORK/help.txt" || { cat "$WORK/help.txt"; fail "init --help does not describe the command"; }
run 2 "$WORK/nopath.txt" "$CLI" init
grep -q "which folder" "$WORK/nopath.txt" || { cat "$WORK/nopath.txt"; fail "init without a path does not say what is missing"; }
run 2 "$WORK/badname.txt" "$CLI" init "$WORK/bad" --name "my game"
grep -q 'the app name "my game" may hold only' "$WORK/badname.txt" || { cat "$WORK/badname.txt"; fail "a bad --name is not explained"; }
[[ ! -e $WORK/bad ]] || fail "init wrote a folder for a bad name"
run 2 "$WORK/badopt.txt" "$CLI" init "$WORK/bad" --nmae x
[[ ! -e $WORK/bad ]] || fail "init wrote a folder despite an unknown option"

# Scaffold, from the parent folder as a user would type it; the name is the folder's.
APP=$WORK/mygame
(cd "$WORK" && run 0 "$WORK/init.txt" "$CLI" init mygame)
grep -q "cmake -S . -B build -DCMAKE_PREFIX_PATH=$PREFIX\$" "$WORK/init.txt" ||
  { cat "$WORK/init.txt"; fail "init does not print the next steps with the installed prefix"; }
files=(CMakeLists.txt README.md .gitignore app/app.hpp app/app.cpp app/filters/login_filter.cpp
  app/servers/connector/handler/entry_handler.cpp app/servers/game/handler/game_handler.cpp
  app/servers/game/remote/player_remote.cpp client/client.cpp config/master.json config/servers.json config/plugins.json
  config/adminServer.json config/adminUser.json)
for f in "${files[@]}"; do
  [[ -s $APP/$f ]] || fail "init did not write $f"
  [[ $f == README.md ]] || grep -qF "\`$f\`" "$APP/README.md" || fail "README.md does not describe $f"
done
written=$(cd "$APP" && find . -type f | sed 's|^\./||' | sort)
expected=$(printf '%s\n' "${files[@]}" | sort)
[[ $written == "$expected" ]] || fail "init wrote other files than expected: $(diff <(echo "$expected") <(echo "$written") || true)"
if grep -rn "@@" "$APP"; then fail "a placeholder was left in the project"; fi
grep -q 'project(mygame LANGUAGES CXX)' "$APP/CMakeLists.txt" || fail "CMakeLists.txt is not named after the project"
grep -q "cmake -S . -B build -DCMAKE_PREFIX_PATH=$PREFIX\$" "$APP/README.md" || fail "README.md does not name the SDK prefix"
for f in adminServer.json adminUser.json; do
  [[ $(stat -c %a "$APP/config/$f") == 600 ]] || fail "config/$f is readable by others ($(stat -c %a "$APP/config/$f"))"
done
token_of() { grep -o "\"type\": \"$1\", \"token\": \"[0-9a-f]*\"" "$2" | grep -o '[0-9a-f]\{64\}'; }
t1=$(token_of connector "$APP/config/adminServer.json") || fail "adminServer.json has no 64-digit token for connector"
t2=$(token_of game "$APP/config/adminServer.json") || fail "adminServer.json has no 64-digit token for game"
[[ $t1 != "$t2" ]] || fail "the connector and game tokens are the same"

# A second project gets tokens of its own; --name names it.
run 0 "$WORK/init2.txt" "$CLI" init "$WORK/other/" --name chess
grep -q 'project(chess LANGUAGES CXX)' "$WORK/other/CMakeLists.txt" || fail "--name does not name the project"
[[ $(token_of connector "$WORK/other/config/adminServer.json") != "$t1" ]] || fail "two projects got the same token"

# A folder that is not empty is refused and left alone; --force writes into it, keeping other files.
echo "my notes" >"$APP/notes.txt"
echo "a local edit" >>"$APP/README.md"
run 1 "$WORK/refused.txt" "$CLI" init "$APP"
grep -q "is not empty" "$WORK/refused.txt" && grep -q -- "--force" "$WORK/refused.txt" ||
  { cat "$WORK/refused.txt"; fail "the refusal does not say why and what to do"; }
tail -1 "$APP/README.md" | grep -qx "a local edit" || fail "a refused init changed README.md"
run 0 "$WORK/force.txt" "$CLI" init "$APP" --force
grep -q "a local edit" "$APP/README.md" && fail "--force did not rewrite README.md"
[[ $(cat "$APP/notes.txt") == "my notes" ]] || fail "--force touched a file that is not the project's"
rm "$APP/notes.txt"
echo "file" >"$WORK/a-file"
run 1 "$WORK/notdir.txt" "$CLI" init "$WORK/a-file"

# Build against the installed prefix only, warnings as errors (the project asks for -Wall -Wextra
# -Wpedantic itself).
build_project mygame-build "$APP" -DCMAKE_COMPILE_WARNING_AS_ERROR=ON
if grep -i "warning" "$WORK/mygame-build.build.log"; then fail "the generated project builds with warnings"; fi
[[ -x $WORK/mygame-build/mygame-client ]] || fail "the build did not make the client mygame-client"
[[ -f $APP/lib/mygame.so ]] || fail "the build did not write lib/mygame.so (where config/plugins.json points)"
[[ $(nm -D --defined-only "$APP/lib/mygame.so" | awk '{print $3}') == shd_app_entry_v1 ]] ||
  fail "lib/mygame.so exports more than its entry symbol"
"$PREFIX/bin/shaddock-host" --list-plugins "$APP/lib" >"$WORK/list.txt" || { cat "$WORK/list.txt"; fail "--list-plugins on lib/"; }
grep -q "name:      mygame" "$WORK/list.txt" && grep -q "kind:      app" "$WORK/list.txt" ||
  { cat "$WORK/list.txt"; fail "lib/mygame.so is not described as the app mygame"; }

# The C++ examples of docs/guide.md ("Grow the app") compile, warning-free, where the guide puts
# them: a copy of the project with each one inserted into the file the guide names.
GUIDE_APP=$WORK/guide/mygame
mkdir -p "$WORK/guide"
cp -r "$APP" "$GUIDE_APP"
rm -rf "$GUIDE_APP/lib"
python3 - "$SOURCE/docs/guide.md" "$GUIDE_APP" <<'PY' || fail "the examples of docs/guide.md no longer fit the generated project"
import re, sys
guide, app = sys.argv[1], sys.argv[2]
blocks = re.findall(r"```cpp\n(.*?)```", open(guide).read(), re.S)
def insert(path, before, code):
    text = open(f"{app}/{path}").read()
    if before not in text:
        sys.exit(f"{path} has no line {before!r}")
    open(f"{app}/{path}", "w").write(text.replace(before, code + before, 1))
placed = 0
for code in blocks:
    indented = "".join("    " + line if line else line for line in code.splitlines(True))
    if "ctx.handlers->on(" in code:    # a handler, in add_game_handler
        insert("app/servers/game/handler/game_handler.cpp", '    ctx.handlers->on("game.gameHandler.play"', indented)
    elif "ctx.rpc->remote(" in code:   # a remote, in add_player_remote
        insert("app/servers/game/remote/player_remote.cpp", '    ctx.rpc->remote("playerRemote", "join"', indented)
    elif "ctx.rpc->call(" in code:     # its caller, in a handler of the connector
        insert("app/servers/connector/handler/entry_handler.cpp", '    ctx.handlers->on("connector.entryHandler.login"',
               '    ctx.handlers->on("connector.entryHandler.score", [&ctx](shd::RequestPtr req) {\n' +
               indented + '    });\n')
    elif "ctx_->filters->" in code:    # filters, in app.cpp after add_player_remote
        insert("app/app.cpp", "        }\n    }\n", "".join("        " + l if l.strip() else l for l in code.splitlines(True)))
    else:
        sys.exit("an example of docs/guide.md that this test does not place:\n" + code)
    placed += 1
if placed < 5:
    sys.exit(f"only {placed} C++ examples in docs/guide.md")
PY
build_project guide-build "$GUIDE_APP" -DCMAKE_COMPILE_WARNING_AS_ERROR=ON
if grep -i "warning" "$WORK/guide-build.build.log"; then fail "the examples of docs/guide.md build with warnings"; fi
[[ -f $GUIDE_APP/lib/mygame.so ]] || fail "the project with the guide's examples did not build"

# Run it: the installed CLI and host only (no build-tree folders in the environment).
env -u SHADDOCK_PLUGINS_DIR -u SHADDOCK_APPS_DIR -u SHADDOCK_ENV -u NODE_ENV -u SHADDOCK_ADMIN_PASSWORD \
  SHADDOCK_CLI="$CLI" SHADDOCK_INIT_CLIENT="$WORK/mygame-build/mygame-client" "$SHADDOCK_NODE" "$(dirname "$0")/init_cluster_test.js" "$APP"
echo "PASS: shaddock init makes a project that builds against the installed SDK and runs as a cluster"
