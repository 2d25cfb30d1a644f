#pragma once
// Finished runs side by side (`bnlstm compare`): one table of their test metrics and one chart
// of their loss curves, from folders read by read_run_folder (run_folder.hpp).
//
//   std::vector<RunFolder> runs = {read_run_folder("run1"), read_run_folder("run2")};
//   const RunDifferences d = run_differences(runs);   // different data? different units?
//   fmt::print("{}", format_table(comparison_table(runs), TableFormat::text));
//   plot_lines("compare.png", comparison_chart(runs, false));
//
// Forecast runs' table: run, norm, hidden, seed, epochs run, kept epoch, validation loss of the
// kept epoch, the model's test RMSE, MAE, MASE, and its RMSE over persistence's (and seasonal
// naive's) on the same forecasts: below 1 the model beats the baseline. Classify runs': run,
// norm, hidden, seed, view, steps, kept step, best validation accuracy, test loss and accuracy.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bnlstm/plot/charts.hpp"
#include "bnlstm/train/run_folder.hpp"

namespace bnlstm {

// What tells the runs apart beyond their settings, one line each naming the folders:
//   data    their test metrics are not comparable: other data file, series, target column,
//           loaded dates, test rows or horizon ("run2: data 'b.csv', run1: 'a.csv'")
//   curves  their loss curves are in different units: loss kind, scaler, validation part
//   mase    their MASE is scaled by different naive forecasts (with and without --season)
struct RunDifferences {
  std::vector<std::string> data;
  std::vector<std::string> curves;
  std::vector<std::string> mase;
};

// Throws bnlstm::Error for no runs, a folder given twice, or runs of different kinds ("run2 is
// a classify run, run1 a train run: compare runs of one kind").
RunDifferences run_differences(const std::vector<RunFolder>& runs);

enum class TableFormat { text, markdown, csv, json };
// "text", "markdown", "csv", "json"; throws bnlstm::Error listing them.
TableFormat parse_table_format(std::string_view name);

struct TableColumn {
  std::string key;     // CSV header and JSON key: "rmse", "rmse_vs_persistence"
  std::string header;  // text and Markdown header: "RMSE", "vs persistence"
  bool numeric = true;
};

struct TableCell {
  std::string text;              // as printed in text and Markdown ("-" when undefined)
  std::optional<double> number;  // exact value for CSV and JSON (numeric columns; none: null)
};

struct ComparisonTable {
  std::vector<TableColumn> columns;
  std::vector<std::vector<TableCell>> rows;  // one per run, in the order given
  std::vector<std::string> notes;            // printed under the text and Markdown tables
};

// Throws as run_differences for runs of different kinds.
ComparisonTable comparison_table(const std::vector<RunFolder>& runs);

// text: aligned columns; markdown: a pipe table; csv: header and rows, numbers in shortest
// round-trip form, empty when undefined; json: an array of objects (null when undefined).
// Notes follow text and Markdown tables only.
std::string format_table(const ComparisonTable& table, TableFormat format);

// Every run's validation (or test) loss as a solid line and its training loss dashed, in one
// colour per run, the kept epoch (step) as a dot in that colour; the persistence forecast's
// loss as a black dashed line when every run has the same one. A log axis when log_y or when
// the positive values span more than two decades (never with a value <= 0).
LineChart comparison_chart(const std::vector<RunFolder>& runs, bool log_y);

}  // namespace bnlstm
