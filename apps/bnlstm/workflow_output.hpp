#pragma once
// Output handling shared by `train` and `evaluate`: the --out folder (checked for writability
// before any work), picture flags, the gnuplot-missing warning, and the progress bar.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "bnlstm/core/tensor.hpp"
#include "bnlstm/plot/gnuplot.hpp"

namespace bnlstm::cli {

struct OutputFlags {
  std::string out;
  ImageFormat format = ImageFormat::png;
  bool log_scale = false;  // loss chart on a log-scale y axis
  bool no_plots = false;
  std::string gnuplot = "gnuplot";
};

// --out, --format, --log-scale, --no-plots, --gnuplot
void add_output_flags(CLI::App* cmd, OutputFlags& flags, const std::string& default_out);

struct OutputPlan {
  std::filesystem::path dir;
  std::string extension;  // png, svg or pdf
  ImageOptions image;
  bool plots = true;
};

// Validates --format and checks, before any work, that --out can be written: an existing folder
// must accept a file, a missing one must be creatable (its nearest existing parent a writable
// folder). Creates nothing: a run that fails later leaves no empty folder behind.
// Throws bnlstm::Error "--out DIR: ..." otherwise.
OutputPlan plan_output(const OutputFlags& flags);

// Creates plan.dir (and parents); throws bnlstm::Error "--out DIR: ..." on failure.
void create_output_dir(const OutputPlan& plan);

// Runs draw(image, files) unless plots are off; a missing gnuplot becomes a one-line warning on
// stderr (the numbers were written already). Files drawn are appended to `written`.
void write_plots(
    const OutputPlan& plan, std::vector<std::filesystem::path>& written,
    const std::function<void(const ImageOptions&, std::vector<std::filesystem::path>&)>& draw);

// "\r epoch 3/100 [#####.....] 45/112" on stderr, only when enabled (stderr is a terminal).
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled) {}
  void update(int epoch, int epochs, Index batch, Index batches);
  void clear();

 private:
  bool enabled_;
  bool shown_ = false;
  int last_permille_ = -1;
};

}  // namespace bnlstm::cli
