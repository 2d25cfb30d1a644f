# Writes <binary dir>/include/bnlstm/build_config.hpp: the Eigen vectorization settings that the
# library's own flags (CMAKE_CXX_FLAGS and BNLSTM_ISA_FLAGS) produce, found by preprocessing
# cmake/probe_build_config.cpp with them. bnlstm/core/build_check.hpp compares them with the
# settings of every translation unit that includes a bnlstm header, so a consumer compiled with
# other instruction-set flags fails to build instead of corrupting the heap at run time (Eigen's
# aligned allocations differ between, e.g., 16- and 64-byte alignment). The library's sources
# include the same check, so the probe cannot disagree with the library's actual build.
function(bnlstm_write_build_config out_dir)
  get_target_property(eigen_includes Eigen3::Eigen INTERFACE_INCLUDE_DIRECTORIES)
  set(include_flags "")
  foreach(dir IN LISTS eigen_includes)
    list(APPEND include_flags "-I${dir}")
  endforeach()
  separate_arguments(user_flags UNIX_COMMAND "${CMAKE_CXX_FLAGS}")
  execute_process(
    COMMAND ${CMAKE_CXX_COMPILER} ${user_flags} ${BNLSTM_ISA_FLAGS} ${include_flags} -E -P
            ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/probe_build_config.cpp
    OUTPUT_VARIABLE probe_output
    ERROR_VARIABLE probe_error
    RESULT_VARIABLE probe_result)
  if(NOT probe_result EQUAL 0)
    message(FATAL_ERROR "bnlstm: could not preprocess cmake/probe_build_config.cpp with "
                        "${CMAKE_CXX_COMPILER} ${BNLSTM_ISA_FLAGS}:\n${probe_error}")
  endif()
  foreach(key vectorize_sse2 vectorize_avx vectorize_avx2 vectorize_fma vectorize_avx512
              vectorize_avx512dq max_align_bytes max_static_align_bytes)
    if(NOT probe_output MATCHES "bnlstm_probe ${key} ([0-9]+)")
      message(FATAL_ERROR "bnlstm: the build-configuration probe printed no value for ${key}")
    endif()
    string(TOUPPER "${key}" upper)
    set(BNLSTM_BUILT_EIGEN_${upper} "${CMAKE_MATCH_1}")
    set(BNLSTM_BUILT_EIGEN_${upper} "${CMAKE_MATCH_1}" PARENT_SCOPE)  # for the tests
  endforeach()
  list(JOIN BNLSTM_ISA_FLAGS " " BNLSTM_ISA_FLAGS_TEXT)
  if(BNLSTM_ISA_FLAGS_TEXT STREQUAL "")
    set(BNLSTM_ISA_FLAGS_TEXT "the compiler's default instruction set")
  endif()
  set(BNLSTM_ISA_FLAGS_TEXT "${BNLSTM_ISA_FLAGS_TEXT}" PARENT_SCOPE)
  # configure_file rewrites the header only when its content changes: no needless rebuilds
  configure_file(${CMAKE_CURRENT_FUNCTION_LIST_DIR}/build_config.hpp.in
                 ${out_dir}/bnlstm/build_config.hpp @ONLY)
endfunction()
