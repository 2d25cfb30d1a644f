#pragma once
// Saving and loading a layer's parameters by name, with shape checks.
//
//   TensorFile file;
//   save_parameters(file, lstm.parameters());        // "lstm.weight_ih_l0", "lstm.bias_l0", ...
//   file.save("lstm.safetensors");
//   load_parameters(TensorFile::load("lstm.safetensors"), other.parameters());   // all or nothing
//
// Each parameter is the tensor prefix + Parameter::name, stored with the value's shape
// (rows, cols). Loading expects that shape, or (cols) for a one-row parameter (torch stores
// biases and norm weights as 1-D), checks every tensor before changing any parameter, and
// throws bnlstm::Error naming the file, the tensor and both shapes otherwise (or the position of
// a NaN/inf value). Lstm and Linear have member versions (save_parameters / load_parameters);
// BatchNorm1d and LayerNorm save their weights with their running state (save_state).
#include <string>

#include "bnlstm/nn/parameter.hpp"

namespace bnlstm {

class TensorFile;

template <typename T>
void save_parameters(TensorFile& file, const ParameterList<T>& params,
                     const std::string& prefix = "");

template <typename T>
void load_parameters(const TensorFile& file, const ParameterList<T>& params,
                     const std::string& prefix = "");

}  // namespace bnlstm
