#pragma once
// Each subcommand lives in its own file and adds itself to the top-level CLI11 app.
// Commands parse flags, call the library and print; they hold no modelling logic.
#include <CLI/CLI.hpp>

namespace bnlstm::cli {

void add_bn_demo_command(CLI::App& app);

}  // namespace bnlstm::cli
