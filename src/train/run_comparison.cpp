#include "bnlstm/train/run_comparison.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "bnlstm/core/error.hpp"
#include "bnlstm/core/printable.hpp"
#include "bnlstm/train/charts.hpp"

namespace bnlstm {

namespace fs = std::filesystem;

namespace {

std::string folder_name(const RunFolder& r) {
  return printable(r.folder.string());
}

// Runs of one kind; throws naming the first that differs from the first run.
void require_one_kind(const std::vector<RunFolder>& runs) {
  if (runs.empty()) throw Error("compare: no runs given");
  for (const RunFolder& r : runs)
    if (r.kind != runs[0].kind)
      throw Error(fmt::format("{} is a {} run, {} a {} run: compare runs of one kind",
                              folder_name(r), to_string(r.kind), folder_name(runs[0]),
                              to_string(runs[0].kind)));
}

std::string data_label(const ForecastRunMetrics& m) {
  if (m.source.empty()) return "the built-in S&P 500";
  return "'" + printable(m.source) + "'";
}

// The same file: the absolute paths when both runs recorded one, the paths as given otherwise.
bool same_source(const ForecastRunMetrics& a, const ForecastRunMetrics& b) {
  if (!a.source_absolute.empty() && !b.source_absolute.empty())
    return a.source_absolute == b.source_absolute;
  return a.source == b.source;
}

TableCell text_cell(std::string text) {
  return {std::move(text), std::nullopt};
}

// a number printed with spec; "-" (and null) when it is not finite
TableCell number_cell(double v, const char* spec) {
  if (!std::isfinite(v)) return {"-", std::nullopt};
  return {fmt::format(fmt::runtime(spec), v), v};
}

TableCell ratio_cell(double a, double b) {
  return number_cell(b > 0 ? a / b : std::numeric_limits<double>::quiet_NaN(), "{:.4f}");
}

TableCell seed_cell(const RunFolder& r) {
  if (!r.seed) return {"-", std::nullopt};
  return {std::to_string(*r.seed), static_cast<double>(*r.seed)};
}

std::string part_header(const std::vector<RunFolder>& runs) {
  bool validation = false, test = false;
  for (const RunFolder& r : runs) (r.curve.part == "test" ? test : validation) = true;
  return validation && test ? "val/test" : test ? "test" : "val";
}

ComparisonTable forecast_table(const std::vector<RunFolder>& runs) {
  ComparisonTable t;
  const std::string part = part_header(runs);
  bool seasonal = false, kept_start = false;
  for (const RunFolder& r : runs) seasonal = seasonal || r.forecast->seasonal.has_value();
  t.columns = {{"run", "run", false},
               {"norm", "norm", false},
               {"hidden", "hidden"},
               {"seed", "seed"},
               {"epochs_run", "epochs"},
               {"kept_epoch", "kept"},
               {part + "_loss", part + " loss"},
               {"rmse", "RMSE"},
               {"mae", "MAE"},
               {"mase", "MASE"},
               {"rmse_vs_persistence", "vs persistence"}};
  if (seasonal) t.columns.push_back({"rmse_vs_seasonal_naive", "vs seasonal"});
  t.columns.push_back({"seconds", "seconds"});
  for (const RunFolder& r : runs) {
    const ForecastRunMetrics& m = *r.forecast;
    kept_start = kept_start || r.curve.kept_x == 0;
    std::vector<TableCell> row = {
        text_cell(folder_name(r)),
        text_cell(r.norm),
        number_cell(static_cast<double>(r.hidden), "{:.0f}"),
        seed_cell(r),
        number_cell(m.epochs_run, "{:.0f}"),
        number_cell(r.curve.kept_x, "{:.0f}"),
        number_cell(r.curve.kept_val_loss.value_or(std::numeric_limits<double>::quiet_NaN()),
                    "{:#.5g}"),
        number_cell(m.model.rmse, "{:#.5g}"),
        number_cell(m.model.mae, "{:#.5g}"),
        number_cell(m.model.mase, "{:.3f}"),
        ratio_cell(m.model.rmse, m.persistence.rmse)};
    if (seasonal)
      row.push_back(m.seasonal ? ratio_cell(m.model.rmse, m.seasonal->rmse) : TableCell{"-", {}});
    row.push_back(number_cell(m.seconds, "{:.2f}"));
    t.rows.push_back(std::move(row));
  }
  const ForecastRunMetrics& m0 = *runs[0].forecast;
  t.notes.push_back(fmt::format(
      "test part: {} forecasts of '{}' ({} target), rows {}..{} of the {} rows of {}{} "
      "({}..{})",
      m0.forecasts, printable(m0.target), m0.target_kind, m0.test_begin, m0.test_end - 1, m0.rows,
      data_label(m0), m0.series.empty() ? "" : " series '" + printable(m0.series) + "'", m0.first,
      m0.last));
  t.notes.push_back(
      "vs persistence: the model's test RMSE over persistence's on the same forecasts (below 1: "
      "the model is better)");
  if (kept_start)
    t.notes.push_back(
        "kept 0: no epoch improved on the starting weights, which were kept (with a zero head "
        "and a delta target, the persistence forecast)");
  return t;
}

ComparisonTable classify_table(const std::vector<RunFolder>& runs) {
  ComparisonTable t;
  t.columns = {{"run", "run", false},      {"norm", "norm", false},
               {"hidden", "hidden"},       {"seed", "seed"},
               {"view", "view", false},    {"steps", "steps"},
               {"kept_step", "kept step"}, {"best_val_accuracy", "best val acc %"},
               {"test_loss", "test loss"}, {"test_accuracy", "test acc %"}};
  for (const RunFolder& r : runs) {
    const ClassifyRunMetrics& m = *r.classify;
    TableCell best = number_cell(100 * m.best_val_accuracy, "{:.2f}");
    TableCell acc = number_cell(100 * m.accuracy, "{:.2f}");
    t.rows.push_back({text_cell(folder_name(r)), text_cell(r.norm),
                      number_cell(static_cast<double>(r.hidden), "{:.0f}"), seed_cell(r),
                      text_cell(m.view), number_cell(static_cast<double>(m.steps), "{:.0f}"),
                      number_cell(r.curve.kept_x, "{:.0f}"), best, number_cell(m.loss, "{:.4f}"),
                      acc});
  }
  t.notes.push_back(fmt::format("test: {} images; accuracies in %", runs[0].classify->images));
  return t;
}

std::string markdown_escape(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

RunDifferences run_differences(const std::vector<RunFolder>& runs) {
  require_one_kind(runs);
  for (size_t i = 0; i < runs.size(); ++i)
    for (size_t j = 0; j < i; ++j) {
      std::error_code ea, eb;
      const fs::path a = fs::weakly_canonical(runs[i].folder, ea),
                     b = fs::weakly_canonical(runs[j].folder, eb);
      if (!ea && !eb && a == b)
        throw Error(
            fmt::format("{}: given twice (as {})", folder_name(runs[i]), folder_name(runs[j])));
    }
  RunDifferences d;
  const RunFolder& first = runs[0];
  const std::string f0 = folder_name(first);
  for (size_t i = 1; i < runs.size(); ++i) {
    const RunFolder& r = runs[i];
    const std::string fi = folder_name(r);
    const auto differs = [&](std::vector<std::string>& into, const char* what,
                             const std::string& mine, const std::string& theirs) {
      if (mine != theirs)
        into.push_back(fmt::format("{}: {} {}, {}: {}", fi, what, mine, f0, theirs));
    };
    differs(d.curves, "loss", r.curve.loss, first.curve.loss);
    differs(d.curves, "loss curve on the", r.curve.part + " part", first.curve.part + " part");
    if (r.kind != RunKind::forecast) continue;
    const ForecastRunMetrics &m = *r.forecast, &m0 = *first.forecast;
    if (!same_source(m, m0)) differs(d.data, "data", data_label(m), data_label(m0));
    differs(d.data, "series", "'" + m.series + "'", "'" + m0.series + "'");
    differs(d.data, "target column", "'" + m.target + "'", "'" + m0.target + "'");
    differs(d.data, "rows", fmt::format("{}..{} ({} rows)", m.first, m.last, m.rows),
            fmt::format("{}..{} ({} rows)", m0.first, m0.last, m0.rows));
    differs(d.data, "test rows", fmt::format("{}..{}", m.test_begin, m.test_end - 1),
            fmt::format("{}..{}", m0.test_begin, m0.test_end - 1));
    differs(d.data, "horizon", std::to_string(m.horizon), std::to_string(m0.horizon));
    differs(d.curves, "scaler", m.scaler, m0.scaler);
    differs(d.mase, "MASE scaled by", m.mase_naive, m0.mase_naive);
  }
  return d;
}

TableFormat parse_table_format(std::string_view name) {
  if (name == "text") return TableFormat::text;
  if (name == "markdown") return TableFormat::markdown;
  if (name == "csv") return TableFormat::csv;
  if (name == "json") return TableFormat::json;
  throw Error(
      fmt::format("table format '{}': expected text, markdown, csv or json", printable(name)));
}

ComparisonTable comparison_table(const std::vector<RunFolder>& runs) {
  require_one_kind(runs);
  return runs[0].kind == RunKind::classify ? classify_table(runs) : forecast_table(runs);
}

std::string format_table(const ComparisonTable& t, TableFormat format) {
  const size_t n = t.columns.size();
  std::string out;
  if (format == TableFormat::csv) {
    for (size_t c = 0; c < n; ++c) out += (c ? "," : "") + csv_field(t.columns[c].key);
    out += "\n";
    for (const auto& row : t.rows) {
      for (size_t c = 0; c < n; ++c) {
        const TableCell& cell = row[c];
        const std::string v = !t.columns[c].numeric ? csv_field(cell.text)
                              : cell.number         ? fmt::format("{}", *cell.number)
                                                    : "";
        out += (c ? "," : "") + v;
      }
      out += "\n";
    }
    return out;
  }
  if (format == TableFormat::json) {
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    for (const auto& row : t.rows) {
      nlohmann::ordered_json o;
      for (size_t c = 0; c < n; ++c) {
        const TableCell& cell = row[c];
        if (!t.columns[c].numeric)
          o[t.columns[c].key] = cell.text;
        else if (cell.number)
          o[t.columns[c].key] = *cell.number;
        else
          o[t.columns[c].key] = nullptr;
      }
      rows.push_back(std::move(o));
    }
    return rows.dump(2) + "\n";
  }
  if (format == TableFormat::markdown) {
    out += "|";
    for (const auto& c : t.columns) out += " " + markdown_escape(c.header) + " |";
    out += "\n|";
    for (const auto& c : t.columns) out += c.numeric ? "---:|" : "---|";
    out += "\n";
    for (const auto& row : t.rows) {
      out += "|";
      for (const auto& cell : row) out += " " + markdown_escape(cell.text) + " |";
      out += "\n";
    }
    if (!t.notes.empty()) out += "\n";
    for (const auto& note : t.notes) out += note + "\n\n";
    return out;
  }
  // text: columns as wide as their widest entry, numbers right-aligned
  std::vector<size_t> width(n);
  for (size_t c = 0; c < n; ++c) {
    width[c] = t.columns[c].header.size();
    for (const auto& row : t.rows) width[c] = std::max(width[c], row[c].text.size());
  }
  const auto line = [&](auto text_of) {
    std::string s;
    for (size_t c = 0; c < n; ++c) {
      const std::string text = text_of(c);
      const std::string pad(width[c] - std::min(width[c], text.size()), ' ');
      s += (c ? "  " : "") + (t.columns[c].numeric ? pad + text : text + pad);
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s + "\n";
  };
  out += line([&](size_t c) { return t.columns[c].header; });
  for (const auto& row : t.rows) out += line([&](size_t c) { return row[c].text; });
  if (!t.notes.empty()) out += "\n";
  for (const auto& note : t.notes) out += note + "\n";
  return out;
}

LineChart comparison_chart(const std::vector<RunFolder>& runs, bool log_y) {
  require_one_kind(runs);
  LineChart chart;
  const LossCurve& c0 = runs[0].curve;
  // one log axis for all, only with positive values
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  bool positive = true;
  for (const RunFolder& r : runs)
    for (const auto* v : {&r.curve.train_loss, &r.curve.val_loss})
      for (const double x : *v) {
        positive = positive && x > 0;
        if (x > 0 && std::isfinite(x)) lo = std::min(lo, x), hi = std::max(hi, x);
      }
  chart.log_y = positive && (log_y || hi > 100 * lo);
  chart.title =
      fmt::format("{} runs: {} loss (solid) and training loss (dashed)", runs.size(), c0.part);
  chart.xlabel = c0.x_label;
  chart.ylabel =
      (c0.loss == "cross-entropy" ? std::string("cross-entropy") : loss_axis_label(c0.loss)) +
      (chart.log_y ? " (log scale)" : "");
  chart.legend_below = true;
  size_t points = 0;
  for (const RunFolder& r : runs) points = std::max(points, r.curve.x.size());
  chart.points = points <= 30;
  for (size_t k = 0; k < runs.size(); ++k) {
    const RunFolder& r = runs[k];
    const int colour = static_cast<int>(k % 7);  // the palette's 8th colour (black) is kept
    LineSeries val, train;
    val.title = fmt::format("{}: {}", r.label(), r.curve.part);
    val.x = train.x = r.curve.x;
    val.y = r.curve.val_loss;
    val.colour = train.colour = colour;
    train.title = fmt::format("{}: training", r.label());
    train.y = r.curve.train_loss;
    train.dashed = true;
    chart.series.push_back(std::move(val));
    chart.series.push_back(std::move(train));
    if (r.curve.kept_val_loss && (!chart.log_y || *r.curve.kept_val_loss > 0))
      chart.markers.push_back(
          {k == 0 ? std::string("kept ") + c0.x_label + " (one dot per run)" : std::string(),
           r.curve.kept_x, *r.curve.kept_val_loss, colour, false});
  }
  // the persistence forecast's loss, when every run has the same one (same validation rows and
  // scaling)
  const auto& p0 = c0.persistence_loss;
  bool same = p0.has_value() && std::isfinite(*p0) && (!chart.log_y || *p0 > 0);
  for (const RunFolder& r : runs)
    same = same && r.curve.persistence_loss &&
           std::abs(*r.curve.persistence_loss - *p0) <= 1e-12 * std::abs(*p0);
  if (same) {
    double x_lo = std::numeric_limits<double>::infinity(), x_hi = -x_lo;
    for (const RunFolder& r : runs)
      for (const double x : r.curve.x) x_lo = std::min(x_lo, x), x_hi = std::max(x_hi, x);
    LineSeries p;
    p.title = "persistence forecast (" + c0.part + ")";
    p.x = {x_lo, x_hi};
    p.y = {*p0, *p0};
    p.reference = true;
    p.colour = 7;
    chart.series.push_back(std::move(p));
  }
  return chart;
}

}  // namespace bnlstm
