// bnlstm predict: the next `horizon` forecasts after the last date of a series.
// stdout gets CSV (date,step,forecast), one row per step; a line of context goes to stderr.
// Dates: the next steps of the series' frequency after its last date (--freq, else the one the
// checkpoint was trained with, else inferred from the dates; bnlstm/data/frequency.hpp): the
// next business days (Monday to Friday; exchange holidays are not known, so a forecast may fall
// on one), days, weeks, months, quarters or years. Values have about six significant digits.
#include <fmt/core.h>

#include <memory>

#include "bnlstm/core/error.hpp"
#include "bnlstm/io/atomic_file.hpp"
#include "bnlstm/train/checkpoint.hpp"
#include "commands.hpp"
#include "data_options.hpp"
#include "parallel.hpp"

namespace bnlstm::cli {

namespace {

struct PredictFlags {
  std::string model;
  DataFlags data;
  std::string output;
  bool quiet = false;
};

void run_predict(const PredictFlags& f) {
  require_one_process("predict");
  if (f.model.empty()) throw Error("--model: a checkpoint file is required");
  if (!f.output.empty() && f.output != "-" && !is_stdout(f.output))
    output_target(f.output);  // fails before any work
  Forecaster forecaster = load_checkpoint(f.model);
  LoadReport report;
  const Series series = load_series_for(forecaster, f.model, f.data, &report);
  const Frequency frequency = required_frequency(report);
  const Windows w = forecaster.windows(series);

  // the last origin forecasts the days after the data
  const std::vector<Index> origin{w.origins() - 1};
  const MatrixD prices = forecaster.predict_prices(w, origin);
  const Date last = series.dates.back();
  const std::vector<Date> dates = next_dates(last, frequency, w.horizon());
  const ForecasterConfig& c = forecaster.config();
  const std::string column = c.columns[static_cast<size_t>(c.windows.target_column)];
  const double last_value = w.last_observed_price(origin[0]);
  std::vector<double> shown{last_value};
  for (Index k = 0; k < w.horizon(); ++k) shown.push_back(prices(0, k));
  const int decimals = decimals_for(shown);

  std::string csv = "date,step,forecast\n";
  for (Index k = 0; k < w.horizon(); ++k)
    csv += fmt::format("{},{},{:.{}f}\n", format_date(dates[static_cast<size_t>(k)]), k + 1,
                       prices(0, k), decimals);
  if (!f.quiet) {
    const std::string period(period_name(frequency));
    fmt::print(stderr, "{}: last observed {} {} = {:.{}f} ({}); next {} {}{}:\n", f.model,
               format_date(last), column, last_value, decimals, report.summary(), w.horizon(),
               period, w.horizon() == 1 ? "" : "s");
  }
  if (f.output.empty() || f.output == "-") {
    write_output_file("-", csv);  // checked: a full device is an error, not lost forecasts
  } else {
    write_output_file(f.output, csv);
    if (!f.quiet) fmt::print("wrote {}\n", f.output);
  }
}

}  // namespace

void add_predict_command(CLI::App& app) {
  auto f = std::make_shared<PredictFlags>();
  auto* cmd = app.add_subcommand("predict", "Forecast the next steps after the data (business days, days, weeks, months, ...)");
  last_flag_wins(cmd);
  cmd->add_option("--model", f->model, "Checkpoint written by train (model.safetensors)")
      ->type_name("FILE")
      ->transform(non_empty("a checkpoint file"));
  add_data_flags(cmd, f->data, false);
  cmd->add_option("--output", f->output,
                  "Write the forecasts as CSV instead of printing them (- for stdout)")
      ->type_name("FILE")
      ->transform(non_empty("a file name"));
  cmd->add_flag("--quiet", f->quiet, "No context line on stderr");
  cmd->callback([f] { run_predict(*f); });
}

}  // namespace bnlstm::cli
