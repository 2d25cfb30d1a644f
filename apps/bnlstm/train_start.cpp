#include "train_start.hpp"

#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "bnlstm/core/error.hpp"
#include "bnlstm/train/checkpoint.hpp"
#include "bnlstm/train/resume_settings.hpp"
#include "flag_checks.hpp"

namespace bnlstm::cli {

namespace {

// "look_back" -> "--look-back"
std::string flag_name(std::string_view setting) {
  std::string flag = "--" + std::string(setting);
  for (char& c : flag)
    if (c == '_') c = '-';
  return flag;
}

}  // namespace

void add_start_flags(CLI::App* cmd, StartFlags& f) {
  auto* resume =
      cmd->add_option("--resume", f.resume,
                      "Continue the run saved in this checkpoint (its model.safetensors) on its "
                      "data, with its settings, up to --epochs in total")
          ->type_name("FILE")
          ->transform(non_empty("a checkpoint file"));
  cmd->add_option("--init-from", f.init_from,
                  "Start a new run from this checkpoint's weights (its network; scaler fitted on "
                  "the new training rows)")
      ->type_name("FILE")
      ->transform(non_empty("a checkpoint file"))
      ->excludes(resume);
}

void begin_start(TrainStart& start, const CLI::App* cmd, const StartFlags& f,
                 TrainRunOptions& options, ForecastColumns& columns) {
  const SettingGiven given = [cmd](std::string_view setting) {
    return cmd->count(flag_name(setting)) > 0;
  };
  if (!f.resume.empty()) {
    start.path = f.resume;
    start.resume.emplace(load_training_checkpoint(f.resume));
    resume_settings(options, columns, *start.resume, given, flag_name);
    options.resume = &*start.resume;
  } else if (!f.init_from.empty()) {
    start.path = f.init_from;
    start.init.emplace(load_checkpoint(f.init_from));
    init_settings(options, columns, *start.init, f.init_from, given, flag_name);
    options.init_from = &*start.init;
  }
}

Series load_start_series(const TrainStart& start, const DataFlags& flags,
                         const ForecastColumns& columns, LoadReport* report) {
  if (start.resume) return load_series_for(start.resume->forecaster, start.path, flags, report);
  return load_series(flags, columns.load, report);
}

std::string describe_start(const TrainStart& start, const TrainRunOptions& options) {
  if (start.resume) {
    const int done = start.epochs_before();
    return fmt::format("resuming {} after epoch {}: epochs {}..{} (--epochs is the total)\n",
                       start.path, done, done + 1, options.training.epochs);
  }
  if (start.init) {
    const NetworkConfig& n = start.init->network().config();
    return fmt::format(
        "starting from the weights of {} (hidden {}, norm {}); a new optimizer, the scaler fitted "
        "on these training rows\n",
        start.path, n.hidden_size, to_string(n.norm));
  }
  return "";
}

std::string with_start(const std::string& training_json, const TrainStart& start) {
  if (!start.resume && !start.init) return training_json;
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(training_json);
  if (start.resume) {
    j["resumed_from"] = start.path;
    j["resumed_after_epoch"] = start.epochs_before();
  } else {
    j["init_from"] = start.path;
  }
  return j.dump();
}

}  // namespace bnlstm::cli
