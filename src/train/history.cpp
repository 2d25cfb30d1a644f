#include "bnlstm/train/history.hpp"

#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "bnlstm/core/error.hpp"
#include "bnlstm/io/atomic_file.hpp"

namespace bnlstm {

std::string TrainingHistory::part_label() const {
  return part == ValidationPart::test ? "test loss" : "validation loss";
}

std::string TrainingHistory::part_key() const {
  return part == ValidationPart::test ? "test_loss" : "val_loss";
}

const EpochRecord* TrainingHistory::find(int epoch) const {
  for (const auto& e : epochs)
    if (e.epoch == epoch) return &e;
  return nullptr;
}

std::string TrainingHistory::to_csv() const {
  std::string out = "epoch,train_loss," + part_key() + "\n";
  // fmt's "{}" is the shortest representation that reads back to the same double
  for (const auto& e : epochs) out += fmt::format("{},{},{}\n", e.epoch, e.train_loss, e.val_loss);
  return out;
}

std::string TrainingHistory::to_json() const {
  nlohmann::ordered_json j;
  j["loss"] = loss;
  j["validation_part"] = part == ValidationPart::test ? "test" : "validation";
  j["best_epoch"] = best_epoch;
  j["stopped_early"] = stopped_early;
  if (stopped_by_request) j["stopped_by_request"] = true;
  auto ep = nlohmann::ordered_json::array(), tl = ep, vl = ep;
  for (const auto& e : epochs) {
    ep.push_back(e.epoch);
    tl.push_back(e.train_loss);
    vl.push_back(e.val_loss);
  }
  j["epochs"] = std::move(ep);
  j["train_loss"] = std::move(tl);
  j[part_key()] = std::move(vl);
  return j.dump(2) + "\n";
}

TrainingHistory TrainingHistory::from_json(const std::string& text, const std::string& source) {
  try {
    const auto j = nlohmann::json::parse(text);
    TrainingHistory h;
    h.loss = j.at("loss").get<std::string>();
    h.best_epoch = j.at("best_epoch").get<int>();
    h.stopped_early = j.at("stopped_early").get<bool>();
    h.stopped_by_request = j.value("stopped_by_request", false);
    // absent in histories written before the notebook's protocol was named
    if (j.value("validation_part", std::string("validation")) == "test")
      h.part = ValidationPart::test;
    const auto& ep = j.at("epochs");
    const auto& tl = j.at("train_loss");
    const auto& vl = j.at(h.part_key());
    if (ep.size() != tl.size() || ep.size() != vl.size())
      throw Error(source + ": history arrays 'epochs', 'train_loss', '" + h.part_key() +
                  "' differ in length");
    for (size_t i = 0; i < ep.size(); ++i)
      h.epochs.push_back({ep[i].get<int>(), tl[i].get<double>(), vl[i].get<double>()});
    return h;
  } catch (const nlohmann::json::exception& e) {
    throw Error(source + ": not a training history: " + e.what());
  }
}

void TrainingHistory::save(const std::filesystem::path& csv_path,
                           const std::filesystem::path& json_path) const {
  write_file_atomically(csv_path, to_csv());
  write_file_atomically(json_path, to_json());
}

}  // namespace bnlstm
