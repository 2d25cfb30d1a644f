// bnlstm compare RUN...: finished runs side by side. Reads each --out folder of `bnlstm train`
// (or of `bnlstm classify`; all runs of one kind) through the library's read_run_folder
// (bnlstm/train/run_folder.hpp), prints one table of their test metrics (--table text,
// markdown, csv or json) and draws their loss curves into one picture (--plot FILE, default
// compare.png; its extension picks png, svg or pdf). Runs on different data (file, series,
// target column, rows, test rows, horizon) are refused, naming the first difference, unless
// --any-data is given; loss curves in different units (loss, scaler, validation part) are drawn
// with a warning.
#include <fmt/core.h>

#include <memory>
#include <string>
#include <vector>

#include "bnlstm/core/error.hpp"
#include "bnlstm/io/atomic_file.hpp"
#include "bnlstm/plot/charts.hpp"
#include "bnlstm/train/run_comparison.hpp"
#include "bnlstm/train/run_folder.hpp"
#include "commands.hpp"
#include "flag_checks.hpp"

namespace bnlstm::cli {

namespace {

struct CompareFlags {
  std::vector<std::string> runs;
  std::string plot = "compare.png";
  bool no_plots = false;
  bool log_scale = false;
  TableFormat table = TableFormat::text;
  bool any_data = false;
  std::string gnuplot = "gnuplot";
};

void run_compare(const CompareFlags& f) {
  std::vector<RunFolder> runs;
  for (const std::string& folder : f.runs) runs.push_back(read_run_folder(folder));
  const RunDifferences d = run_differences(runs);
  if (!d.data.empty() && !f.any_data)
    throw Error(d.data.front() +
                "; their test metrics are not comparable (--any-data compares them anyway)");
  for (const std::string& line : d.data)
    fmt::print(stderr, "bnlstm: warning: {} (their test metrics are not comparable)\n", line);
  for (const std::string& line : d.curves)
    fmt::print(stderr, "bnlstm: warning: {} (their loss curves are in different units)\n", line);
  for (const std::string& line : d.mase)
    fmt::print(stderr, "bnlstm: warning: {} (their MASE columns are not comparable)\n", line);

  fmt::print("{}", format_table(comparison_table(runs), f.table));
  flush_stdout();  // a full device fails now, with its reason
  if (f.no_plots) return;
  ImageOptions image;
  image.gnuplot = f.gnuplot;
  try {
    plot_lines(f.plot, comparison_chart(runs, f.log_scale), image);
  } catch (const GnuplotNotFound& e) {
    fmt::print(stderr, "bnlstm: warning: {}; the table was still printed\n", e.what());
    return;
  }
  // machine-readable tables keep stdout to themselves
  if (f.table == TableFormat::text)
    fmt::print("\nwrote {}\n", f.plot);
  else
    fmt::print(stderr, "wrote {}\n", f.plot);
}

}  // namespace

void add_compare_command(CLI::App& app) {
  auto f = std::make_shared<CompareFlags>();
  auto* cmd = app.add_subcommand(
      "compare", "Compare finished runs: one table of test metrics, their loss curves overlaid");
  cmd->add_option("runs", f->runs,
                  "--out folders of bnlstm train (or of bnlstm classify; runs of one kind)")
      ->type_name("RUN...")
      ->required()
      ->transform(non_empty("a run's folder"));
  cmd->add_option("--plot", f->plot,
                  "Picture of the loss curves; .png, .svg or .pdf picks the format")
      ->type_name("FILE")
      ->transform(CLI::Validator(
          [](std::string& text) -> std::string {
            if (!image_format_from_extension(text))
              return fmt::format("expected a file name ending in .png, .svg or .pdf, got '{}'",
                                 text);
            return {};
          },
          ""))
      ->capture_default_str();
  cmd->add_flag("--no-plots", f->no_plots, "Draw no picture; print the table only");
  cmd->add_flag("--log-scale", f->log_scale,
                "Loss axis logarithmic (it is anyway when the losses span over two decades)");
  cmd->add_option<TableFormat, int>("--table", f->table,
                                    "Table format: text, markdown, csv or json (stdout)")
      ->type_name("FMT")
      ->transform(choice(parse_table_format, "text, markdown, csv or json"))
      ->default_str("text");
  cmd->add_flag("--any-data", f->any_data,
                "Compare runs on different data or targets too (each difference is a warning)");
  cmd->add_option("--gnuplot", f->gnuplot, "gnuplot program to run")
      ->type_name("PROG")
      ->transform(non_empty("a program"))
      ->capture_default_str();
  cmd->callback([f] { run_compare(*f); });
}

}  // namespace bnlstm::cli
