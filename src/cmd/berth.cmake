# The `berth` CLI binary: wiring only, everything lives in berth_cli.
add_executable(berth ${CMAKE_CURRENT_SOURCE_DIR}/berth_main.cc)
target_link_libraries(berth PRIVATE berth_cli)
