#pragma once
// Gradient clipping, applied between backward and Optimizer::step.
#include "bnlstm/nn/parameter.hpp"

namespace bnlstm {

// Clamps every gradient element to [-clip_value, clip_value], as torch.nn.utils.clip_grad_value_
// and the notebook (np.clip(grad, -clip_value, clip_value), clip_value = 1.0).
// Throws bnlstm::Error when clip_value is negative or not finite.
template <typename T>
void clip_grad_value(const ParameterList<T>& params, T clip_value);

// torch.nn.utils.clip_grad_norm_ (PyTorch 1.13, L2 norm): total = sqrt(Σ over all parameters of
// Σ grad²); every gradient is multiplied by min(1, max_norm / (total + 1e-6)), so gradients are
// scaled (to a norm just under max_norm) only when total exceeds max_norm by more than ~1e-6.
// Returns total, the norm before clipping.
// Throws bnlstm::Error when max_norm is negative or not finite, and, unlike torch's default
// error_if_nonfinite=False, when total is NaN or infinite (clipping would only spread the NaN).
template <typename T>
T clip_grad_norm(const ParameterList<T>& params, T max_norm);

// sqrt(Σ grad²) over all parameters (accumulated in double), without changing anything.
template <typename T>
T grad_norm(const ParameterList<T>& params);

}  // namespace bnlstm
