// Preprocessed (never compiled) at configure time with the library's flags by
// cmake/BuildConfig.cmake: each line below becomes "bnlstm_probe name value" (names in
// lower case, so that the preprocessor leaves them alone).
// clang-format off
#include <Eigen/Core>
#ifdef EIGEN_VECTORIZE_SSE2
bnlstm_probe vectorize_sse2 1
#else
bnlstm_probe vectorize_sse2 0
#endif
#ifdef EIGEN_VECTORIZE_AVX
bnlstm_probe vectorize_avx 1
#else
bnlstm_probe vectorize_avx 0
#endif
#ifdef EIGEN_VECTORIZE_AVX2
bnlstm_probe vectorize_avx2 1
#else
bnlstm_probe vectorize_avx2 0
#endif
#ifdef EIGEN_VECTORIZE_FMA
bnlstm_probe vectorize_fma 1
#else
bnlstm_probe vectorize_fma 0
#endif
#ifdef EIGEN_VECTORIZE_AVX512
bnlstm_probe vectorize_avx512 1
#else
bnlstm_probe vectorize_avx512 0
#endif
#ifdef EIGEN_VECTORIZE_AVX512DQ
bnlstm_probe vectorize_avx512dq 1
#else
bnlstm_probe vectorize_avx512dq 0
#endif
bnlstm_probe max_align_bytes EIGEN_MAX_ALIGN_BYTES
bnlstm_probe max_static_align_bytes EIGEN_MAX_STATIC_ALIGN_BYTES
