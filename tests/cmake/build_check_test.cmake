# The compile-time instruction-set check (bnlstm/core/build_check.hpp), run by ctest as cmake -P:
# build_check_consumer.cpp must compile with the library's flags (LIB_FLAGS) and must fail with
# bnlstm's message under MISMATCH_FLAGS. Other arguments: CXX_COMPILER, INCLUDE_DIRS. The lists
# arrive joined with "|" (add_test would split ";").
cmake_minimum_required(VERSION 3.25)

foreach(list INCLUDE_DIRS LIB_FLAGS MISMATCH_FLAGS)
  string(REPLACE "|" ";" ${list} "${${list}}")
endforeach()

set(includes "")
foreach(dir IN LISTS INCLUDE_DIRS)
  list(APPEND includes "-I${dir}")
endforeach()
set(compile ${CXX_COMPILER} -std=c++20 -fsyntax-only ${includes}
    ${CMAKE_CURRENT_LIST_DIR}/build_check_consumer.cpp)

execute_process(COMMAND ${compile} ${LIB_FLAGS} RESULT_VARIABLE result ERROR_VARIABLE err)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "with the library's flags (${LIB_FLAGS}) the check must pass:\n${err}")
endif()

execute_process(COMMAND ${compile} ${MISMATCH_FLAGS} RESULT_VARIABLE result ERROR_VARIABLE err)
if(result EQUAL 0)
  message(FATAL_ERROR "with ${MISMATCH_FLAGS} instead of the library's flags the build must fail")
endif()
if(NOT err MATCHES "bnlstm: this file is compiled with other instruction-set settings than the bnlstm library \\(([^)]*)\\)")
  message(FATAL_ERROR "with ${MISMATCH_FLAGS} the build failed, but not with bnlstm's message:\n${err}")
endif()
list(JOIN MISMATCH_FLAGS " " shown)
message("with ${shown}: the build stops with \"${CMAKE_MATCH_0}\"")
