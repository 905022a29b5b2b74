# The abidiff gate over libshd_abi_probe (see docs/abi.md, "abidiff").
#
#   MODE=check:    dump the current ABI and compare it with every released baseline in BASELINE_DIR;
#                  any non-zero abidiff status fails (1 error, 2 usage, 4 change, 8 incompatible).
#   MODE=baseline: write BASELINE_DIR/shd_abi_v<major>_<minor>.abi from the current build (a release
#                  step; commit the file).
#
# Both dump with the same abidw options, which leave out everything that depends on the machine or
# the checkout location (paths, source locations, architecture), so a baseline made in one tree
# compares cleanly in another.
#
#   cmake -DMODE=... -DABIDW=... -DABIDIFF=... -DPROBE=<libshd_abi_probe.so> -DABI_HEADER=<abi.h>
#         -DBASELINE_DIR=... -DSUPPRESSIONS=<append_ok.suppr> -DCURRENT=<out.abi> -P run_abidiff.cmake
cmake_minimum_required(VERSION 3.20)

set(abidw_options --no-corpus-path --no-comp-dir-path --no-show-locs --no-architecture --no-elf-needed
    --drop-undefined-syms --type-id-style hash)

file(STRINGS "${ABI_HEADER}" major_line REGEX "^#define SHD_ABI_MAJOR [0-9]+")
file(STRINGS "${ABI_HEADER}" minor_line REGEX "^#define SHD_ABI_MINOR [0-9]+")
string(REGEX REPLACE ".* ([0-9]+)$" "\\1" major "${major_line}")
string(REGEX REPLACE ".* ([0-9]+)$" "\\1" minor "${minor_line}")

if(MODE STREQUAL "baseline")
  set(out "${BASELINE_DIR}/shd_abi_v${major}_${minor}.abi")
  file(MAKE_DIRECTORY "${BASELINE_DIR}")
  execute_process(COMMAND "${ABIDW}" ${abidw_options} --out-file "${out}" "${PROBE}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "abidw failed (${rc}) on ${PROBE}")
  endif()
  message(STATUS "wrote ${out}; review and commit it")
  return()
endif()

execute_process(COMMAND "${ABIDW}" ${abidw_options} --out-file "${CURRENT}" "${PROBE}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "abidw failed (${rc}) on ${PROBE}")
endif()

file(GLOB baselines "${BASELINE_DIR}/shd_abi_v${major}_*.abi")
if(NOT baselines)
  message(FATAL_ERROR "no ABI ${major} baseline in ${BASELINE_DIR}: nothing to compare with")
endif()
set(failed "")
foreach(baseline IN LISTS baselines)
  get_filename_component(name "${baseline}" NAME)
  execute_process(COMMAND "${ABIDIFF}" --suppressions "${SUPPRESSIONS}" "${baseline}" "${CURRENT}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc EQUAL 0)
    message(STATUS "${name}: compatible")
  else()
    message(STATUS "${name}: abidiff exit ${rc}\n${out}${err}")
    list(APPEND failed "${name} (exit ${rc})")
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "the SDK ABI is not compatible with the released baseline(s): ${failed}\n"
                      "Only appending members at the end of a struct and adding structs are allowed in a minor.")
endif()
