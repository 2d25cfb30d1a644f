# ctest entries for bnlstm as a dependency of other CMake projects (included from CMakeLists.txt).

# A consumer project built against bnlstm: after `cmake --install`, and with add_subdirectory.
# The consumer gets this build's CMAKE_CXX_FLAGS (not part of bnlstm::bnlstm's usage
# requirements) and, in a sanitizer build, the sanitizer flags the library's objects need.
set(BNLSTM_CONSUMER_FLAGS "${CMAKE_CXX_FLAGS}")
if(BNLSTM_SANITIZE)
  string(APPEND BNLSTM_CONSUMER_FLAGS " -fsanitize=address,undefined")
endif()
foreach(mode install subdirectory)
  add_test(NAME cmake_consumer_${mode}
    COMMAND ${CMAKE_COMMAND} -DMODE=${mode} -DSOURCE_DIR=${CMAKE_CURRENT_SOURCE_DIR}
      -DBUILD_DIR=${CMAKE_CURRENT_BINARY_DIR}
      -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/tests/cmake/consumer-${mode}
      -DCXX_COMPILER=${CMAKE_CXX_COMPILER} "-DCXX_FLAGS=${BNLSTM_CONSUMER_FLAGS}"
      -P ${CMAKE_CURRENT_SOURCE_DIR}/tests/cmake/consumer_test.cmake)
  # COST: started first, so that with ctest -j they overlap the (short) unit tests
  set_tests_properties(cmake_consumer_${mode} PROPERTIES PASS_REGULAR_EXPRESSION "consumer ok"
                                                         COST 1000)
endforeach()

# The compile-time check of the instruction-set settings: one consumer file compiled with the
# library's flags (must pass) and with others (must fail with bnlstm's message).
get_target_property(BNLSTM_EIGEN_INCLUDES Eigen3::Eigen INTERFACE_INCLUDE_DIRECTORIES)
set(BNLSTM_CHECK_INCLUDES ${CMAKE_CURRENT_SOURCE_DIR}/include ${CMAKE_CURRENT_BINARY_DIR}/include
    ${BNLSTM_EIGEN_INCLUDES})
separate_arguments(BNLSTM_CHECK_FLAGS UNIX_COMMAND "${CMAKE_CXX_FLAGS}")
list(APPEND BNLSTM_CHECK_FLAGS ${BNLSTM_ISA_FLAGS})
function(bnlstm_add_build_check_test name)
  list(JOIN BNLSTM_CHECK_INCLUDES "|" includes)
  list(JOIN BNLSTM_CHECK_FLAGS "|" lib_flags)
  list(JOIN ARGN "|" mismatch_flags)
  add_test(NAME ${name}
    COMMAND ${CMAKE_COMMAND} -DCXX_COMPILER=${CMAKE_CXX_COMPILER} "-DINCLUDE_DIRS=${includes}"
      "-DLIB_FLAGS=${lib_flags}" "-DMISMATCH_FLAGS=${mismatch_flags}"
      -P ${CMAKE_CURRENT_SOURCE_DIR}/tests/cmake/build_check_test.cmake)
endfunction()
# another Eigen alignment (what makes a 64-byte-aligned block freed as a 16-byte one)
if(BNLSTM_BUILT_EIGEN_MAX_ALIGN_BYTES EQUAL 16)
  bnlstm_add_build_check_test(build_check_alignment ${BNLSTM_CHECK_FLAGS} -DEIGEN_MAX_ALIGN_BYTES=32)
else()
  bnlstm_add_build_check_test(build_check_alignment ${BNLSTM_CHECK_FLAGS} -DEIGEN_MAX_ALIGN_BYTES=16)
endif()
# another instruction set: the issue's case, code compiled without the library's -march
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  if(BNLSTM_BUILT_EIGEN_VECTORIZE_AVX)
    bnlstm_add_build_check_test(build_check_isa ${BNLSTM_CHECK_FLAGS} -march=x86-64)
  else()
    bnlstm_add_build_check_test(build_check_isa ${BNLSTM_CHECK_FLAGS} -mavx2 -mfma)
  endif()
endif()
