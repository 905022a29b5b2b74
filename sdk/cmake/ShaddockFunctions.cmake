# shaddock_add_plugin(<name> <sources...>) and shaddock_add_app(<name> <sources...>)
#
# Build a Shaddock plugin or app as a shared module named <name>.so that exports only its entry symbol:
# hidden visibility, the SDK's version script, -Wl,--no-undefined (a plugin reaches the host only through
# the host API table, so nothing may stay unresolved) and --exclude-libs,ALL (static dependencies stay
# private). Used unchanged for the plugins and apps in the Shaddock tree and by installed-SDK users.
include_guard(GLOBAL)

function(_shaddock_add_module name)
  add_library(${name} MODULE ${ARGN})
  target_link_libraries(${name} PRIVATE Shaddock::sdk)
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    CXX_STANDARD 17
    CXX_STANDARD_REQUIRED ON
    LINK_DEPENDS "${SHADDOCK_MODULE_MAP}")
  target_link_options(${name} PRIVATE
    "-Wl,--version-script=${SHADDOCK_MODULE_MAP}"
    "-Wl,--no-undefined"
    "-Wl,--exclude-libs,ALL")
endfunction()

function(shaddock_add_plugin name)
  _shaddock_add_module(${name} ${ARGN})
endfunction()

function(shaddock_add_app name)
  _shaddock_add_module(${name} ${ARGN})
endfunction()
