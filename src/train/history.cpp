#include "bnlstm/train/history.hpp"

#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "bnlstm/core/error.hpp"
#include "bnlstm/io/atomic_file.hpp"

namespace bnlstm {

std::string TrainingHistory::to_csv() const {
  std::string out = "epoch,train_loss,val_loss\n";
  // fmt's "{}" is the shortest representation that reads back to the same double
  for (const auto& e : epochs) out += fmt::format("{},{},{}\n", e.epoch, e.train_loss, e.val_loss);
  return out;
}

std::string TrainingHistory::to_json() const {
  nlohmann::ordered_json j;
  j["loss"] = loss;
  j["best_epoch"] = best_epoch;
  j["stopped_early"] = stopped_early;
  auto ep = nlohmann::ordered_json::array(), tl = ep, vl = ep;
  for (const auto& e : epochs) {
    ep.push_back(e.epoch);
    tl.push_back(e.train_loss);
    vl.push_back(e.val_loss);
  }
  j["epochs"] = std::move(ep);
  j["train_loss"] = std::move(tl);
  j["val_loss"] = std::move(vl);
  return j.dump(2) + "\n";
}

TrainingHistory TrainingHistory::from_json(const std::string& text, const std::string& source) {
  try {
    const auto j = nlohmann::json::parse(text);
    TrainingHistory h;
    h.loss = j.at("loss").get<std::string>();
    h.best_epoch = j.at("best_epoch").get<int>();
    h.stopped_early = j.at("stopped_early").get<bool>();
    const auto& ep = j.at("epochs");
    const auto& tl = j.at("train_loss");
    const auto& vl = j.at("val_loss");
    if (ep.size() != tl.size() || ep.size() != vl.size())
      throw Error(source + ": history arrays 'epochs', 'train_loss', 'val_loss' differ in length");
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
