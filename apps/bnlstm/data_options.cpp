#include "data_options.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
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

namespace {

// --date-format: what DateFormat::from_spec accepts (its message without its "what: ").
CLI::Validator date_format_text() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        try {
          DateFormat::from_spec(text, "");
          return {};
        } catch (const Error& e) {
          std::string m = e.what();
          return m.rfind(": ", 0) == 0 ? m.substr(2) : m;
        }
      },
      "");
}

// A flag value as typed into a shell: quoted when it holds anything but [A-Za-z0-9._-].
std::string shell_word(const std::string& s) {
  const bool plain = !s.empty() && s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-/") == std::string::npos;
  if (plain) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

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
  cmd->add_option("--date-format", f.date_format,
                  "How dates are written: strftime codes ('%b %d %Y' for 'Jan 1 2000', "
                  "'%d/%m/%Y %H:%M'), unix or unix-ms (default: ISO dates with optional times, "
                  "Unix timestamps)")
      ->type_name("FMT")
      ->transform(date_format_text());
  cmd->add_option("--series-col", f.series_col,
                  "Long format (one row per series and date): the column naming the series")
      ->type_name("NAME")
      ->transform(non_empty("a column name"));
  cmd->add_option("--series", f.series, "Long format: the series to read (with --series-col)")
      ->type_name("NAME")
      ->transform(non_empty("a series name"));
  cmd->add_option("--freq", f.freq,
                  "How often the rows come: business, day, week, month, quarter or year (default: "
                  "inferred from the dates)")
      ->type_name("FREQ")
      ->transform(CLI::Validator(
          [](std::string& text) -> std::string {
            const auto fr = parse_frequency(text);
            if (!fr)
              return fmt::format(
                  "expected business, day, week, month, quarter or year, got '{}'", text);
            text = std::string(frequency_name(*fr));
            return {};
          },
          ""));
}

Series load_series(const DataFlags& f, const std::vector<std::string>& value_columns,
                   LoadReport* report) {
  CsvOptions o;
  o.date_column = f.date_col;
  o.value_columns = value_columns;
  o.start = parse_date_flag("--start", f.start);
  o.end = parse_date_flag("--end", f.end);
  o.strict = f.strict;
  o.date_format = DateFormat::from_spec(f.date_format);  // checked while parsing
  if (!f.series.empty() && f.series_col.empty())
    throw Error("--series " + f.series + ": expected --series-col too (the column naming each "
                "row's series)");
  o.series_column = f.series_col;
  o.series = f.series;
  const fs::path path = f.data.empty() ? builtin_data_path() : fs::path(f.data);
  LoadReport local;
  LoadReport& rep = report ? *report : local;
  try {
    Series s = load_csv(path, o, &rep);
    if (!f.freq.empty()) rep.frequency = parse_frequency(f.freq);
    return s;
  } catch (const SeveralSeriesError& e) {
    // name the flags that select a series
    if (!f.series_col.empty())
      throw Error(fmt::format("{} with --series (e.g. --series {})", e.what(),
                              shell_word(e.series.empty() ? "NAME" : e.series.front())));
    if (!e.column.empty())
      throw Error(fmt::format("{} with --series-col {} --series {}", e.what(),
                              shell_word(e.column),
                              shell_word(e.series.empty() ? "NAME" : e.series.front())));
    throw;
  }
}

Frequency required_frequency(const LoadReport& r) {
  if (r.frequency) return *r.frequency;
  throw Error(fmt::format(
      "{}: cannot tell how often the rows come ({}); name it with --freq "
      "business|day|week|month|quarter|year",
      r.source,
      r.kept < 2 ? std::string("a single row") : fmt::format("median gap {} days", r.median_gap)));
}

std::string period_of(const LoadReport& r) {
  // daily rows keep "tomorrow=today", which says the same
  if (!r.frequency || *r.frequency == Frequency::day || *r.frequency == Frequency::business_day)
    return {};
  return std::string(period_name(*r.frequency));
}

bool other_rows(const DataFlags& f) {
  return !f.data.empty() || !f.start.empty() || !f.end.empty() || !f.series_col.empty() ||
         !f.series.empty();
}

int decimals_for(const std::vector<double>& values) {
  double largest = 0;
  for (double v : values)
    if (std::isfinite(v)) largest = std::max(largest, std::abs(v));
  if (largest == 0) return 2;
  const int magnitude = static_cast<int>(std::floor(std::log10(largest)));
  return std::clamp(5 - magnitude, 0, 8);
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
  // how the checkpoint's file was read, unless the flags say otherwise
  if (g.date_format.empty()) g.date_format = p.date_format;
  if (g.series_col.empty()) g.series_col = p.series_column;
  if (g.series.empty() && g.series_col == p.series_column) g.series = p.series;
  LoadReport local;
  LoadReport& rep = report ? *report : local;
  Series s = load_series(g, forecaster.config().columns, &rep);
  if (f.freq.empty() && !p.frequency.empty()) rep.frequency = parse_frequency(p.frequency);
  return s;
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
