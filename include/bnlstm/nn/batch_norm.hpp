#pragma once
// Batch normalization over (N, C) or (N, C, L) inputs, with the semantics of
// torch.nn.BatchNorm1d. Kernels are free functions (outputs first, then inputs, then sizes);
// the BatchNorm1d class below owns parameters, gradients and running statistics.
//
// Layout: x is contiguous row-major (N, C, L); (N, C) is the case L = 1. Statistics are per
// channel c, over the N*L values x[n, c, l].
#include "bnlstm/core/tensor.hpp"

namespace bnlstm {

// Training-mode forward with batch statistics.
// x: (N, C, L), y: (N, C, L), mean/var/rstd: (C). var is the biased batch variance,
// rstd = 1/sqrt(var + eps). gamma/beta: (C) or nullptr (no affine).
// Throws bnlstm::Error when N*L == 1 (a single value per channel cannot be normalized).
template <typename T>
void batch_norm_forward_train(T* y, T* mean, T* var, T* rstd, const T* x, const T* gamma, const T* beta,
                              Index N, Index C, Index L, T eps);

// Forward with given statistics (eval mode): y = (x - mean) / sqrt(var + eps) * gamma + beta.
// x: (N, C, L), y: (N, C, L), mean/var/gamma/beta: (C); gamma/beta may be nullptr.
template <typename T>
void batch_norm_forward_eval(T* y, const T* x, const T* mean, const T* var, const T* gamma, const T* beta,
                             Index N, Index C, Index L, T eps);

// Backward of the training-mode forward (gradient flows through the batch statistics).
// dy, x: (N, C, L); mean, rstd, gamma: (C) from the forward. dx: (N, C, L) is overwritten;
// dgamma, dbeta: (C) are accumulated (+=); gamma/dgamma/dbeta may be nullptr (no affine).
template <typename T>
void batch_norm_backward(T* dx, T* dgamma, T* dbeta, const T* dy, const T* x, const T* mean, const T* rstd,
                         const T* gamma, Index N, Index C, Index L);

// running = (1 - factor) * running + factor * batch, with the unbiased variance
// var * count / (count - 1). factor is the momentum, or 1/num_batches_tracked for a
// cumulative moving average (momentum unset). running_mean/var, mean/var: (C).
template <typename T>
void batch_norm_update_running_stats(T* running_mean, T* running_var, const T* mean, const T* var, Index C,
                                     Index count, double factor);

}  // namespace bnlstm
