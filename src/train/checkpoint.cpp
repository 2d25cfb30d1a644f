#include "bnlstm/train/checkpoint.hpp"

#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "bnlstm/core/error.hpp"

namespace bnlstm {

namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kFormat = "bnlstm-forecaster";
constexpr const char* kVersion = "1";

Json range_json(Range r) {
  return Json::array({r.begin, r.end});
}
Range json_range(const Json& j) {
  return Range{j.at(0).get<Index>(), j.at(1).get<Index>()};
}

Json config_json(const ForecasterConfig& c) {
  Json j;
  j["columns"] = c.columns;
  j["input_columns"] = c.windows.input_columns;
  j["target_column"] = c.windows.target_column;
  j["lookback"] = c.windows.lookback;
  j["horizon"] = c.windows.horizon;
  j["target"] = std::string(to_string(c.windows.target));
  j["input"] = std::string(to_string(c.windows.input));
  j["input_size"] = c.network.input_size;
  j["hidden_size"] = c.network.hidden_size;
  j["norm"] = to_string(c.network.norm);
  j["init"] = to_string(c.network.init);
  return j;
}

ForecasterConfig json_config(const Json& j) {
  ForecasterConfig c;
  c.columns = j.at("columns").get<std::vector<std::string>>();
  c.windows.input_columns = j.at("input_columns").get<std::vector<Index>>();
  c.windows.target_column = j.at("target_column").get<Index>();
  c.windows.lookback = j.at("lookback").get<Index>();
  c.windows.horizon = j.at("horizon").get<Index>();
  c.windows.target = parse_target(j.at("target").get<std::string>());
  // absent in checkpoints written before --input existed: those fed levels
  c.windows.input = parse_input_kind(j.value("input", std::string("level")));
  c.network.input_size = j.at("input_size").get<Index>();
  c.network.hidden_size = j.at("hidden_size").get<Index>();
  c.network.horizon = c.windows.horizon;
  c.network.norm = parse_lstm_norm(j.at("norm").get<std::string>());
  c.network.init = parse_init_scheme(j.at("init").get<std::string>());
  return c;
}

std::string date_or_empty(const std::optional<Date>& d) {
  return d ? format_date(*d) : std::string();
}

Json data_json(const DataProvenance& d) {
  Json j;
  j["source"] = d.source;
  j["date_column"] = d.date_column;
  j["start"] = date_or_empty(d.start);
  j["end"] = date_or_empty(d.end);
  j["first"] = format_date(d.first);
  j["last"] = format_date(d.last);
  j["rows"] = d.rows;
  j["train_fraction"] = d.fractions.train;
  j["validation_fraction"] = d.fractions.validation;
  Json s;
  s["train_rows"] = range_json(d.split.train_rows);
  s["validation_rows"] = range_json(d.split.validation_rows);
  s["test_rows"] = range_json(d.split.test_rows);
  s["train_windows"] = range_json(d.split.train_windows);
  s["validation_windows"] = range_json(d.split.validation_windows);
  s["test_windows"] = range_json(d.split.test_windows);
  j["split"] = s;
  return j;
}

std::optional<Date> json_date(const Json& j, const char* key) {
  const std::string s = j.at(key).get<std::string>();
  if (s.empty()) return std::nullopt;
  return parse_date(s, std::string("checkpoint data.") + key);
}

DataProvenance json_data(const Json& j) {
  DataProvenance d;
  d.source = j.at("source").get<std::string>();
  d.date_column = j.at("date_column").get<std::string>();
  d.start = json_date(j, "start");
  d.end = json_date(j, "end");
  d.first = *json_date(j, "first");
  d.last = *json_date(j, "last");
  d.rows = j.at("rows").get<Index>();
  d.fractions.train = j.at("train_fraction").get<double>();
  d.fractions.validation = j.at("validation_fraction").get<double>();
  const Json& s = j.at("split");
  d.split.train_rows = json_range(s.at("train_rows"));
  d.split.validation_rows = json_range(s.at("validation_rows"));
  d.split.test_rows = json_range(s.at("test_rows"));
  d.split.train_windows = json_range(s.at("train_windows"));
  d.split.validation_windows = json_range(s.at("validation_windows"));
  d.split.test_windows = json_range(s.at("test_windows"));
  return d;
}

// e's message without a leading "<source>: " (the caller adds its own)
std::string without_source(const Error& e, const std::string& source) {
  const std::string msg = e.what(), prefix = source + ": ";
  return msg.rfind(prefix, 0) == 0 ? msg.substr(prefix.size()) : msg;
}

}  // namespace

TensorFile checkpoint_tensors(const Forecaster& f) {
  TensorFile file;
  f.network().save_state(file);
  const ForecasterConfig& c = f.config();
  file.metadata["format"] = kFormat;
  file.metadata["format_version"] = kVersion;
  file.metadata["config"] = config_json(c).dump();
  Json cols;
  cols["inputs"] = Json::array();
  for (Index i : c.windows.input_columns)
    cols["inputs"].push_back(c.columns[static_cast<size_t>(i)]);
  cols["target"] = c.columns[static_cast<size_t>(c.windows.target_column)];
  file.metadata["columns"] = cols.dump();
  file.metadata["scaler"] = f.scaler().to_json();
  file.metadata["data"] = data_json(f.data()).dump();
  file.metadata["training"] = f.training_json();
  return file;
}

void save_checkpoint(const std::filesystem::path& path, const Forecaster& forecaster) {
  checkpoint_tensors(forecaster).save(path);
}

Forecaster forecaster_from_tensors(const TensorFile& file) {
  auto bad = [&](const std::string& why) {
    return Error(file.source + ": not a bnlstm checkpoint: " + why);
  };
  const auto format = file.metadata.find("format");
  if (format == file.metadata.end() || format->second != kFormat)
    throw bad("its metadata has no \"format\": \"bnlstm-forecaster\"");
  const auto version = file.metadata.find("format_version");
  if (version == file.metadata.end() || version->second != kVersion)
    throw bad(fmt::format("format_version '{}' is not supported (expected {})",
                          version == file.metadata.end() ? "" : version->second, kVersion));
  for (const char* key : {"config", "scaler", "data"})
    if (!file.metadata.count(key)) throw bad(fmt::format("metadata '{}' is missing", key));
  try {
    const ForecasterConfig config = json_config(Json::parse(file.metadata.at("config")));
    Scaler scaler = Scaler::from_json(file.metadata.at("scaler"));
    Rng rng(0);  // the weights are overwritten below
    Forecaster f(config, std::move(scaler), rng);
    f.network().load_state(file);
    f.data() = json_data(Json::parse(file.metadata.at("data")));
    if (file.metadata.count("training")) f.training_json() = file.metadata.at("training");
    return f;
  } catch (const Json::exception& e) {
    throw bad(e.what());
  } catch (const Error& e) {
    throw bad(without_source(e, file.source));
  }
}

Forecaster load_checkpoint(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw Error(path.string() + ": no such model file");
  TensorFile file;
  try {
    file = TensorFile::load(path);
  } catch (const Error& e) {
    throw Error(path.string() + ": not a bnlstm checkpoint: " + without_source(e, path.string()));
  }
  return forecaster_from_tensors(file);
}

}  // namespace bnlstm
