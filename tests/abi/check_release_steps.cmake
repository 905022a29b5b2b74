# The release steps of docs/abi.md ("Releasing a minor") were all taken for every minor up to the one
# in abi.h: for each 1.n with n <= SHD_ABI_MINOR there must be
#   - the abidiff baseline        sdk/abi/baseline/shd_abi_v1_<n>.abi   (step 2, sdk_abi_baseline)
#   - the frozen layout table     tests/abi/layout_v1_<n>.h             (step 3)
#   - the frozen release headers  tests/abi/sdk-1.<n>/include/shaddock/abi.h, which must say 1.n (step 4)
# and nothing of the kind for a minor abi.h does not have yet. Raising SHD_ABI_MINOR without them
# fails the abi_release_steps test, naming each missing file and the step that makes it.
#
#   cmake -DABI_HEADER=<sdk/include/shaddock/abi.h> -DBASELINE_DIR=<sdk/abi/baseline>
#         -DTESTS_DIR=<tests/abi> -P check_release_steps.cmake
cmake_minimum_required(VERSION 3.20)

function(read_abi_version header out_major out_minor)
  file(STRINGS "${header}" major_line REGEX "^#define SHD_ABI_MAJOR [0-9]+$")
  file(STRINGS "${header}" minor_line REGEX "^#define SHD_ABI_MINOR [0-9]+$")
  if(NOT major_line OR NOT minor_line)
    set(${out_major} "" PARENT_SCOPE)
    set(${out_minor} "" PARENT_SCOPE)
    return()
  endif()
  string(REGEX REPLACE ".* ([0-9]+)$" "\\1" major "${major_line}")
  string(REGEX REPLACE ".* ([0-9]+)$" "\\1" minor "${minor_line}")
  set(${out_major} "${major}" PARENT_SCOPE)
  set(${out_minor} "${minor}" PARENT_SCOPE)
endfunction()

read_abi_version("${ABI_HEADER}" major minor)
if(major STREQUAL "")
  message(FATAL_ERROR "no '#define SHD_ABI_MAJOR n' and '#define SHD_ABI_MINOR n' lines in ${ABI_HEADER}")
endif()

set(missing "")
foreach(n RANGE 0 ${minor})
  set(version "${major}.${n}")
  set(baseline "${BASELINE_DIR}/shd_abi_v${major}_${n}.abi")
  if(NOT EXISTS "${baseline}")
    list(APPEND missing "ABI ${version}: no baseline ${baseline} (step 2: cmake --build build --target sdk_abi_baseline, then commit it)")
  endif()
  set(layout "${TESTS_DIR}/layout_v${major}_${n}.h")
  if(NOT EXISTS "${layout}")
    list(APPEND missing "ABI ${version}: no frozen layout table ${layout} (step 3)")
  endif()
  set(frozen "${TESTS_DIR}/sdk-${version}/include/shaddock/abi.h")
  if(NOT EXISTS "${frozen}")
    list(APPEND missing "ABI ${version}: no frozen headers ${frozen} (step 4: copy the released headers to tests/abi/sdk-${version}/include and build a plugin from them in abi_frozen_sdk_compat)")
  else()
    read_abi_version("${frozen}" frozen_major frozen_minor)
    if(NOT "${frozen_major}.${frozen_minor}" STREQUAL "${version}")
      list(APPEND missing "ABI ${version}: ${frozen} says ABI ${frozen_major}.${frozen_minor}, not ${version} (the folder must hold the ${version} release's headers)")
    endif()
  endif()
endforeach()

# Release files of a minor abi.h does not declare: the minor went backwards, or a baseline was made
# from a tree whose abi.h was not bumped.
file(GLOB ahead_baselines "${BASELINE_DIR}/shd_abi_v${major}_*.abi")
file(GLOB ahead_folders LIST_DIRECTORIES true "${TESTS_DIR}/sdk-${major}.*")
foreach(path IN LISTS ahead_baselines ahead_folders)
  get_filename_component(name "${path}" NAME)
  set(found "")
  if(name MATCHES "^shd_abi_v${major}_([0-9]+)\\.abi$")
    set(found "${CMAKE_MATCH_1}")
  elseif(name MATCHES "^sdk-${major}\\.([0-9]+)$")
    set(found "${CMAKE_MATCH_1}")
  endif()
  if(NOT found STREQUAL "" AND found GREATER minor)
    list(APPEND missing "${path} is for ABI ${major}.${found}, but abi.h says ${major}.${minor}")
  endif()
endforeach()

if(missing)
  list(JOIN missing "\n  " text)
  message(FATAL_ERROR "${ABI_HEADER} says ABI ${major}.${minor}; see docs/abi.md "
                      "(\"Releasing a minor\"); the release files do not match it:\n  ${text}")
endif()
math(EXPR count "${minor} + 1")
message(STATUS "ABI ${major}.${minor}: baseline, layout table and frozen headers present for all ${count} minor(s)")
