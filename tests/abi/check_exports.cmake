# Every plugin must export exactly shd_plugin_entry_v1 and every app exactly shd_app_entry_v1: a
# library leaking other symbols can clash with the host or another plugin, and whatever it exports
# becomes an interface someone will depend on.
#
#   cmake -DNM=<nm> -DINPUT=<exports_check_input.cmake> -P check_exports.cmake
# INPUT sets PLUGINS and APPS (the module targets' files, which must exist: the suite runs after a
# full build) and PLUGIN_DIR and APP_DIR (globbed too, so a stray .so there is checked as well).
cmake_minimum_required(VERSION 3.20)
include("${INPUT}")

file(GLOB plugin_strays "${PLUGIN_DIR}/*.so")
file(GLOB app_strays "${APP_DIR}/*.so")
list(APPEND PLUGINS ${plugin_strays})
list(APPEND APPS ${app_strays})
list(REMOVE_DUPLICATES PLUGINS)
list(REMOVE_DUPLICATES APPS)
if(NOT PLUGINS OR NOT APPS)
  message(FATAL_ERROR "no plugins or no apps to check (plugins: '${PLUGINS}', apps: '${APPS}')")
endif()

set(problems "")
set(checked 0)
function(check_module file expected)
  if(NOT EXISTS "${file}")
    set(problems "${problems}\n  ${file}: not built (build everything before running the tests)" PARENT_SCOPE)
    return()
  endif()
  execute_process(COMMAND "${NM}" -D --defined-only "${file}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    set(problems "${problems}\n  ${file}: nm failed: ${err}" PARENT_SCOPE)
    return()
  endif()
  # Lines read "<address> <type> <name>"; keep the names.
  string(REGEX MATCHALL "[^\n]+" lines "${out}")
  set(symbols "")
  foreach(line IN LISTS lines)
    string(REGEX REPLACE "^.* " "" name "${line}")
    list(APPEND symbols "${name}")
  endforeach()
  if(NOT symbols STREQUAL expected)
    string(REPLACE ";" ", " shown "${symbols}")
    set(problems "${problems}\n  ${file}: exports [${shown}], expected exactly [${expected}]" PARENT_SCOPE)
  endif()
endfunction()

foreach(file IN LISTS PLUGINS)
  check_module("${file}" shd_plugin_entry_v1)
  math(EXPR checked "${checked} + 1")
endforeach()
foreach(file IN LISTS APPS)
  check_module("${file}" shd_app_entry_v1)
  math(EXPR checked "${checked} + 1")
endforeach()
if(problems)
  message(FATAL_ERROR "plugins and apps must export only their entry symbol:${problems}")
endif()
message(STATUS "${checked} libraries export only their entry symbol")
