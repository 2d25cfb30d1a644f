#pragma once
// state_dict() / load_state_dict() support: a Python dict of numpy arrays, with torch's names,
// to and from the TensorFile that the library's load_state / save_state read and write.
#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "bnlstm/io/safetensors.hpp"

namespace bnlstm::python {

// The arrays of `state` (a dict: name -> numpy array of float32, float64 or int64, any layout;
// their values are copied) as a TensorFile whose source is `what`, for messages such as
// "LayerNorm.load_state_dict: missing tensor 'bias'". TypeError for a non-dict, a non-string
// key, a non-array value or another dtype; bnlstm.Error for a non-finite value. With `strict`,
// bnlstm.Error for keys not in `expected` (torch's strict=True); otherwise they are ignored.
TensorFile tensors_from_dict(const pybind11::handle& state, const std::string& what,
                             const std::vector<std::string>& expected, bool strict);

// {name: array} in the file's order of `names`, every value a copy; float tensors as
// numpy float32/float64, int64 as int64, 1-D shapes kept 1-D and scalars 0-D.
pybind11::dict dict_from_tensors(const TensorFile& file, const std::vector<std::string>& names);

}  // namespace bnlstm::python
