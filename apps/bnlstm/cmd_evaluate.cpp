// bnlstm evaluate: a checkpoint's errors on a part of a series, beside the persistence forecast
// (tomorrow = today) on the same rows. By default the checkpoint's own data, range and split
// are reloaded, so `evaluate` on a fresh checkpoint prints the table `train` printed.
#include <fmt/core.h>

#include <memory>

#include "bnlstm/core/error.hpp"
#include "bnlstm/io/atomic_file.hpp"
#include "bnlstm/train/charts.hpp"
#include "bnlstm/train/checkpoint.hpp"
#include "bnlstm/train/evaluation.hpp"
#include "commands.hpp"
#include "data_options.hpp"

namespace bnlstm::cli {

namespace {

struct EvaluateFlags {
  std::string model;
  DataFlags data;
  std::string part = "test";
  std::string train_size, val_size;  // empty: the checkpoint's
  std::string output;                // forecasts CSV
  std::string plot;                  // predicted vs actual picture
  std::string format;                // picture format (default: from --plot's extension)
  std::string gnuplot = "gnuplot";
};

Range part_windows(const std::string& part, const Split& split, Index count, bool val_from_test) {
  if (part == "test") return split.test_windows;
  if (part == "train") return split.train_windows;
  if (part == "all") return Range{0, count};
  if (part == "validation") {
    if (val_from_test)
      throw Error(
          "--part validation: the model was trained without --val-size (it validated on the test "
          "part); "
          "give --val-size to cut one");
    return split.validation_windows;
  }
  throw Error("--part: expected test, validation, train or all, got '" + part + "'");
}

void run_evaluate(const EvaluateFlags& f) {
  if (f.model.empty()) throw Error("--model: a checkpoint file is required");
  std::optional<ImageFormat> format;
  if (!f.format.empty()) format = parse_image_format(f.format);
  Forecaster forecaster = load_checkpoint(f.model);
  const DataProvenance& p = forecaster.data();

  // data and split
  LoadReport report;
  const Series series = load_series_for(forecaster, f.data, &report);
  const Windows w = forecaster.windows(series);
  SplitFractions fr = p.fractions;
  const bool own_split = f.train_size.empty() && f.val_size.empty();
  if (!own_split)
    fr = parse_fractions(f.train_size.empty() ? fmt::format("{}", p.fractions.train) : f.train_size,
                         f.val_size);
  const Split split = chronological_split(series.rows(), w.span(), w.horizon(), fr);
  const Range range = part_windows(f.part, split, w.count(), fr.validation == 0);

  const ForecasterConfig& c = forecaster.config();
  fmt::print(
      "model: {} (LSTM norm={}, hidden={}; target {} of '{}', {} inputs, look-back {}, horizon {}; "
      "trained on "
      "{} {}..{})\n",
      f.model, to_string(c.network.norm), c.network.hidden_size, to_string(c.windows.target),
      c.columns[static_cast<size_t>(c.windows.target_column)], to_string(c.windows.input),
      c.windows.lookback,
      c.windows.horizon, data_label(p.source), format_date(p.first), format_date(p.last));
  fmt::print("data: {}\n", report.summary());
  const RangeForecast r = evaluate_range(forecaster, w, range, f.part);
  fmt::print("{}: forecasts for {}..{}\n\n{}", f.part, format_date(w.target_date(range.begin, 0)),
             format_date(w.target_date(range.end - 1, w.horizon() - 1)),
             format_comparison(r.comparison));
  std::fflush(stdout);

  if (!f.output.empty()) {
    write_file_atomically(f.output, forecasts_csv(r, w));
    fmt::print("wrote {}\n", f.output);
  }
  if (!f.plot.empty()) {
    ImageOptions image;
    image.format = format;
    image.gnuplot = f.gnuplot;
    plot_forecasts(f.plot, r, w, c.columns[static_cast<size_t>(c.windows.target_column)], image);
    fmt::print("wrote {}\n", f.plot);
  }
}

}  // namespace

void add_evaluate_command(CLI::App& app) {
  auto f = std::make_shared<EvaluateFlags>();
  auto* cmd =
      app.add_subcommand("evaluate", "Errors of a checkpoint beside the persistence forecast");
  last_flag_wins(cmd);
  cmd->add_option("--model", f->model, "Checkpoint written by train (model.safetensors)")
      ->type_name("FILE");
  add_data_flags(cmd, f->data, false);
  cmd->add_option("--part", f->part, "test, validation, train or all")
      ->type_name("PART")
      ->capture_default_str();
  cmd->add_option("--train-size", f->train_size, "Training fraction (default: the checkpoint's)")
      ->type_name("F");
  cmd->add_option("--val-size", f->val_size, "Validation fraction (default: the checkpoint's)")
      ->type_name("F");
  cmd->add_option("--output", f->output, "Write the forecasts as CSV")->type_name("FILE");
  cmd->add_option("--plot", f->plot,
                  "Draw predicted vs actual into this picture (.png, .svg, .pdf)")
      ->type_name("FILE");
  cmd->add_option("--format", f->format, "Picture format (default: from --plot's extension)")
      ->type_name("FMT");
  cmd->add_option("--gnuplot", f->gnuplot, "gnuplot program to run")
      ->type_name("PROG")
      ->capture_default_str();
  cmd->callback([f] { run_evaluate(*f); });
}

}  // namespace bnlstm::cli
