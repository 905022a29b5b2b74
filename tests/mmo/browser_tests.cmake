# The MMO's HTML5 client in headless Chromium (included from tests/CMakeLists.txt).
if(EXISTS /usr/bin/chromium)
  shd_add_node_test(mmo_browser SCRIPT ${CMAKE_CURRENT_LIST_DIR}/browser_test.js TIMEOUT 120 LABELS mmo browser
    ARGS ${CMAKE_CURRENT_BINARY_DIR}/mmo-screenshots)
endif()
