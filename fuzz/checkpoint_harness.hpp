// libFuzzer harness for the checkpoint loader through to one forecast: the safetensors parser,
// the metadata (config, scaler, data provenance), the shape checks before anything is built,
// the network, the training state of --resume when there is one, and a forecast over a small
// series with the checkpoint's columns. Every
// bnlstm::Error is an accepted outcome; any other exception (std::bad_alloc included), a crash
// or a sanitizer report is a finding.
//
// Built by `make fuzz` (clang, -fsanitize=fuzzer,address,undefined); seeds in
// fuzz/corpus/checkpoint/ (a real checkpoint and every damaged one from issue #10).
#include <cmath>
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bnlstm/core/error.hpp"
#include "bnlstm/train/checkpoint.hpp"
#include "bnlstm/train/resume.hpp"

namespace bnlstm::fuzz {

// One input; returns normally for every input the code handles correctly.
inline void fuzz_checkpoint(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const bnlstm::TensorFile file = bnlstm::TensorFile::parse(bytes, "fuzz.safetensors");
    bnlstm::Forecaster f = bnlstm::forecaster_from_tensors(file);
    // the training state --resume reads (weights, optimizer, order, history, options, ...)
    if (bnlstm::has_training_state(file)) {
      try {
        bnlstm::training_checkpoint_from_tensors(file);
      } catch (const bnlstm::Error&) {
      }
    }
    // one forecast over a short series of the checkpoint's columns
    const bnlstm::ForecasterConfig& c = f.config();
    const bnlstm::Index rows = c.windows.lookback + c.windows.horizon + 2;
    if (rows > 4096) return;  // valid, but too slow to be worth it per input
    bnlstm::Series s;
    s.source = "fuzz.csv";
    s.columns = c.columns;
    s.values.resize(rows, static_cast<bnlstm::Index>(c.columns.size()));
    for (bnlstm::Index t = 0; t < rows; ++t) {
      s.dates.push_back(bnlstm::Date{std::chrono::days{18000 + t}});
      for (bnlstm::Index k = 0; k < s.values.cols(); ++k)
        s.values(t, k) = 100 + std::sin(0.3 * static_cast<double>(t + k));
    }
    const bnlstm::Windows w = f.windows(s);
    const std::vector<bnlstm::Index> origin{w.origins() - 1};
    f.predict_prices(w, origin);
  } catch (const bnlstm::Error&) {
  }
}

}  // namespace bnlstm::fuzz
