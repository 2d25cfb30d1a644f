#pragma once
// One seeded generator, passed by reference to whatever needs randomness (no global state).
#include <cstdint>
#include <random>

namespace bnlstm {

using Rng = std::mt19937_64;

inline Rng make_rng(uint64_t seed) { return Rng(seed); }

}  // namespace bnlstm
