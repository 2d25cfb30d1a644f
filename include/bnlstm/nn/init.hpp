#pragma once
// Weight initializers by name. The notebook's four (random, xavier, he, uniform) plus
// glorot_uniform and orthogonal (the usual choice for recurrent weights).
//
// Every scheme fills a (rows, cols) = (fan_out, fan_in) matrix, torch's (out_features,
// in_features) layout, which is also the notebook's: its LSTM asks for
// (hidden_size, hidden_size + input_size) gate weights and (output_size, hidden_size) for the head.
//
// The notebook's definitions (cristianleoo/models-from-scratch-python, "Batch Normalization",
// src/model.py, class WeightInitializer; shape[0] is the number of rows):
//   random   N(0, 1)                         np.random.randn(*shape)
//   xavier   N(0, 1) / sqrt(rows)            np.random.randn(*shape) / np.sqrt(shape[0])
//   he       N(0, 1) * sqrt(2 / rows)        np.random.randn(*shape) * np.sqrt(2 / shape[0])
//   uniform  U(-1, 1)                        np.random.uniform(-1, 1, shape)
// We keep them exactly, including the divisor: in the (out, in) layout shape[0] is fan_out,
// not the fan_in of the textbook Xavier/He formulas. Use glorot_uniform or orthogonal for the
// standard scaling.
//   glorot_uniform  U(-a, a), a = sqrt(6 / (fan_in + fan_out))   (Keras' default, Glorot 2010)
//   orthogonal      torch.nn.init.orthogonal_ (gain 1) on the whole (rows, cols) matrix: QR of a
//                   N(0, 1) matrix (transposed first when rows < cols), Q's columns multiplied by
//                   sign(diag R) so the result does not depend on the QR's sign convention. Tall
//                   matrices get orthonormal columns (WᵀW = I), wide ones orthonormal rows
//                   (WWᵀ = I). A (4H, H) recurrent weight is therefore orthogonalised as a whole,
//                   as torch does, not per gate block.
//   identity        ones on the diagonal, zeros elsewhere (draws nothing); applied per gate block
//                   to an LSTM's W_hh, Cooijmans et al.'s (2016) initialization on sequential MNIST
//   torch           U(-a, a), a = 1/sqrt(fan_in): torch.nn.Linear's default weight rule
//                   (kaiming_uniform_ with a = sqrt(5)). The Lstm applies it as torch.nn.LSTM
//                   does, a = 1/sqrt(hidden_size) for every gate block (lstm.hpp).
//
// Samples are drawn in double and rounded to T, so the float and double initializations of
// the same seed agree to float precision.
#include <string>
#include <string_view>

#include "bnlstm/core/random.hpp"
#include "bnlstm/core/tensor.hpp"

namespace bnlstm {

enum class InitScheme { random, xavier, he, uniform, glorot_uniform, orthogonal, identity, torch };

// Throws bnlstm::Error listing the valid names when name is unknown.
InitScheme parse_init_scheme(std::string_view name);
std::string to_string(InitScheme scheme);

// w: (fan_out, fan_in) as in torch (out_features x in_features); filled in place from rng.
template <typename T>
void init_weight(Matrix<T>& w, InitScheme scheme, Rng& rng);

// w: (rows, cols) holding N(0, 1) samples on entry, replaced by torch's orthogonal_ of them
// (the deterministic half of the orthogonal scheme; exposed so it can be checked against torch).
template <typename T>
void orthogonalize(Matrix<T>& w);

}  // namespace bnlstm
