// bnlstm: the command-line tool. Errors from the library arrive as bnlstm::Error and are
// printed as one line on stderr with a non-zero exit status.
#include <fmt/core.h>
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <algorithm>
#include <exception>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "bnlstm/core/error.hpp"
#include "bnlstm/io/atomic_file.hpp"
#include "commands.hpp"
#include "flag_checks.hpp"
#include "parallel.hpp"

namespace {

// Edits (insertions, deletions, substitutions, swaps of neighbours) between a and b.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1,
                          d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

// "unknown command 'trian' (did you mean 'train'?); commands: train, evaluate, ..."
std::string unknown_command(const std::string& word, const std::vector<std::string>& names) {
  std::string out = "unknown command '" + word + "'";
  const auto near = std::min_element(names.begin(), names.end(), [&](const auto& a, const auto& b) {
    return edit_distance(word, a) < edit_distance(word, b);
  });
  if (near != names.end() && edit_distance(word, *near) <= 2) out += " (did you mean '" + *near + "'?)";
  out += "; commands: ";
  for (size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
  return out + " (bnlstm help COMMAND for its flags)";
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a closed gnuplot or `| head` must give an error, not kill us
  bnlstm::cli::setup_parallel_output();  // under mpirun: rank 0 alone prints (parallel.hpp)
  CLI::App app{
      "bnlstm: batch normalization and batch-normalized LSTMs for time-series forecasting"};
  app.set_version_flag("--version", "bnlstm 0.1.0");
  app.require_subcommand(1);
  // One line for a bad flag too, in the same form as library errors. A bad value already says
  // what was expected ("--epochs: expected an integer >= 1, got 'ten'"); other parse errors
  // (unknown flag, missing value) point to --help.
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    if (bnlstm::cli::is_flag_value_error(e)) return fmt::format("bnlstm: error: {}\n", e.what());
    return fmt::format("bnlstm: error: {} (see --help)\n", e.what());
  });
  bnlstm::cli::add_bn_demo_command(app);
  bnlstm::cli::add_train_command(app);
  bnlstm::cli::add_evaluate_command(app);
  bnlstm::cli::add_predict_command(app);
  bnlstm::cli::add_classify_command(app);
  bnlstm::cli::add_study_command(app);
  bnlstm::cli::add_backtest_command(app);
  bnlstm::cli::add_study_forecast_command(app);
  bnlstm::cli::add_compare_command(app);
  // `bnlstm`, `bnlstm help [COMMAND]` and a misspelt command, before CLI11 sees them (it would
  // say "A subcommand is required" or "The following arguments were not expected: trian")
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
  names.push_back("help");
  if (argc < 2) {
    return bnlstm::cli::report_error(
        fmt::format("bnlstm: error: a command is required; commands: {} (bnlstm help COMMAND "
                    "for its flags)", fmt::join(names, ", ")),
        1);
  }
  const std::string first = argv[1];
  if (first == "help") {
    if (argc == 2) {
      fmt::print("{}", app.help());
      return 0;
    }
    const std::string topic = argv[2];
    for (const CLI::App* sub : app.get_subcommands({}))
      if (sub->get_name() == topic) {
        fmt::print("{}", sub->help());
        return 0;
      }
    return bnlstm::cli::report_error("bnlstm: error: " + unknown_command(topic, names), 1);
  }
  if (!first.empty() && first[0] != '-' &&
      std::find(names.begin(), names.end(), first) == names.end()) {
    // under mpirun rank 0 alone prints it (report_error)
    return bnlstm::cli::report_error("bnlstm: error: " + unknown_command(first, names), 1);
  }
  try {
    app.parse(argc, argv);
    // what was printed must have arrived: a full device or a closed pipe is an error
    bnlstm::flush_stdout();
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every bad flag exits 1, as every other input problem
    // (under mpirun rank 0 alone says so)
    if (!bnlstm::cli::is_root_process()) return e.get_exit_code() == 0 ? 0 : 1;
    return app.exit(e) == 0 ? 0 : 1;
  } catch (const bnlstm::Error& e) {
    return bnlstm::cli::report_error(fmt::format("bnlstm: error: {}", e.what()), 1);
  } catch (const std::system_error& e) {
    // fmt::print reports a failed write to stdout this way
    return bnlstm::cli::report_error(fmt::format("bnlstm: error: stdout: {}", e.what()), 1);
  } catch (const std::exception& e) {
    return bnlstm::cli::report_error(fmt::format("bnlstm: internal error: {}", e.what()), 2);
  }
  return 0;
}
