// Uses bnlstm as a library: a batch-normalized LSTM's output through BatchNorm1d, and a
// parameter round trip through a safetensors file. Prints "consumer ok" when the normalized
// output has zero mean per channel and the reloaded weights are the saved ones.
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "bnlstm/io/safetensors.hpp"
#include "bnlstm/nn/batch_norm.hpp"
#include "bnlstm/nn/lstm.hpp"

int main() {
  bnlstm::Rng rng(7);
  bnlstm::Lstm<float> lstm({.input_size = 2, .hidden_size = 8, .norm = bnlstm::LstmNorm::batch},
                           rng);
  const bnlstm::MatrixF x = bnlstm::MatrixF::Random(3 * 4, 2);  // L = 3 steps, N = 4 sequences
  const auto h = lstm.forward(x, 3);                            // (12, 8)
  bnlstm::BatchNorm1d<float> bn(8);
  bnlstm::MatrixF y;
  bn.forward(h, y);
  const float worst_mean = y.colwise().mean().cwiseAbs().maxCoeff();

  bnlstm::TensorFile file;
  for (const auto* p : lstm.parameters()) file.put_matrix(p->name, p->value);
  const auto path = std::filesystem::temp_directory_path() / "bnlstm_consumer.safetensors";
  file.save(path);
  const bnlstm::TensorFile loaded = bnlstm::TensorFile::load(path);
  std::filesystem::remove(path);
  const bool same = loaded.matrix<float>("lstm.weight_hh_l0") == lstm.weight_hh().value;

  std::printf("max |mean| %.2e, weights %s\n", worst_mean, same ? "equal" : "differ");
  if (!(worst_mean < 1e-5f) || !same) return 1;
  std::printf("consumer ok\n");
  return 0;
}
