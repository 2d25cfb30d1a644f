// libFuzzer harness for the CSV reader (bnlstm/data/csv.hpp) and what follows it up to the
// windows: the date scanner, the number parser, the bad-row accounting, the scaler (values near
// 1e308), the split and the window arithmetic. Every bnlstm::Error is an accepted outcome; any
// other exception, a crash or a sanitizer report is a finding.
//
// The first input byte picks the options (strict or not, which columns, a date range, the
// window sizes); the rest is the file. Built by `make fuzz` (clang, -fsanitize=fuzzer,address,
// undefined); seeds in fuzz/corpus/csv/.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bnlstm/core/error.hpp"
#include "bnlstm/data/csv.hpp"
#include "bnlstm/data/dataset.hpp"

namespace bnlstm::fuzz {

// One input; returns normally for every input the code handles correctly.
inline void fuzz_csv(const uint8_t* data, size_t size) {
  if (size == 0) return;
  const uint8_t choice = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  bnlstm::CsvOptions options;
  options.strict = (choice & 1) != 0;
  switch ((choice >> 1) & 3) {
    case 1: options.value_columns = {"Close"}; break;
    case 2: options.value_columns = {"Open", "Close"}; break;
    case 3: options.date_column = "timestamp"; break;
    default: break;
  }
  if (choice & 8) options.start = bnlstm::parse_date("2000-01-01", "start");
  if (choice & 16) options.end = bnlstm::parse_date("2020-12-31", "end");
  try {
    bnlstm::Series series = bnlstm::parse_csv(text, "fuzz.csv", options);
    bnlstm::DatasetOptions d;
    d.windows.lookback = 1 + ((choice >> 5) & 3);
    d.windows.horizon = 1 + ((choice >> 7) & 1);
    d.windows.input = (choice & 32) ? bnlstm::InputKind::both : bnlstm::InputKind::level;
    d.split = {0.6, 0.2};
    bnlstm::make_dataset(std::move(series), d);
  } catch (const bnlstm::Error&) {
  }
}

}  // namespace bnlstm::fuzz
