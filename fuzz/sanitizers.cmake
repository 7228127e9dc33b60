# Compile flags for the fuzz build (BERTH_FUZZ=ON): every module compiled in
# this build dir gets ASan + UBSan and libFuzzer's coverage instrumentation;
# only the harnesses link the libFuzzer driver (fuzz/CMakeLists.txt).
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "BERTH_FUZZ needs clang (-DCMAKE_CXX_COMPILER=clang++-14)")
endif()
add_compile_options(-fsanitize=address,undefined -fsanitize=fuzzer-no-link
                    -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
add_link_options(-fsanitize=address,undefined)
# Asio does not detect clang-14's coroutine support with libstdc++ by itself.
add_compile_definitions(BOOST_ASIO_HAS_CO_AWAIT=1 BOOST_ASIO_HAS_STD_COROUTINE=1)
