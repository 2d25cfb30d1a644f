#pragma once
// Layer normalization over the last dimension, with the semantics of torch.nn.LayerNorm.
// Layout: x is contiguous row-major (M, D); statistics per row over its D values.
#include "bnlstm/core/tensor.hpp"

namespace bnlstm {

// x: (M, D), y: (M, D), mean/rstd: (M), weight/bias: (D) or nullptr (no elementwise affine).
template <typename T>
void layer_norm_forward(T* y, T* mean, T* rstd, const T* x, const T* weight, const T* bias, Index M, Index D,
                        T eps);

// dy, x: (M, D); mean, rstd: (M). dx: (M, D) overwritten; dweight, dbias: (D) accumulated (+=).
template <typename T>
void layer_norm_backward(T* dx, T* dweight, T* dbias, const T* dy, const T* x, const T* mean, const T* rstd,
                         const T* weight, Index M, Index D);

}  // namespace bnlstm
