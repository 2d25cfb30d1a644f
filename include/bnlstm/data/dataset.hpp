#pragma once
// The whole data pipeline in one call, for train / evaluate / predict:
//   CSV -> Series -> chronological split -> scaler fitted on train rows -> windows.
//
//   LoadReport report;
//   Series s = load_csv(path, csv_options, &report);        // csv.hpp
//   Dataset d = make_dataset(std::move(s), options);        // this file
//   d.windows.gather(x, y, indices_of(d.split.train_windows, buffer));
//
// For evaluate / predict with a checkpoint, pass the checkpoint's scaler (Scaler::from_json) so
// that the series is scaled exactly as in training; it is then not refitted.
#include <vector>

#include "bnlstm/data/scaler.hpp"
#include "bnlstm/data/series.hpp"
#include "bnlstm/data/split.hpp"
#include "bnlstm/data/windows.hpp"

namespace bnlstm {

struct DatasetOptions {
  SplitFractions split;                     // default train 0.7, no validation
  ScalerKind scaler = ScalerKind::z_score;  // ignored when a fitted scaler is given
  WindowSpec windows;                       // default L = 1, H = 1, all columns in, column 0, delta
};

struct Dataset {
  Series series;    // price units
  Split split;      // rows and window ranges per part
  Scaler scaler;    // fitted on split.train_rows (or given)
  Windows windows;  // over the whole series; parts are index ranges of it
};

// Throws bnlstm::Error from the split, scaler and windows (too few rows, bad fractions, a given
// scaler whose column count or names differ from the series').
Dataset make_dataset(Series series, const DatasetOptions& options, const Scaler* fitted = nullptr);

// out = begin, begin+1, ..., end-1 (reusing out's storage); returns out for passing to gather().
std::vector<Index>& indices_of(Range range, std::vector<Index>& out);

}  // namespace bnlstm
