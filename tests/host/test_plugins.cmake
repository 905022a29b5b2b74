# shd_add_test_plugin(<name> SOURCES <files...> OUTPUT_DIR <dir> [PLAIN] [DEFINES <defs...>]
#                     [LINK_OPTIONS <opts...>])
#
# A tiny real plugin library for a test, written to <dir>/<name>.so (never to the build's plugins/
# folder, which holds only shippable plugins). By default it is built exactly like a shipped plugin,
# with shaddock_add_plugin(); PLAIN builds an ordinary shared module with default visibility and no
# version script, for libraries that must break the rules (wrong entry symbol, no entry at all).
include_guard(GLOBAL)

function(shd_add_test_plugin name)
  cmake_parse_arguments(P "PLAIN" "OUTPUT_DIR" "SOURCES;DEFINES;LINK_OPTIONS" ${ARGN})
  if(NOT P_OUTPUT_DIR)
    message(FATAL_ERROR "shd_add_test_plugin(${name}): OUTPUT_DIR is required")
  endif()
  if(P_PLAIN)
    add_library(${name} MODULE ${P_SOURCES})
    target_link_libraries(${name} PRIVATE Shaddock::sdk)
    set_target_properties(${name} PROPERTIES PREFIX "")
  else()
    shaddock_add_plugin(${name} ${P_SOURCES})
  endif()
  set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${P_OUTPUT_DIR})
  target_compile_definitions(${name} PRIVATE SHD_TEST_PLUGIN_NAME="${name}" ${P_DEFINES})
  if(P_LINK_OPTIONS)
    target_link_options(${name} PRIVATE ${P_LINK_OPTIONS})
  endif()
endfunction()
