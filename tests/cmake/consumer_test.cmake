# Builds tests/cmake/consumer against bnlstm, one way per run (cmake -P, from ctest):
#   -DMODE=install       cmake --install BUILD_DIR --component bnlstm_devel into WORK_DIR/prefix
#                        (only the library: the Python package installs into the interpreter's
#                        site directory whatever the prefix), then find_package(bnlstm),
#                        build the consumer, run it (it prints "consumer ok")
#   -DMODE=subdirectory  add_subdirectory(SOURCE_DIR) inside the consumer: configure, check that the
#                        tool/tests/benchmarks are off, compile the consumer's main.cpp. Linking
#                        would compile the whole library again (minutes on 2 cores): set
#                        BNLSTM_CONSUMER_FULL_BUILD=1 in the environment to build and run it too.
# Other arguments: SOURCE_DIR, BUILD_DIR (bnlstm's), WORK_DIR, CXX_COMPILER, CXX_FLAGS (e.g. the
# sanitizer flags of an ASan build, which the consumer then needs as well).
cmake_minimum_required(VERSION 3.25)

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "consumer test (${MODE}): ${what} failed (${result}):\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(consumer_build ${WORK_DIR}/build)
set(configure ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/cmake/consumer -B ${consumer_build}
    -G "Unix Makefiles" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
    "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${CXX_FLAGS}")

if(MODE STREQUAL "install")
  run("cmake --install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix
      --component bnlstm_devel)
  foreach(f lib/cmake/bnlstm/bnlstmConfig.cmake lib/cmake/bnlstm/bnlstmConfigVersion.cmake
            include/bnlstm/build_config.hpp include/bnlstm/core/build_check.hpp)
    if(NOT EXISTS ${WORK_DIR}/prefix/${f})
      message(FATAL_ERROR "consumer test (install): ${f} was not installed")
    endif()
  endforeach()
  run("configure with find_package" ${configure} -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix)
  run("build" ${CMAKE_COMMAND} --build ${consumer_build} -j 2)
  run("the consumer" ${consumer_build}/consumer)
elseif(MODE STREQUAL "subdirectory")
  run("configure with add_subdirectory" ${configure} -DBNLSTM_SUBDIRECTORY=${SOURCE_DIR})
  file(STRINGS ${consumer_build}/CMakeCache.txt cache REGEX "^BNLSTM_(APP|TESTS|BENCH|INSTALL):")
  foreach(entry IN LISTS cache)
    if(NOT entry MATCHES ":BOOL=OFF$")
      message(FATAL_ERROR "consumer test (subdirectory): expected OFF as a subproject: ${entry}")
    endif()
  endforeach()
  if("$ENV{BNLSTM_CONSUMER_FULL_BUILD}")
    run("build" ${CMAKE_COMMAND} --build ${consumer_build} -j 2)
    run("the consumer" ${consumer_build}/consumer)
  else()
    run("compile main.cpp" ${CMAKE_COMMAND} --build ${consumer_build} --target main.cpp.o)
    set(last_output "compiled main.cpp against the subproject's bnlstm::bnlstm\nconsumer ok\n")
  endif()
else()
  message(FATAL_ERROR "consumer test: MODE must be install or subdirectory, got '${MODE}'")
endif()
message("${last_output}")
