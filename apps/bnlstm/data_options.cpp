#include "data_options.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <charconv>
#include <cmath>

#include "bnlstm/core/error.hpp"

namespace bnlstm::cli {

namespace fs = std::filesystem;

void last_flag_wins(CLI::App* cmd) {
  cmd->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

std::optional<Date> parse_date_flag(std::string_view flag, const std::string& text) {
  if (text.empty()) return std::nullopt;
  return parse_date(text, flag);
}

fs::path builtin_data_path() {
  std::vector<fs::path> tried;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path dir = exe.parent_path();
    for (const fs::path& p :
         {dir / "data", dir.parent_path() / "data", dir.parent_path().parent_path() / "data",
          dir.parent_path() / "share" / "bnlstm"})
      tried.push_back(p / "sp500.csv");
  }
#ifdef BNLSTM_SOURCE_DIR
  tried.push_back(fs::path(BNLSTM_SOURCE_DIR) / "data" / "sp500.csv");
#endif
  for (const auto& p : tried)
    if (fs::is_regular_file(p, ec)) return p;
  std::string list;
  for (const auto& p : tried) list += (list.empty() ? "" : ", ") + p.string();
  throw Error("the built-in data set data/sp500.csv was not found (looked in " + list +
              "); pass --data FILE");
}

std::string data_label(const std::string& source) {
  return source.empty() ? std::string("built-in S&P 500 (data/sp500.csv)") : source;
}

void add_data_flags(CLI::App* cmd, DataFlags& f, bool columns) {
  cmd->add_option("--data", f.data,
                  "Price CSV (Yahoo, Alpha Vantage or custom columns); default: built-in S&P 500")
      ->type_name("CSV")
      ->transform(non_empty("a file name"));
  cmd->add_option("--date-col", f.date_col, "Date column name (default: date/timestamp/...)")
      ->type_name("NAME")
      ->transform(non_empty("a column name"));
  if (columns) {
    cmd->add_option("--value-col", f.value_cols,
                    "Input column(s), repeat or comma-separate (default: the target)")
        ->type_name("NAME")
        ->delimiter(',')
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->transform(non_empty("a column name"));
    cmd->add_option("--target-col", f.target_col,
                    "Column to forecast (default: first --value-col, else Close)")
        ->type_name("NAME")
        ->transform(non_empty("a column name"));
  }
  cmd->add_option("--start", f.start, "First date to use, YYYY-MM-DD (inclusive)")
      ->type_name("DATE")
      ->transform(date_text());
  cmd->add_option("--end", f.end, "Last date to use, YYYY-MM-DD (inclusive)")
      ->type_name("DATE")
      ->transform(date_text());
  cmd->add_flag("--strict", f.strict, "Fail on the first bad row instead of skipping it");
}

Series load_series(const DataFlags& f, const std::vector<std::string>& value_columns,
                   LoadReport* report) {
  CsvOptions o;
  o.date_column = f.date_col;
  o.value_columns = value_columns;
  o.start = parse_date_flag("--start", f.start);
  o.end = parse_date_flag("--end", f.end);
  o.strict = f.strict;
  const fs::path path = f.data.empty() ? builtin_data_path() : fs::path(f.data);
  return load_csv(path, o, report);
}

Series load_series_for(const Forecaster& forecaster, const std::string& model, const DataFlags& f,
                       LoadReport* report) {
  const DataProvenance& p = forecaster.data();
  const bool own = f.data.empty();
  DataFlags g = f;
  g.data = own ? p.source : f.data;
  if (own && !p.source.empty()) {
    // the path as given when training, else the absolute one stored beside it (the checkpoint
    // may be used from another folder)
    std::error_code ec;
    if (!fs::exists(p.source, ec) && !p.source_absolute.empty() &&
        fs::exists(p.source_absolute, ec))
      g.data = p.source_absolute;
    else if (!fs::exists(p.source, ec))
      throw Error(fmt::format(
          "{}: no such file (the path came from the checkpoint {}; pass --data FILE to name the "
          "data)",
          p.source_absolute.empty() ? p.source : p.source_absolute, model));
  }
  if (own && g.date_col.empty()) g.date_col = p.date_column;
  if (own && g.start.empty() && p.start) g.start = format_date(*p.start);
  if (own && g.end.empty() && p.end) g.end = format_date(*p.end);
  return load_series(g, forecaster.config().columns, report);
}

void add_window_flags(CLI::App* cmd, WindowFlags& f) {
  cmd->add_option("--look-back", f.look_back, "Input steps per window (notebook: 1)")
      ->type_name("N")
      ->transform(integer_in<Index>(1, kMaxLookBack))
      ->capture_default_str();
  cmd->add_option("--horizon", f.horizon, "Values forecast per window")
      ->type_name("N")
      ->transform(integer_in<Index>(1, kMaxHorizon))
      ->capture_default_str();
  cmd->add_option<Target, int>("--target", f.target, "level or delta (change from the last value)")
      ->type_name("KIND")
      ->transform(choice(parse_target, "level or delta"))
      ->default_str("delta");
  cmd->add_option<InputKind, int>(
         "--input", f.input,
         "level, delta (change from the previous row) or both, per input column")
      ->type_name("KIND")
      ->transform(choice(parse_input_kind, "level, delta or both"))
      ->default_str("level");
  cmd->add_option<ScalerKind, int>("--scaler", f.scaler,
                                   "zscore or minmax (the notebook's), fitted on the training rows")
      ->type_name("KIND")
      ->transform(choice(parse_scaler_kind, "zscore or minmax"))
      ->default_str("zscore");
  add_fraction_flags(cmd, f.train_size, f.val_size, "Training fraction of the rows (notebook: 0.7)",
                     "Validation fraction after the training rows, held out for early stopping "
                     "(the notebook has none: --validate-on-test)");
  cmd->get_option("--train-size")->default_str("0.7");
  cmd->get_option("--val-size")->default_str("0.1");
}

void add_fraction_flags(CLI::App* cmd, double& train_size, double& val_size,
                        const std::string& train_help, const std::string& val_help) {
  const auto fraction = [] {
    return number_where("a fraction in (0, 1)", [](double v) { return v > 0 && v < 1; });
  };
  cmd->add_option("--train-size", train_size, train_help)->type_name("F")->transform(fraction());
  cmd->add_option("--val-size", val_size, val_help)->type_name("F")->transform(fraction());
}

SplitFractions checked_fractions(double train_size, double val_size) {
  SplitFractions s;
  s.train = train_size;
  s.validation = val_size;
  if (!(s.train + s.validation < 1))
    throw Error(fmt::format(
        "--val-size: expected a fraction > 0 with --train-size + --val-size < 1, got {} + {}",
        train_size, val_size));
  return s;
}

void check_validation_rows(const SplitFractions& fractions, Index rows) {
  if (fractions.validation > 0 && std::floor(fractions.validation * static_cast<double>(rows)) < 1)
    throw Error(
        fmt::format("--val-size: {} of {} rows is no validation row; expected a fraction >= {:.3g}",
                    fractions.validation, rows, 1.0 / static_cast<double>(rows)));
}

}  // namespace bnlstm::cli
