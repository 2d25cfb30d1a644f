// bnlstm evaluate: a checkpoint's errors on a part of a series, beside the persistence forecast
// (tomorrow = today) on the same rows. By default the checkpoint's own data, range and split
// are reloaded, so `evaluate` on a fresh checkpoint prints the table `train` printed. Given other
// rows (--data, --start, --end, --series), it scores all of them unless --part names a part of their
// split, and says which rows it scored.
#include <fmt/core.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "bnlstm/core/error.hpp"
#include "bnlstm/io/atomic_file.hpp"
#include "bnlstm/train/charts.hpp"
#include "bnlstm/train/checkpoint.hpp"
#include "bnlstm/train/evaluation.hpp"
#include "commands.hpp"
#include "data_options.hpp"
#include "flag_checks.hpp"
#include "parallel.hpp"

namespace bnlstm::cli {

namespace {

enum class Part { test, validation, train, all };

Part parse_part(std::string_view name) {
  if (name == "test") return Part::test;
  if (name == "validation") return Part::validation;
  if (name == "train") return Part::train;
  if (name == "all") return Part::all;
  throw Error("unknown part '" + std::string(name) + "'");
}

std::string to_string(Part p) {
  switch (p) {
    case Part::validation:
      return "validation";
    case Part::train:
      return "train";
    case Part::all:
      return "all";
    default:
      return "test";
  }
}

struct EvaluateFlags {
  std::string model;
  DataFlags data;
  Part part = Part::test;
  bool part_given = false;
  double train_size = 0, val_size = 0;          // 0 (not given): the checkpoint's
  std::string output;                           // forecasts CSV
  std::string plot;                             // predicted vs actual picture
  std::optional<ImageFormat> format;            // picture format (default: from --plot's extension)
  ImageFormat format_value = ImageFormat::png;  // what --format gave
  std::string gnuplot = "gnuplot";
  Index season = -1;  // -1 (not given): the checkpoint's (0 when it has none)
};

// The season train was given (metrics' "season" in the checkpoint's training JSON), else 0.
Index checkpoint_season(const Forecaster& forecaster) {
  const auto j = nlohmann::json::parse(forecaster.training_json(), nullptr, false);
  if (j.is_object() && j.contains("season") && j["season"].is_number_integer())
    return std::max<Index>(0, j["season"].get<Index>());
  return 0;
}

Range part_windows(Part part, const Split& split, Index count, bool val_from_test) {
  switch (part) {
    case Part::train:
      return split.train_windows;
    case Part::all:
      return Range{0, count};
    case Part::validation:
      if (val_from_test)
        throw Error(
            "--part validation: the model was trained without --val-size (it validated on the "
            "test part); give --val-size to cut one");
      return split.validation_windows;
    default:
      return split.test_windows;
  }
}

void run_evaluate(const EvaluateFlags& f) {
  require_one_process("evaluate");
  if (f.model.empty()) throw Error("--model: a checkpoint file is required");
  // output paths that cannot be written fail before any work (a device, a folder)
  if (!f.output.empty() && f.output != "-" && !is_stdout(f.output)) output_target(f.output);
  if (!f.plot.empty()) output_target(f.plot);
  // the picture's format is known before any work: from --format or --plot's extension
  if (!f.plot.empty()) {
    const auto from_extension = image_format_from_extension(f.plot);
    if (!f.format && !from_extension)
      throw Error("--plot " + f.plot +
                  ": cannot tell the picture format; expected a .png, .svg or .pdf name, or "
                  "--format");
    if (f.format && from_extension && *f.format != *from_extension)
      throw Error(fmt::format("--plot {}: the extension does not match --format {}", f.plot,
                              image_format_name(*f.format)));
  }
  Forecaster forecaster = load_checkpoint(f.model);
  const DataProvenance& p = forecaster.data();

  // data and split
  LoadReport report;
  const Series series = load_series_for(forecaster, f.model, f.data, &report);
  const Windows w = forecaster.windows(series);
  SplitFractions fr = p.fractions;
  const bool own_split = f.train_size == 0 && f.val_size == 0;
  if (!own_split) {
    fr = checked_fractions(f.train_size == 0 ? p.fractions.train : f.train_size, f.val_size);
    check_validation_rows(fr, series.rows());
  }
  const Split split = chronological_split(series.rows(), w.span(), w.horizon(), fr);
  // other rows than the checkpoint's: all of them unless a part was asked for
  const bool other = other_rows(f.data);
  const Part which = f.part_given || !other ? f.part : Part::all;
  const Range range = part_windows(which, split, w.count(), fr.validation == 0);

  const ForecasterConfig& c = forecaster.config();
  fmt::print(
      "model: {} (LSTM norm={}, hidden={}; target {} of '{}', {} inputs, look-back {}, horizon {}; "
      "trained on "
      "{} {}..{})\n",
      f.model, to_string(c.network.norm), c.network.hidden_size, to_string(c.windows.target),
      c.columns[static_cast<size_t>(c.windows.target_column)], to_string(c.windows.input),
      c.windows.lookback, c.windows.horizon, data_label(p.source), format_date(p.first),
      format_date(p.last));
  fmt::print("data: {}\n", report.summary());
  const std::string part = to_string(which);
  if (which == Part::all && !f.part_given)
    fmt::print(
        "scored: all {} windows of these rows (rows {}..{}), not the {}/{} split the model was "
        "trained with; --part test|validation|train scores a part of their split\n",
        range.size(), format_date(series.dates.front()), format_date(series.dates.back()),
        fr.train, fr.validation);
  else
    fmt::print("scored: the {} part of the split ({} windows)\n", part, range.size());
  BaselineOptions baselines;
  baselines.season = f.season >= 0 ? f.season : checkpoint_season(forecaster);
  baselines.in_sample_rows = split.train_rows;  // MASE: the naive forecast's training error
  RangeForecast r = evaluate_range(forecaster, w, range, part, baselines);
  r.comparison.period = period_of(report);
  fmt::print("{}: forecasts for {}..{}\n\n{}", part, format_date(w.target_date(range.begin, 0)),
             format_date(w.target_date(range.end - 1, w.horizon() - 1)),
             format_comparison(r.comparison));
  flush_stdout();  // a full device fails now, with its reason

  if (!f.output.empty()) {
    write_output_file(f.output, forecasts_csv(r, w));
    if (f.output != "-") fmt::print("wrote {}\n", f.output);
  }
  if (!f.plot.empty()) {
    ImageOptions image;
    image.format = f.format;
    image.gnuplot = f.gnuplot;
    plot_forecasts(f.plot, r, w, c.columns[static_cast<size_t>(c.windows.target_column)], image);
    fmt::print("wrote {}\n", f.plot);
  }
}

}  // namespace

void add_evaluate_command(CLI::App& app) {
  auto f = std::make_shared<EvaluateFlags>();
  auto* cmd =
      app.add_subcommand("evaluate",
                         "Errors of a checkpoint beside the persistence (and seasonal-naive) "
                         "forecast");
  last_flag_wins(cmd);
  cmd->add_option("--model", f->model, "Checkpoint written by train (model.safetensors)")
      ->type_name("FILE")
      ->transform(non_empty("a checkpoint file"));
  add_data_flags(cmd, f->data, false);
  cmd->add_option<Part, int>("--part", f->part,
                             "test, validation, train or all (default: test of the checkpoint's "
                             "rows; all of other rows given by --data, --start, --end or --series)")
      ->type_name("PART")
      ->transform(choice(parse_part, "test, validation, train or all"))
      ->default_str("test");
  add_fraction_flags(cmd, f->train_size, f->val_size,
                     "Training fraction (default: the checkpoint's)",
                     "Validation fraction (default: the checkpoint's)");
  cmd->add_option("--season", f->season,
                  "Season in rows for the seasonal-naive baseline and MASE (default: the one train "
                  "was given; 0 = none)")
      ->type_name("N")
      ->transform(integer_in<Index>(0, 100'000));
    cmd->add_option("--output", f->output, "Write the forecasts as CSV (- for stdout)")
      ->type_name("FILE")
      ->transform(non_empty("a file name"));
  cmd->add_option("--plot", f->plot,
                  "Draw predicted vs actual into this picture (.png, .svg, .pdf)")
      ->type_name("FILE")
      ->transform(non_empty("a file name"));
  cmd->add_option<ImageFormat, int>("--format", f->format_value,
                                    "Picture format (default: from --plot's extension)")
      ->type_name("FMT")
      ->transform(choice(parse_image_format, "png, svg or pdf"));
  cmd->add_option("--gnuplot", f->gnuplot, "gnuplot program to run")
      ->type_name("PROG")
      ->transform(non_empty("a program"))
      ->capture_default_str();
  cmd->callback([f, cmd] {
    if (cmd->count("--format") > 0) f->format = f->format_value;
    f->part_given = cmd->count("--part") > 0;
    run_evaluate(*f);
  });
}

}  // namespace bnlstm::cli
