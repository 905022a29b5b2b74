# The MMO under shaddock-robot (apps/mmo/robot scenarios, bench/mmo/mmo_bench.js): a short mixed run
# of a few robots with zero failures, then the same robots logging in again.
if(TARGET shaddock-robot AND TARGET mmo)
  shd_add_node_test(mmo_robot SCRIPT robot_test.js TIMEOUT 120 SERIAL LABELS mmo robot
    ENV SHADDOCK_ROBOT=$<TARGET_FILE:shaddock-robot>)
endif()
