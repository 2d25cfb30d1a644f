"""bnlstm from Python: batch normalization and batch-normalized LSTMs over numpy arrays.

The layers follow PyTorch's names, defaults, layouts and state_dict keys:

    BatchNorm1d(num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                dtype="float32")
    LayerNorm(normalized_shape, eps=1e-5, elementwise_affine=True, dtype="float32")
    LSTM(input_size, hidden_size, norm="none" | "batch" | "layer", ...)

Each has forward(x) (also layer(x)), backward(dy), train(), eval(), zero_grad(), state_dict()
and load_state_dict(). There is no autograd: backward() differentiates the last forward.

Arrays in must be numpy arrays of the layer's dtype, C-contiguous and finite; anything else
raises TypeError or bnlstm.Error (a ValueError) with a one-line message, never a crash.
Arrays out are new arrays, except parameters and their gradients, which are live views.

The forecasting workflow of the command-line tool, with its options and checkpoints:

    f = Forecaster(look_back=20, epochs=30)   # `bnlstm train --help`'s options, snake_case
    history = f.fit("prices.csv")             # or a numpy array / pandas DataFrame
    f.evaluate(); f.predict(); f.save("model.safetensors"); load("model.safetensors")

The C++ library and the command-line tool `bnlstm` share this code; see the README.
"""
from . import datasets
from .forecasting import Forecast, Forecaster, History, load
from ._core import LSTM, BatchNorm1d, Error, LayerNorm, __version__, get_num_threads, set_num_threads

__all__ = ["BatchNorm1d", "LayerNorm", "LSTM", "Error", "datasets", "set_num_threads", "get_num_threads",
           "Forecaster", "History", "Forecast", "load"]
