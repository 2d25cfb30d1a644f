// bnlstm bn-demo: the notebook's BatchNorm experiment (bnlstm/experiments/bn_demo.hpp).
// Prints the statistics table, writes stats.csv and two pictures into --out. With --data (and
// --value-col) the experiment runs on the file's columns instead of the built-in mixture; the
// file is read as `train` reads it (same date, range and long-format flags, same bad-row rules).
//
// Without gnuplot the numbers are still printed and written, a one-line warning names the
// package to install, and the exit status stays 0: the experiment itself ran. Any other
// failure (unwritable --out, gnuplot error) is an error with exit status 1, and --out is left
// as it was (the folder is written as one unit, bnlstm/io/output_folder.hpp).
#include <fmt/core.h>

#include <memory>

#include "bnlstm/experiments/bn_demo.hpp"
#include "bnlstm/io/output_folder.hpp"
#include "commands.hpp"
#include "data_options.hpp"
#include "flag_checks.hpp"
#include "parallel.hpp"

namespace bnlstm::cli {

namespace {

struct BnDemoFlags {
  std::string out = "out/bn-demo";
  ImageFormat format = ImageFormat::png;
  Activation activation = Activation::tanh;
  uint64_t seed = 42;
  std::string gnuplot = "gnuplot";
  DataFlags data;  // --data, --value-col, ...: the user's own columns
  bool own_data() const { return !data.data.empty() || !data.value_cols.empty(); }
};

void run_bn_demo_command(const BnDemoFlags& flags) {
  require_one_process("bn-demo");
  // one unit: the stats and the pictures of this run replace the previous run's together
  OutputFolder out =
      OutputFolder::begin(flags.out, "--out", {"stats.csv", "histogram.*", "activations-*"});
  BnDemoResult result;
  std::string loaded;  // own data: the loader's summary (rows read, rows skipped)
  if (flags.own_data()) {
    LoadReport report;
    const Series series = load_series(flags.data, flags.data.value_cols, &report);
    loaded = report.summary();
    result = run_bn_demo_on(series.values, series.columns, data_label(flags.data.data),
                            flags.activation);
  } else {
    BnDemoConfig config;
    config.activation = flags.activation;
    Rng rng = make_rng(flags.seed);
    result = run_bn_demo(config, rng);
  }

  const std::filesystem::path stats = write_bn_demo_stats(result, out.path());
  std::vector<std::filesystem::path> written{stats.filename()};
  ImageOptions image;
  image.gnuplot = flags.gnuplot;
  bool no_gnuplot = false;
  std::string warning;
  try {
    for (const auto& path : plot_bn_demo(result, out.path(), flags.format, image))
      written.push_back(path.filename());
  } catch (const GnuplotNotFound& e) {
    no_gnuplot = true;
    warning = e.what();
  }
  out.commit();
  if (flags.own_data())
    fmt::print("data: {}\n{}\n", loaded, format_bn_demo_table(result));
  else
    fmt::print("seed {}\n{}\n", flags.seed, format_bn_demo_table(result));
  for (const auto& w : written) fmt::print("wrote {}\n", (out.final_path() / w).string());
  if (no_gnuplot)
    fmt::print(stderr, "bnlstm: warning: {}; numeric output was still written\n", warning);
}

}  // namespace

void add_bn_demo_command(CLI::App& app) {
  auto flags = std::make_shared<BnDemoFlags>();
  auto* cmd = app.add_subcommand(
      "bn-demo",
      "Histograms of values and activations before/after BatchNorm1d (the notebook's mixture, "
      "or --data FILE --value-col COL)");
  last_flag_wins(cmd);
  cmd->add_option("--out", flags->out, "Folder for stats.csv and the pictures")
      ->transform(non_empty("a folder name"))
      ->capture_default_str();
  cmd->add_option<ImageFormat, int>("--format", flags->format, "Picture format")
      ->transform(choice(parse_image_format, "png, svg or pdf"))
      ->default_str("png");
  const std::vector<std::string> all = activation_names();
  std::string names;  // "tanh, sigmoid or relu"
  for (size_t i = 0; i < all.size(); ++i)
    names += (i == 0 ? "" : i + 1 == all.size() ? " or " : ", ") + all[i];
  cmd->add_option<Activation, int>("--activation", flags->activation,
                                   "Activation applied before/after")
      ->transform(choice(parse_activation, names))
      ->default_str("tanh");
  add_data_flags(cmd, flags->data, false);
  cmd->add_option("--value-col", flags->data.value_cols,
                  "With --data: the column(s) to normalize, repeat or comma-separate (default: "
                  "Close); without --data, of the built-in S&P 500")
      ->type_name("NAME")
      ->delimiter(',')
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->transform(non_empty("a column name"));
  cmd->add_option("--seed", flags->seed, "Seed of the random samples (built-in mixture)")
      ->transform(integer_in<uint64_t>(0))
      ->capture_default_str();
  cmd->add_option("--gnuplot", flags->gnuplot, "gnuplot program to run")
      ->transform(non_empty("a program"))
      ->capture_default_str();
  cmd->callback([flags] { run_bn_demo_command(*flags); });
}

}  // namespace bnlstm::cli
