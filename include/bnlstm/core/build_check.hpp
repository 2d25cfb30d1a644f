#pragma once
// Stops a build whose Eigen settings differ from the library's.
//
// Eigen's object layout and its aligned allocator depend on the instruction set: a library built
// with -march=native on an AVX-512 machine allocates 64-byte-aligned blocks with a hidden offset,
// and code compiled without those flags frees them as plain 16-byte blocks ("double free or
// corruption" at run time). bnlstm/build_config.hpp, generated when the library is configured,
// records the library's settings; every bnlstm header includes this file (through tensor.hpp),
// so a mismatching translation unit fails to compile with the message below. The fix is to
// compile with the library's instruction-set flags: link the CMake target bnlstm::bnlstm (or
// bnlstm_lib inside bnlstm's own tree), which carries them as a usage requirement.
#include <Eigen/Core>

#include "bnlstm/build_config.hpp"

namespace bnlstm::detail {

#ifdef EIGEN_VECTORIZE_SSE2
inline constexpr int kEigenVectorizeSse2 = 1;
#else
inline constexpr int kEigenVectorizeSse2 = 0;
#endif
#ifdef EIGEN_VECTORIZE_AVX
inline constexpr int kEigenVectorizeAvx = 1;
#else
inline constexpr int kEigenVectorizeAvx = 0;
#endif
#ifdef EIGEN_VECTORIZE_AVX2
inline constexpr int kEigenVectorizeAvx2 = 1;
#else
inline constexpr int kEigenVectorizeAvx2 = 0;
#endif
#ifdef EIGEN_VECTORIZE_FMA
inline constexpr int kEigenVectorizeFma = 1;
#else
inline constexpr int kEigenVectorizeFma = 0;
#endif
#ifdef EIGEN_VECTORIZE_AVX512
inline constexpr int kEigenVectorizeAvx512 = 1;
#else
inline constexpr int kEigenVectorizeAvx512 = 0;
#endif
#ifdef EIGEN_VECTORIZE_AVX512DQ
inline constexpr int kEigenVectorizeAvx512dq = 1;
#else
inline constexpr int kEigenVectorizeAvx512dq = 0;
#endif

}  // namespace bnlstm::detail

#define BNLSTM_BUILD_MISMATCH(what)                                                            \
  "bnlstm: this file is compiled with other instruction-set settings than the bnlstm library " \
  "(" what "); compile it with the library's flags (" BNLSTM_BUILT_ISA_FLAGS                   \
  "), e.g. by linking the CMake target bnlstm::bnlstm, which carries them"

static_assert(EIGEN_MAX_ALIGN_BYTES == BNLSTM_BUILT_EIGEN_MAX_ALIGN_BYTES,
              BNLSTM_BUILD_MISMATCH("EIGEN_MAX_ALIGN_BYTES differs"));
static_assert(EIGEN_MAX_STATIC_ALIGN_BYTES == BNLSTM_BUILT_EIGEN_MAX_STATIC_ALIGN_BYTES,
              BNLSTM_BUILD_MISMATCH("EIGEN_MAX_STATIC_ALIGN_BYTES differs"));
static_assert(bnlstm::detail::kEigenVectorizeSse2 == BNLSTM_BUILT_EIGEN_VECTORIZE_SSE2,
              BNLSTM_BUILD_MISMATCH("SSE2 vectorization differs"));
static_assert(bnlstm::detail::kEigenVectorizeAvx == BNLSTM_BUILT_EIGEN_VECTORIZE_AVX,
              BNLSTM_BUILD_MISMATCH("AVX vectorization differs"));
static_assert(bnlstm::detail::kEigenVectorizeAvx2 == BNLSTM_BUILT_EIGEN_VECTORIZE_AVX2,
              BNLSTM_BUILD_MISMATCH("AVX2 vectorization differs"));
static_assert(bnlstm::detail::kEigenVectorizeFma == BNLSTM_BUILT_EIGEN_VECTORIZE_FMA,
              BNLSTM_BUILD_MISMATCH("FMA vectorization differs"));
static_assert(bnlstm::detail::kEigenVectorizeAvx512 == BNLSTM_BUILT_EIGEN_VECTORIZE_AVX512,
              BNLSTM_BUILD_MISMATCH("AVX-512 vectorization differs"));
static_assert(bnlstm::detail::kEigenVectorizeAvx512dq == BNLSTM_BUILT_EIGEN_VECTORIZE_AVX512DQ,
              BNLSTM_BUILD_MISMATCH("AVX-512DQ vectorization differs"));

#undef BNLSTM_BUILD_MISMATCH
