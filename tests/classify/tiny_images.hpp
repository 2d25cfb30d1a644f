#pragma once
// A tiny image classification task for tests: 6 x 6 images of 3 classes (a bright top band,
// a bright left band, a bright centre, plus noise), so an LSTM learns it in a few steps.
#include "bnlstm/core/random.hpp"
#include "bnlstm/data/idx.hpp"

namespace bnlstm::testing {

inline LabeledImages tiny_images(Index count, uint64_t seed) {
  LabeledImages d;
  d.rows = d.cols = 6;
  Rng rng(seed);
  for (Index i = 0; i < count; ++i) {
    const int label = static_cast<int>(i % 3);
    d.labels.push_back(label);
    for (int r = 0; r < 6; ++r)
      for (int c = 0; c < 6; ++c) {
        const bool on = (label == 0 && r < 2) || (label == 1 && c < 2) ||
                        (label == 2 && r >= 2 && r < 4 && c >= 2 && c < 4);
        d.pixels.push_back(static_cast<uint8_t>((on ? 160 : 20) + rng() % 90));
      }
  }
  return d;
}

}  // namespace bnlstm::testing
