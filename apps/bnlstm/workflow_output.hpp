#pragma once
// Output handling shared by the commands that write a folder: the --out and picture flags, the
// gnuplot-missing warning, and the progress bar. The folder is written as one unit through
// bnlstm::OutputFolder (bnlstm/io/output_folder.hpp).
#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "bnlstm/core/tensor.hpp"
#include "bnlstm/plot/gnuplot.hpp"
#include "bnlstm/train/trainer.hpp"

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
  std::string extension;  // png, svg or pdf
  ImageOptions image;
  bool plots = true;
};

// The picture settings of the output flags. The folder itself is an OutputFolder
// (bnlstm/io/output_folder.hpp): begun before any work, committed at the end.
OutputPlan plan_output(const OutputFlags& flags);

// A run into an --out folder that holds an earlier run's files replaces them (the folder is
// swapped in as one unit when the run ends; other files are kept). Called before the run starts,
// returns the note to print on stderr once it has ended, e.g. "bnlstm: note: replaced an earlier
// run's files in --out run1 (history.csv, history.json, metrics.json, model.safetensors, ...)";
// "" for a new or empty folder. outputs: the command's file names, a trailing '*' matching any
// ending ("loss.*"). A failed run prints nothing and leaves the folder as it was.
std::string replaced_run_note(const std::string& out, const std::vector<std::string>& outputs);

// Runs draw(image, files) unless plots are off; a missing gnuplot becomes a one-line warning on
// stderr (the numbers were written already). Files drawn are appended to `written`.
void write_plots(
    const OutputPlan& plan, std::vector<std::filesystem::path>& written,
    const std::function<void(const ImageOptions&, std::vector<std::filesystem::path>&)>& draw);

// On a terminal (enabled), after every batch on stderr:
//   "\r epoch 3/100 [#####.....] 45/112  loss 0.00441  up to 1 min 23 s left"
// (bnlstm/train/progress.hpp): the epoch's running training loss and the time the rest of the
// run would take; "up to" when early stopping may end it sooner.
class ProgressBar {
 public:
  ProgressBar(bool enabled, int epochs, bool may_stop_early)
      : enabled_(enabled), epochs_(epochs), may_stop_early_(may_stop_early) {}
  // The clock of the time-left estimate starts here (else at the first update).
  void start();
  void update(const BatchProgress& progress);
  void clear();

 private:
  bool enabled_;
  int epochs_;
  bool may_stop_early_;
  bool shown_ = false;
  bool started_ = false;
  std::chrono::steady_clock::time_point start_{}, last_drawn_{};
};

}  // namespace bnlstm::cli
