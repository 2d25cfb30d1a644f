#pragma once
// Element-wise activations chosen by name: tanh, sigmoid (logistic), relu.
//
// Backward takes the forward's output y, not its input: all three derivatives are cheap
// functions of y (tanh' = 1 - y², sigmoid' = y (1 - y), relu' = [y > 0]), so nothing else
// has to be cached.
#include <string>
#include <string_view>
#include <vector>

#include "bnlstm/core/tensor.hpp"

namespace bnlstm {

enum class Activation { tanh, sigmoid, relu };

// "tanh", "sigmoid" or "relu" (exactly); throws Error naming the accepted names otherwise.
Activation parse_activation(std::string_view name);
std::string_view activation_name(Activation activation);
// All accepted names, in the order above (e.g. for a command-line check).
std::vector<std::string> activation_names();

// y = f(x) element-wise. x: (n), y: (n); y may alias x.
template <typename T>
void activation_forward(T* y, const T* x, Index n, Activation activation);

// dx = dy * f'(x), computed from y = f(x). dy, y, dx: (n); dx is overwritten and may alias dy.
template <typename T>
void activation_backward(T* dx, const T* dy, const T* y, Index n, Activation activation);

}  // namespace bnlstm
