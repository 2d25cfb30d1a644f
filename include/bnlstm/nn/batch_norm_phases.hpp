#pragma once
// Training-mode batch normalization cut into the phases between which the statistics can be
// combined across workers (stats_reducer.hpp). The fused kernels of batch_norm.hpp run the same
// passes without the gaps; with statistics left as they are, these give the same results bit
// for bit.
//
//   forward:  batch_norm_moments (local)  -> combine (count, mean, m2) across workers
//             -> batch_norm_statistics -> [running update] -> batch_norm_normalize
//   backward: batch_norm_grad_sums (local) -> batch_norm_param_grads (the local sums: parameter
//             gradients are summed across workers later, with all the others)
//             -> sum (Σdy, Σdy(x - mean)) across workers -> batch_norm_input_grad
//
// Layout as in batch_norm.hpp: x is row-major (N, C, L), statistics per channel over N*L values.
// N may be 0 (an empty share); counts are the global number of values per channel.
#include "bnlstm/core/tensor.hpp"

namespace bnlstm {

// x: (N, C, L); mean, m2: (C) the mean and Σ (x - mean)² of each channel's N*L values, in
// double (zeros when N = 0).
template <typename T>
void batch_norm_moments(double* mean, double* m2, const T* x, Index N, Index C, Index L);

// (mean_d, m2_d) over `count` values per channel -> mean, biased var, rstd = 1/sqrt(var + eps),
// each (C) in T, as the fused training forward computes them.
template <typename T>
void batch_norm_statistics(T* mean, T* var, T* rstd, const double* mean_d, const double* m2_d,
                           double count, Index C, T eps);

// y = (x - mean) * rstd * gamma + beta. x, y: (N, C, L); mean, rstd, gamma, beta: (C);
// gamma/beta may be nullptr.
template <typename T>
void batch_norm_normalize(T* y, const T* x, const T* mean, const T* rstd, const T* gamma,
                          const T* beta, Index N, Index C, Index L);

// dy, x: (N, C, L); mean: (C) the forward's. sum_dy, sum_dy_xmu: (C) Σ dy and Σ dy (x - mean)
// in double (zeros when N = 0).
template <typename T>
void batch_norm_grad_sums(double* sum_dy, double* sum_dy_xmu, const T* dy, const T* x,
                          const T* mean, Index N, Index C, Index L);

// dgamma += Σ dy (x - mean) * rstd, dbeta += Σ dy; all (C); dgamma/dbeta may be nullptr.
template <typename T>
void batch_norm_param_grads(T* dgamma, T* dbeta, const double* sum_dy, const double* sum_dy_xmu,
                            const T* rstd, Index C);

// dx = gamma * rstd * (dy - Σdy / count - (x - mean) * rstd² * Σdy(x - mean) / count), the
// sums and count over the whole batch. dx, dy, x: (N, C, L); mean, rstd, gamma: (C) (gamma may
// be nullptr); sum_dy, sum_dy_xmu: (C).
template <typename T>
void batch_norm_input_grad(T* dx, const T* dy, const T* x, const T* mean, const T* rstd,
                           const T* gamma, const double* sum_dy, const double* sum_dy_xmu,
                           double count, Index N, Index C, Index L);

}  // namespace bnlstm
