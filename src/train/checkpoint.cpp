#include "bnlstm/train/checkpoint.hpp"

#include <fmt/core.h>

#include <new>
#include <nlohmann/json.hpp>

#include "bnlstm/core/error.hpp"
#include "bnlstm/core/printable.hpp"
#include "bnlstm/data/date_format.hpp"
#include "bnlstm/data/frequency.hpp"

namespace bnlstm {

namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kFormat = "bnlstm-forecaster";
constexpr const char* kVersion = "1";

Json range_json(Range r) {
  return Json::array({r.begin, r.end});
}

// A whole number in [min, max]: nlohmann would turn 8.7 into 8 and 1e30 into anything.
Index json_whole(const Json& j, const std::string& what, Index min, Index max) {
  if (j.is_number_integer() || j.is_number_unsigned()) {
    if (j.is_number_unsigned() && j.get<uint64_t>() > static_cast<uint64_t>(max))
      throw Error(
          fmt::format("{}: expected a whole number in [{}, {}], got {}", what, min, max, j.dump()));
    const Index v = j.get<Index>();
    if (v >= min && v <= max) return v;
  }
  throw Error(
      fmt::format("{}: expected a whole number in [{}, {}], got {}", what, min, max, j.dump()));
}

// j[key] as json_whole
Index json_field(const Json& j, const char* key, Index min, Index max) {
  return json_whole(j.at(key), key, min, max);
}

// The largest look-back, horizon and hidden size a checkpoint may claim (the CLI's flag ranges):
// with them the sizes below cannot overflow, and the tensors' own shapes bound the rest.
constexpr Index kMaxSize = 100'000;
constexpr Index kMaxRows = Index{1} << 40;

Range json_range(const Json& j, Index rows) {
  if (!j.is_array() || j.size() != 2) throw Error("a range is not [begin, end]");
  const Range r{json_whole(j[0], "range begin", 0, rows), json_whole(j[1], "range end", 0, rows)};
  if (r.begin > r.end)
    throw Error(fmt::format("range [{}, {}) ends before it begins", r.begin, r.end));
  return r;
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
  const Index C = static_cast<Index>(c.columns.size());
  if (C < 1 || C > kMaxSize) throw Error(fmt::format("config: {} columns", C));
  const Json& inputs = j.at("input_columns");
  if (!inputs.is_array() || inputs.size() > static_cast<size_t>(C))
    throw Error("config: input_columns is not a list of column indices");
  for (const Json& i : inputs)
    c.windows.input_columns.push_back(json_whole(i, "input_columns", 0, C - 1));
  c.windows.target_column = json_field(j, "target_column", 0, C - 1);
  c.windows.lookback = json_field(j, "lookback", 1, kMaxSize);
  c.windows.horizon = json_field(j, "horizon", 1, kMaxSize);
  c.windows.target = parse_target(j.at("target").get<std::string>());
  // absent in checkpoints written before --input existed: those fed levels
  c.windows.input = parse_input_kind(j.value("input", std::string("level")));
  c.network.input_size = json_field(j, "input_size", 1, 2 * kMaxSize);
  c.network.hidden_size = json_field(j, "hidden_size", 1, kMaxSize);
  c.network.horizon = c.windows.horizon;
  c.network.norm = parse_lstm_norm(j.at("norm").get<std::string>());
  c.network.init = parse_init_scheme(j.at("init").get<std::string>());
  const Index features = input_features(c.windows, C);
  if (c.network.input_size != features)
    throw Error(
        fmt::format("config: input_size {} does not match the {} input features of its "
                    "columns",
                    c.network.input_size, features));
  return c;
}

// The tensors the network's shape follows from, checked against the config before the network
// is built: the file then bounds what building allocates (hidden_size 12000 in a 5 KB file used
// to allocate 5 GB before failing).
void check_shapes(const TensorFile& file, const ForecasterConfig& c) {
  const int64_t H = c.network.hidden_size, I = c.network.input_size, K = c.network.horizon;
  const std::pair<const char*, std::vector<int64_t>> expected[] = {
      {"lstm.weight_ih_l0", {4 * H, I}},
      {"lstm.weight_hh_l0", {4 * H, H}},
      {"head.weight", {K, H}}};
  for (const auto& [name, shape] : expected) {
    const StoredTensor& t = file.get(name);
    if (t.shape != shape) {
      std::string got;
      for (int64_t d : t.shape) got += (got.empty() ? "" : ", ") + std::to_string(d);
      throw Error(
          fmt::format("tensor '{}' has shape ({}), the config (hidden_size {}, input_size "
                      "{}, horizon {}) needs ({}, {})",
                      name, got, H, I, K, shape[0], shape[1]));
    }
  }
}

std::string date_or_empty(const std::optional<Date>& d) {
  return d ? format_date(*d) : std::string();
}

Json data_json(const DataProvenance& d) {
  Json j;
  j["source"] = d.source;
  j["source_absolute"] = d.source_absolute;
  j["date_column"] = d.date_column;
  j["date_format"] = d.date_format;
  j["series_column"] = d.series_column;
  j["series"] = d.series;
  j["frequency"] = d.frequency;
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
  return parse_date(s, std::string("data.") + key);
}

Date json_required_date(const Json& j, const char* key) {
  if (auto d = json_date(j, key)) return *d;
  throw Error(std::string("data.") + key + ": expected a date YYYY-MM-DD, got ''");
}

double json_fraction(const Json& j, const char* key, double min, double max) {
  const Json& v = j.at(key);
  if (v.is_number()) {
    const double x = v.get<double>();
    if (x >= min && x <= max) return x;
  }
  throw Error(
      fmt::format("data.{}: expected a number in [{}, {}], got {}", key, min, max, v.dump()));
}

DataProvenance json_data(const Json& j) {
  DataProvenance d;
  d.source = j.at("source").get<std::string>();
  d.source_absolute = j.value("source_absolute", std::string());
  d.date_column = j.at("date_column").get<std::string>();
  // absent in checkpoints written before long-format files, date formats and frequencies
  d.date_format = j.value("date_format", std::string());
  d.series_column = j.value("series_column", std::string());
  d.series = j.value("series", std::string());
  d.frequency = j.value("frequency", std::string());
  if (!d.frequency.empty() && !parse_frequency(d.frequency))
    throw Error("data.frequency: expected business, day, week, month, quarter or year, got '" +
                printable(d.frequency) + "'");
  if (!d.date_format.empty()) DateFormat::from_spec(d.date_format, "data.date_format");
  d.start = json_date(j, "start");
  d.end = json_date(j, "end");
  d.first = json_required_date(j, "first");
  d.last = json_required_date(j, "last");
  if (d.first > d.last)
    throw Error("data: first date " + format_date(d.first) + " is after the last " +
                format_date(d.last));
  d.rows = json_field(j, "rows", 1, kMaxRows);
  d.fractions.train = json_fraction(j, "train_fraction", 0, 1);
  d.fractions.validation = json_fraction(j, "validation_fraction", 0, 1);
  if (!(d.fractions.train > 0) || d.fractions.train + d.fractions.validation > 1 + 1e-12)
    throw Error(
        fmt::format("data: train_fraction {} and validation_fraction {} do not split the rows",
                    d.fractions.train, d.fractions.validation));
  const Json& s = j.at("split");
  d.split.train_rows = json_range(s.at("train_rows"), d.rows);
  d.split.validation_rows = json_range(s.at("validation_rows"), d.rows);
  d.split.test_rows = json_range(s.at("test_rows"), d.rows);
  d.split.train_windows = json_range(s.at("train_windows"), d.rows);
  d.split.validation_windows = json_range(s.at("validation_windows"), d.rows);
  d.split.test_windows = json_range(s.at("test_windows"), d.rows);
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
    if (scaler.cols() != static_cast<Index>(config.columns.size()))
      throw Error(fmt::format("the scaler has {} columns, the config {}", scaler.cols(),
                              config.columns.size()));
    check_shapes(file, config);
    Rng rng(0);  // the weights are overwritten below
    Forecaster f(config, std::move(scaler), rng);
    f.network().load_state(file);
    f.data() = json_data(Json::parse(file.metadata.at("data")));
    if (file.metadata.count("training")) f.training_json() = file.metadata.at("training");
    return f;
  } catch (const Json::exception& e) {
    throw bad(e.what());
  } catch (const std::bad_alloc&) {
    throw bad("its sizes do not fit in memory");
  } catch (const Error& e) {
    throw bad(without_source(e, file.source));
  }
}

Forecaster load_checkpoint(const std::filesystem::path& path) {
  return forecaster_from_tensors(read_checkpoint_file(path));
}

TensorFile read_checkpoint_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw Error(path.string() + ": is a folder, expected a .safetensors file (such as " +
                (path / "model.safetensors").string() + ")");
  if (!std::filesystem::is_regular_file(path, ec))
    throw Error(path.string() + ": no such model file");
  TensorFile file;
  try {
    file = TensorFile::load(path);
  } catch (const Error& e) {
    throw Error(path.string() + ": not a bnlstm checkpoint: " + without_source(e, path.string()));
  }
  return file;
}

}  // namespace bnlstm
