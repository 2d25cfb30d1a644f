// bnlstm bn-demo: placeholder until the normalization demo lands.
#include "commands.hpp"

namespace bnlstm::cli {

void add_bn_demo_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("bn-demo", "Histograms of values and activations before/after BatchNorm1d");
  cmd->callback([] {});
}

}  // namespace bnlstm::cli
