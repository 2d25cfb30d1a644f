// bnlstm evaluate: a checkpoint's errors on a part of a series, beside the persistence forecast
// (tomorrow = today) on the same rows. By default the checkpoint's own data, range and split
// are reloaded, so `evaluate` on a fresh checkpoint prints the table `train` printed. Given other
// rows (--data, --start, --end, --series), it scores all of them unless --part names a part of
// their split, and says which rows it scored.
#include <fmt/core.h>

#include <algorithm>
#include <memory>

#include "bnlstm/core/error.hpp"
#include "bnlstm/io/atomic_file.hpp"
#include "bnlstm/train/charts.hpp"
#include "bnlstm/train/checkpoint.hpp"
#include "bnlstm/train/evaluate_rows.hpp"
#include "bnlstm/train/evaluation.hpp"
#include "commands.hpp"
#include "data_options.hpp"
#include "flag_checks.hpp"
#include "parallel.hpp"

namespace bnlstm::cli {

namespace {

EvaluatePart parse_part(std::string_view name) {
  if (const auto part = parse_evaluate_part(name)) return *part;
  throw Error("unknown part '" + std::string(name) + "'");
}

struct EvaluateFlags {
  std::string model;
  DataFlags data;
  EvaluatePart part = EvaluatePart::test;
  bool part_given = false;
  double train_size = 0, val_size = 0;          // 0 (not given): the checkpoint's
  std::string output;                           // forecasts CSV
  std::string metrics;                          // the table as JSON
  std::string plot;                             // predicted vs actual picture
  std::optional<ImageFormat> format;            // picture format (default: from --plot's extension)
  ImageFormat format_value = ImageFormat::png;  // what --format gave
  std::string gnuplot = "gnuplot";
  Index season = -1;  // -1 (not given): the checkpoint's (0 when it has none)
};

void run_evaluate(const EvaluateFlags& f) {
  require_one_process("evaluate");
  if (f.model.empty()) throw Error("--model: a checkpoint file is required");
  // output paths that cannot be written fail before any work (a device, a folder)
  if (!f.output.empty() && f.output != "-" && !is_stdout(f.output)) output_target(f.output);
  if (!f.plot.empty()) output_target(f.plot);
  if (!f.metrics.empty() && f.metrics != "-" && !is_stdout(f.metrics)) output_target(f.metrics);
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
  EvaluateRequest request;
  if (f.part_given) request.part = f.part;
  request.other_rows = other_rows(f.data);
  if (f.train_size != 0 || f.val_size != 0) {
    request.fractions =
        checked_fractions(f.train_size == 0 ? p.fractions.train : f.train_size, f.val_size);
    check_validation_rows(*request.fractions, series.rows());
  }
  request.season = f.season;
  Evaluation e = evaluate_rows(forecaster, w, request);
  e.forecast.comparison.period = period_of(report);
  const RangeForecast& r = e.forecast;
  const Range range = e.windows;

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
  const std::string part = to_string(e.part);
  if (e.all_other_rows)
    fmt::print(
        "scored: all {} windows of these rows (rows {}..{}), not the {}/{} split the model was "
        "trained with; --part test|validation|train scores a part of their split\n",
        range.size(), format_date(w.row_date(e.rows.begin)),
        format_date(w.row_date(e.rows.end - 1)), e.fractions.train, e.fractions.validation);
  else
    fmt::print("scored: the {} part of the split ({} windows, rows {}..{})\n", part, range.size(),
               format_date(w.row_date(e.rows.begin)), format_date(w.row_date(e.rows.end - 1)));
  fmt::print("{}: forecasts for {}..{}\n\n{}", part, format_date(w.target_date(range.begin, 0)),
             format_date(w.target_date(range.end - 1, w.horizon() - 1)),
             format_comparison(r.comparison));
  flush_stdout();  // a full device fails now, with its reason

  if (!f.output.empty()) {
    write_output_file(f.output, forecasts_csv(r, w));
    if (f.output != "-") fmt::print("wrote {}\n", f.output);
  }
  if (!f.metrics.empty()) {
    write_output_file(f.metrics, evaluation_json(e, w) + "\n");
    if (f.metrics != "-" && !is_stdout(f.metrics)) fmt::print("wrote {}\n", f.metrics);
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
  cmd->add_option<EvaluatePart, int>(
         "--part", f->part,
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
  cmd->add_option("--metrics", f->metrics,
                  "Write the table as JSON at full precision, with the rows scored (- for stdout); "
                  "Python's Forecaster.evaluate() returns the same dict")
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
