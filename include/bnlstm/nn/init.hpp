#pragma once
// Weight initializers by name. The notebook's four (random, xavier, he, uniform) plus
// glorot_uniform and orthogonal (the usual choice for recurrent weights).
#include <string>
#include <string_view>

#include "bnlstm/core/random.hpp"
#include "bnlstm/core/tensor.hpp"

namespace bnlstm {

enum class InitScheme { random, xavier, he, uniform, glorot_uniform, orthogonal };

// Throws bnlstm::Error listing the valid names when name is unknown.
InitScheme parse_init_scheme(std::string_view name);
std::string to_string(InitScheme scheme);

// w: (fan_out, fan_in) as in torch (out_features x in_features); filled in place from rng.
template <typename T>
void init_weight(Matrix<T>& w, InitScheme scheme, Rng& rng);

}  // namespace bnlstm
