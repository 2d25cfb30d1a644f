#include "workflow_output.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>

#include "bnlstm/core/error.hpp"
#include "bnlstm/train/progress.hpp"
#include "flag_checks.hpp"

namespace bnlstm::cli {

namespace fs = std::filesystem;

void add_output_flags(CLI::App* cmd, OutputFlags& f, const std::string& default_out) {
  f.out = default_out;
  cmd->add_option("--out", f.out, "Folder for the results")
      ->type_name("DIR")
      ->transform(non_empty("a folder name"))
      ->capture_default_str();
  cmd->add_option<ImageFormat, int>("--format", f.format, "Picture format: png, svg or pdf")
      ->type_name("FMT")
      ->transform(choice(parse_image_format, "png, svg or pdf"))
      ->default_str("png");
  cmd->add_flag("--log-scale", f.log_scale, "Loss chart with a logarithmic y axis");
  cmd->add_flag("--no-plots", f.no_plots, "Write no pictures");
  cmd->add_option("--gnuplot", f.gnuplot, "gnuplot program to run")
      ->type_name("PROG")
      ->transform(non_empty("a program"))
      ->capture_default_str();
}

OutputPlan plan_output(const OutputFlags& f) {
  OutputPlan plan;
  plan.image.format = f.format;
  plan.extension = std::string(image_format_name(f.format));
  plan.image.gnuplot = f.gnuplot;
  plan.plots = !f.no_plots;
  return plan;
}

std::string replaced_run_note(const std::string& out, const std::vector<std::string>& outputs) {
  std::error_code ec;
  if (!fs::is_directory(out, ec)) return {};
  std::vector<std::string> found;
  for (const auto& entry : fs::directory_iterator(out, ec)) {
    const std::string name = entry.path().filename().string();
    for (const std::string& pattern : outputs) {
      const bool glob = !pattern.empty() && pattern.back() == '*';
      const std::string_view stem(pattern.data(), pattern.size() - (glob ? 1 : 0));
      if (glob ? name.rfind(stem, 0) == 0 : name == pattern) {
        found.push_back(name);
        break;
      }
    }
  }
  if (found.empty()) return {};
  std::sort(found.begin(), found.end());
  std::string list;
  for (size_t i = 0; i < found.size() && i < 4; ++i) list += (i ? ", " : "") + found[i];
  if (found.size() > 4) list += ", ...";
  return fmt::format("bnlstm: note: replaced an earlier run's files in --out {} ({})\n", out, list);
}

void write_plots(const OutputPlan& plan, std::vector<fs::path>& written,
                 const std::function<void(const ImageOptions&, std::vector<fs::path>&)>& draw) {
  if (!plan.plots) return;
  try {
    draw(plan.image, written);
  } catch (const GnuplotNotFound& e) {
    fmt::print(stderr, "bnlstm: warning: {}; the numbers were still written\n", e.what());
  }
}

void ProgressBar::start() {
  start_ = std::chrono::steady_clock::now();
  started_ = true;
}

void ProgressBar::update(const BatchProgress& p) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!started_) start();
  // at most ten redraws a second (and always the epoch's last batch)
  if (shown_ && p.batch != p.batches && now - last_drawn_ < std::chrono::milliseconds(100)) return;
  last_drawn_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  fmt::print(stderr, "\r{}\033[K", progress_line(p, epochs_, elapsed, may_stop_early_));
  std::fflush(stderr);
  shown_ = true;
}

void ProgressBar::clear() {
  if (!shown_) return;
  fmt::print(stderr, "\r\033[K");
  std::fflush(stderr);
  shown_ = false;
}

}  // namespace bnlstm::cli
