#pragma once
// The parts of the extension module bnlstm._core, one function per source file.
#include <pybind11/pybind11.h>

namespace bnlstm::python {

void bind_batch_norm(pybind11::module_& m);  // batch_norm.cpp: BatchNorm1d
void bind_layer_norm(pybind11::module_& m);  // layer_norm.cpp: LayerNorm
void bind_lstm(pybind11::module_& m);        // lstm.cpp: LSTM
void bind_data(pybind11::module_& m);        // data.cpp: _read_csv (bnlstm.datasets)
void bind_forecaster(pybind11::module_& m);  // forecaster.cpp: _train, _Model (bnlstm.Forecaster)

}  // namespace bnlstm::python
