# The game model (apps/mmo/src/world), without a server.
#   mmo_world_unit   formulas, data and maps of config/, combat, exp and level-up, drops and pick-up,
#                    respawn, mob aggro and chase, revive, path verification (walls, teleports, length)
if(NOT TARGET mmo_world)
  add_subdirectory(${PROJECT_SOURCE_DIR}/apps/mmo/src/world ${CMAKE_CURRENT_BINARY_DIR}/world)
endif()
shd_add_cppunit_test(mmo_world_unit SOURCES ${CMAKE_CURRENT_LIST_DIR}/world_unit_test.cpp LIBS mmo_world shd_pomelo_codec LABELS mmo)
target_compile_definitions(mmo_world_unit PRIVATE MMO_APP_DIR="${PROJECT_SOURCE_DIR}/apps/mmo")
#   mmo_world_protocol  the area routes and pushes over the wire with the real npm Pomelo client
#                    (tests/mmo/world_protocol_test.js: see its header)
if(TARGET mmo)
  shd_add_node_test(mmo_world_protocol SCRIPT ${CMAKE_CURRENT_LIST_DIR}/world_protocol_test.js TIMEOUT 180 LABELS mmo)
endif()
#   mmo_world_data_generated  the committed tables and maps are what apps/mmo/tools/gen_data.js writes
if(SHD_NODE)
  add_test(NAME mmo_world_data_generated COMMAND ${SHD_NODE} ${PROJECT_SOURCE_DIR}/apps/mmo/tools/gen_data.js --check)
  set_tests_properties(mmo_world_data_generated PROPERTIES LABELS mmo)
endif()
#   mmo_world_instance  desert -> arena instance (manager allocation, session moved) -> desert
if(TARGET mmo)
  shd_add_node_test(mmo_world_instance SCRIPT ${CMAKE_CURRENT_LIST_DIR}/world_instance_test.js TIMEOUT 180 LABELS mmo)
endif()
#   mmo_world_team  teams: invite, apply, full, kick, disband, pushes, hostile bodies, the cave drag,
#                   a team ended while a member is on another area server
if(TARGET mmo)
  shd_add_node_test(mmo_world_team SCRIPT ${CMAKE_CURRENT_LIST_DIR}/world_team_test.js TIMEOUT 180 LABELS mmo)
endif()
#   mmo_world_persistence  write-behind of a walk, direct skill and task rows, kill -9 of the area
#                    server and the next login entering where the database has the player
if(TARGET mmo)
  shd_add_node_test(mmo_world_persistence SCRIPT ${CMAKE_CURRENT_LIST_DIR}/world_persistence_test.js TIMEOUT 180 LABELS mmo)
endif()
#   mmo_world_persistence_postgres  the same against PostgreSQL (label engines)
if(TARGET mmo)
  shd_add_node_test(mmo_world_persistence_postgres SCRIPT ${CMAKE_CURRENT_LIST_DIR}/world_persistence_test.js ARGS postgres
    TIMEOUT 180 LABELS mmo engines)
endif()
