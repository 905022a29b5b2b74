# The MMO's HTML5 client (apps/mmo/web-server/public) in headless Chromium: against a protocol
# stand-in (every client feature) and against the real cluster; its path finder on its own.
shd_add_node_test(mmo_browser_pathfind SCRIPT ${CMAKE_CURRENT_LIST_DIR}/browser_pathfind_test.js TIMEOUT 60 LABELS mmo)
if(EXISTS /usr/bin/chromium)
  shd_add_node_test(mmo_browser SCRIPT ${CMAKE_CURRENT_LIST_DIR}/browser_test.js TIMEOUT 120 LABELS mmo browser
    ARGS ${CMAKE_CURRENT_BINARY_DIR}/mmo-screenshots)
  if(TARGET mmo)
    shd_add_node_test(mmo_browser_real SCRIPT ${CMAKE_CURRENT_LIST_DIR}/browser_real_test.js TIMEOUT 180 LABELS mmo browser
      ARGS ${CMAKE_CURRENT_BINARY_DIR}/mmo-screenshots)
  endif()
endif()
