#include "bnlstm/classify/classifier_checkpoint.hpp"

#include <fmt/core.h>

#include <charconv>

#include "bnlstm/core/error.hpp"

namespace bnlstm {
namespace {

constexpr const char* kFormat = "bnlstm-classifier";

const std::string& meta(const TensorFile& f, const std::string& key) {
  const auto it = f.metadata.find(key);
  if (it == f.metadata.end())
    throw Error(fmt::format("{}: metadata '{}' is missing", f.source, key));
  return it->second;
}

Index meta_int(const TensorFile& f, const std::string& key, Index min, Index max) {
  const std::string& text = meta(f, key);
  Index v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max)
    throw Error(fmt::format("{}: metadata '{}' = '{}', expected an integer in [{}, {}]", f.source,
                            key, text, min, max));
  return v;
}

}  // namespace

void save_classifier(const std::filesystem::path& path, const SequenceClassifier<float>& net,
                     const ClassifierCheckpoint& info) {
  TensorFile f;
  net.save_state(f);
  const ClassifierConfig& c = net.config();
  f.metadata["format"] = kFormat;
  f.metadata["version"] = "1";
  f.metadata["view"] = to_string(info.view);
  f.metadata["norm"] = to_string(c.norm);
  f.metadata["input_size"] = std::to_string(c.input_size);
  f.metadata["hidden_size"] = std::to_string(c.hidden_size);
  f.metadata["classes"] = std::to_string(c.classes);
  f.metadata["training"] = info.training_json;
  if (!info.permutation.empty()) {
    std::vector<int64_t> p(info.permutation.begin(), info.permutation.end());
    f.put<int64_t>("permutation", p.data(), {static_cast<int64_t>(p.size())});
  }
  f.save(path);
}

LoadedClassifier load_classifier(const std::filesystem::path& path) {
  const TensorFile f = TensorFile::load(path);
  if (f.metadata.count("format") == 0 || f.metadata.at("format") != kFormat)
    throw Error(
        fmt::format("{}: not a bnlstm classifier checkpoint (metadata 'format' is not "
                    "'{}')",
                    f.source, kFormat));
  LoadedClassifier out;
  ClassifierConfig& c = out.info.config;
  try {
    out.info.view = parse_sequence_view(meta(f, "view"));
    c.norm = parse_lstm_norm(meta(f, "norm"));
  } catch (const Error& e) {
    throw Error(fmt::format("{}: {}", f.source, e.what()));
  }
  c.input_size = meta_int(f, "input_size", 1, 1 << 20);
  c.hidden_size = meta_int(f, "hidden_size", 1, 1 << 16);
  c.classes = meta_int(f, "classes", 2, 1 << 16);
  out.info.training_json = f.metadata.count("training") ? f.metadata.at("training") : "";
  if (f.contains("permutation")) {
    for (int64_t v : f.get("permutation").values<int64_t>()) {
      if (v < 0 || v > (int64_t{1} << 30))
        throw Error(fmt::format("{}: tensor 'permutation' holds {}", f.source, v));
      out.info.permutation.push_back(static_cast<int32_t>(v));
    }
  }
  Rng rng(0);  // every weight is overwritten by the file's
  out.net = std::make_unique<SequenceClassifier<float>>(c, rng);
  out.net->load_state(f);
  out.net->eval();
  return out;
}

}  // namespace bnlstm
