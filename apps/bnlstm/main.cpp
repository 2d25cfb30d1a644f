// bnlstm: the command-line tool. Errors from the library arrive as bnlstm::Error and are
// printed as one line on stderr with a non-zero exit status.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <exception>
#include <system_error>

#include "bnlstm/core/error.hpp"
#include "bnlstm/io/atomic_file.hpp"
#include "commands.hpp"
#include "flag_checks.hpp"

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a closed gnuplot or `| head` must give an error, not kill us
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
  try {
    app.parse(argc, argv);
    // what was printed must have arrived: a full device or a closed pipe is an error
    bnlstm::flush_stdout();
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every bad flag exits 1, as every other input problem
    return app.exit(e) == 0 ? 0 : 1;
  } catch (const bnlstm::Error& e) {
    fmt::print(stderr, "bnlstm: error: {}\n", e.what());
    return 1;
  } catch (const std::system_error& e) {
    // fmt::print reports a failed write to stdout this way
    fmt::print(stderr, "bnlstm: error: stdout: {}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "bnlstm: internal error: {}\n", e.what());
    return 2;
  }
  return 0;
}
