#!/usr/bin/env bash
# Builds the libFuzzer targets of the Pomelo codec (sdk/pomelo_codec; and fuzz_gamedata: sdk/gamedata) with clang (no CMake: the codec
# sources are compiled in with -fsanitize=fuzzer,address,undefined) and runs each for FUZZ_SECONDS
# seconds, starting from the seed corpus in tests/fuzz/corpus/<target>/. Exits non-zero if a target
# fails to build or finds a crash; crash inputs are left in <build dir>/artifacts/.
#
# Usage: tests/fuzz/run.sh [build dir, default build/fuzz] [target...]
# env:   FUZZ_SECONDS      wall-clock seconds per target (default 10)
#        FUZZ_CPU_SECONDS  instead: run each target until it has used this much CPU time (a long run
#                          on a shared machine: `FUZZ_CPU_SECONDS=1800 FUZZ_PARALLEL=2 nice -n 19 ...`)
#        FUZZ_PARALLEL     targets run at once (default 1)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-build/fuzz}"
seconds="${FUZZ_SECONDS:-10}"
cpu_seconds="${FUZZ_CPU_SECONDS:-}"
parallel="${FUZZ_PARALLEL:-1}"
all_targets=(fuzz_package_parser fuzz_message_decoder fuzz_handshake fuzz_protobuf_decoder fuzz_connector_receive
         fuzz_master_link fuzz_rpc_frame_reader fuzz_gamedata fuzz_pomelo_admin)  # fuzz_rpc_frame_reader: plugins/rpc/frame_codec.cpp, compiled in with the codec
targets=("${all_targets[@]}")
if (( $# > 1 )); then
    targets=("${@:2}")
    for t in "${targets[@]}"; do
        [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "run.sh: no target $t (targets: ${all_targets[*]})" >&2; exit 2; }
    done
fi
# Sources a target needs beyond the codec (paths from the repository root).
declare -A extra_sources=(
    [fuzz_connector_receive]="plugins/pomelo_protocol/protocol_connection.cpp plugins/pomelo_protocol/protocol_setup.cpp"
    [fuzz_master_link]="plugins/cluster/admin_config.cpp plugins/cluster/link_crypto.cpp plugins/cluster/link_messages.cpp"
    [fuzz_gamedata]="sdk/gamedata/src/cell.cpp sdk/gamedata/src/csv.cpp sdk/gamedata/src/database.cpp sdk/gamedata/src/json_tree.cpp sdk/gamedata/src/table.cpp"
    [fuzz_pomelo_admin]="plugins/cluster/mqtt_codec.cpp plugins/cluster/pomelo_console.cpp")

cxx="$(command -v clang++ || command -v clang++-14 || true)"
if [[ -z "$cxx" ]]; then
    echo "run.sh: clang++ not found (libFuzzer needs clang)" >&2
    exit 1
fi

# The codec library: its sources in src/ (private headers beside them), its public headers in include/.
# fuzz_connector_receive also includes the protocol plugin's own headers, fuzz_rpc_frame_reader the rpc
# plugin's: the plugins' receive paths are what those targets test.
codec="$root/sdk/pomelo_codec"
common=(-std=c++17 -g -O1 -DRAPIDJSON_HAS_STDSTRING=1 -I "$codec/include" -I "$root/sdk/include" -I "$root/sdk/gamedata/include"
        -I "$root/plugins/pomelo_protocol" -I "$root/plugins/rpc")
sanitize=(-fsanitize=address,undefined -fno-sanitize-recover=all -fsanitize-ignorelist="$here/ubsan_ignorelist.txt")
mkdir -p "$out/obj" "$out/artifacts"

# The codec, once for all targets, two files at a time; an object is rebuilt when any file of its folder
# or any public codec header is newer than it.
compile_object() {
    "$cxx" "${common[@]}" "${sanitize[@]}" -fsanitize=fuzzer-no-link -c "$1" -o "$2"
}
pids=()
for src in "$codec"/src/*.cpp "$root/plugins/rpc/frame_codec.cpp"; do
    obj="$out/obj/$(basename "${src%.cpp}").o"
    if [[ -f "$obj" && -z "$(find "$(dirname "$src")" "$codec/include" -newer "$obj" -print -quit)" ]]; then continue; fi
    compile_object "$src" "$obj" &
    pids+=("$!")
    if (( ${#pids[@]} == 2 )); then
        for p in "${pids[@]}"; do wait "$p"; done  # set -e: a failed compile ends the script
        pids=()
    fi
done
for p in "${pids[@]}"; do wait "$p"; done

for t in "${targets[@]}"; do
    echo "== $t: build"
    extra=()
    for src in ${extra_sources[$t]:-}; do extra+=("$root/$src"); done
    "$cxx" "${common[@]}" "${sanitize[@]}" -fsanitize=fuzzer "$here/$t.cpp" "${extra[@]}" "$out"/obj/*.o -lcrypto -o "$out/$t"
done

# One target's run; its log is <build dir>/<target>.log. With FUZZ_CPU_SECONDS the fuzzer gets a long
# wall-clock limit and is interrupted (SIGINT: it prints its final stats and exits) once its CPU time,
# read from /proc, reaches the budget.
run_target() {
    local t=$1 limit=$seconds
    [[ -n "$cpu_seconds" ]] && limit=$((cpu_seconds * 20))
    mkdir -p "$out/corpus/$t"
    # New inputs go to the first (build) directory; the seeds in the source tree stay untouched.
    "$out/$t" -max_total_time="$limit" -print_final_stats=1 -artifact_prefix="$out/artifacts/$t-" \
        "$out/corpus/$t" "$here/corpus/$t" 2>"$out/$t.log" &
    local pid=$! start=$SECONDS
    if [[ -n "$cpu_seconds" ]]; then
        local tick; tick=$(getconf CLK_TCK)
        while kill -0 "$pid" 2>/dev/null; do
            sleep 5
            local stat used
            stat=$(cat "/proc/$pid/stat" 2>/dev/null) || break
            # Fields after the command name: utime and stime are the 12th and 13th of the rest.
            used=$(awk -v t="$tick" '{print int(($12 + $13) / t)}' <<<"${stat##*) }")
            if (( used >= cpu_seconds )); then kill -INT "$pid" 2>/dev/null; break; fi
        done
    fi
    local rc=0
    wait "$pid" || rc=$?
    # 72: libFuzzer's exit code after an interrupt (the CPU budget), not a finding.
    if [[ -n "$cpu_seconds" && $rc -eq 72 ]] && grep -q "run interrupted" "$out/$t.log"; then rc=0; fi
    if (( rc != 0 )); then
        echo "!! $t FAILED; see $out/$t.log and $out/artifacts/" >&2
        tail -n 40 "$out/$t.log" >&2
        return 1
    fi
    echo "== $t: $((SECONDS - start)) s wall: $(grep -E "stat::number_of_executed_units|stat::new_units_added|stat::peak_rss_mb" "$out/$t.log" | tr -s ' ' | tr '\n' ' ')"
}

status=0
running=()
for t in "${targets[@]}"; do
    if [[ -n "$cpu_seconds" ]]; then echo "== $t: run until ${cpu_seconds} s of CPU"; else echo "== $t: run ${seconds} s"; fi
    run_target "$t" &
    running+=("$!")
    if (( ${#running[@]} >= parallel )); then
        wait "${running[0]}" || status=1
        running=("${running[@]:1}")
    fi
done
for p in "${running[@]}"; do wait "$p" || status=1; done
exit "$status"
