#!/usr/bin/env bash
# Builds the libFuzzer targets of the Pomelo codec with clang (no CMake: the codec sources are
# compiled in with -fsanitize=fuzzer,address,undefined) and runs each for FUZZ_SECONDS seconds,
# starting from the seed corpus in tests/fuzz/corpus/<target>/. Exits non-zero if a target fails
# to build or finds a crash; crash inputs are left in <build dir>/artifacts/.
#
# Usage: tests/fuzz/run.sh [build dir, default build/fuzz]     env: FUZZ_SECONDS (default 10)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-build/fuzz}"
seconds="${FUZZ_SECONDS:-10}"
targets=(fuzz_package_parser fuzz_message_decoder fuzz_handshake fuzz_protobuf_decoder fuzz_connector_receive
         fuzz_master_link)
# Sources a target needs beyond the codec (paths from the repository root).
declare -A extra_sources=(
    [fuzz_connector_receive]="plugins/pomelo_protocol/protocol_connection.cpp plugins/pomelo_protocol/protocol_setup.cpp"
    [fuzz_master_link]="plugins/cluster/admin_config.cpp plugins/cluster/link_crypto.cpp plugins/cluster/link_messages.cpp")
targets+=(fuzz_rpc_frame_reader)  # plugins/rpc/frame_codec.cpp, compiled in with the codec below

cxx="$(command -v clang++ || command -v clang++-14 || true)"
if [[ -z "$cxx" ]]; then
    echo "run.sh: clang++ not found (libFuzzer needs clang)" >&2
    exit 1
fi

codec="$root/plugins/pomelo_protocol/codec"
common=(-std=c++17 -g -O1 -DRAPIDJSON_HAS_STDSTRING=1 -I "$root/plugins/pomelo_protocol" -I "$root/sdk/include"
        -I "$root/plugins/rpc")
sanitize=(-fsanitize=address,undefined -fno-sanitize-recover=all -fsanitize-ignorelist="$here/ubsan_ignorelist.txt")
mkdir -p "$out/obj" "$out/artifacts"

# The codec, once for all targets, two files at a time; an object is rebuilt when any codec file is
# newer than it.
compile_object() {
    "$cxx" "${common[@]}" "${sanitize[@]}" -fsanitize=fuzzer-no-link -c "$1" -o "$2"
}
pids=()
for src in "$codec"/*.cpp "$root/plugins/rpc/frame_codec.cpp"; do
    obj="$out/obj/$(basename "${src%.cpp}").o"
    if [[ -f "$obj" && -z "$(find "$(dirname "$src")" -newer "$obj" -print -quit)" ]]; then continue; fi
    compile_object "$src" "$obj" &
    pids+=("$!")
    if (( ${#pids[@]} == 2 )); then
        for p in "${pids[@]}"; do wait "$p"; done  # set -e: a failed compile ends the script
        pids=()
    fi
done
for p in "${pids[@]}"; do wait "$p"; done

status=0
for t in "${targets[@]}"; do
    echo "== $t: build"
    extra=()
    for src in ${extra_sources[$t]:-}; do extra+=("$root/$src"); done
    "$cxx" "${common[@]}" "${sanitize[@]}" -fsanitize=fuzzer "$here/$t.cpp" "${extra[@]}" "$out"/obj/*.o -lcrypto -o "$out/$t"
    echo "== $t: run ${seconds}s"
    mkdir -p "$out/corpus/$t"
    # New inputs go to the first (build) directory; the seeds in the source tree stay untouched.
    if ! "$out/$t" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$out/artifacts/$t-" \
        "$out/corpus/$t" "$here/corpus/$t" 2>"$out/$t.log"; then
        echo "!! $t FAILED; see $out/$t.log and $out/artifacts/" >&2
        tail -n 40 "$out/$t.log" >&2
        status=1
    else
        grep -E "stat::number_of_executed_units|stat::new_units_added" "$out/$t.log" | tr '\n' ' '
        echo
    fi
done
exit "$status"
