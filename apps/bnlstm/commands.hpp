#pragma once
// Each subcommand lives in its own file and adds itself to the top-level CLI11 app.
// Commands parse flags, call the library and print; they hold no modelling logic.
#include <CLI/CLI.hpp>

namespace bnlstm::cli {

void add_bn_demo_command(CLI::App& app);
void add_train_command(CLI::App& app);     // cmd_train.cpp
void add_evaluate_command(CLI::App& app);  // cmd_evaluate.cpp
void add_predict_command(CLI::App& app);   // cmd_predict.cpp
void add_classify_command(CLI::App& app);  // cmd_classify.cpp
void add_study_command(CLI::App& app);     // cmd_study.cpp
void add_backtest_command(CLI::App& app);  // cmd_backtest.cpp
void add_study_forecast_command(CLI::App& app);  // cmd_study_forecast.cpp
void add_compare_command(CLI::App& app);         // cmd_compare.cpp

}  // namespace bnlstm::cli
