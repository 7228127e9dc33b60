add_executable(berthd ${CMAKE_CURRENT_SOURCE_DIR}/berthd_main.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/berthd_cluster.cc)
target_link_libraries(berthd PRIVATE berth_manager berth_cluster_host berth_apps berth_http berth_storage berth_store berth_agent berth_remote berth_net berth_runtime berth_images
  berth_common spdlog::spdlog CLI11::CLI11)
