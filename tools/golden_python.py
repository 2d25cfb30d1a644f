"""torch modules' own state_dicts for the Python package's tests (tests/python/test_state_dict.py).

Called by tools/make_golden.py (`/usr/bin/python3 tools/make_golden.py --only python`).
Writes tests/golden/python_state_dicts.safetensors: for torch.nn.BatchNorm1d, torch.nn.LayerNorm
and torch.nn.LSTM in float32 (what a user has), each module's state_dict() exactly as torch
returns it, under the prefixes "bn.", "ln." and "lstm.", with an input and torch's float32
outputs:
  bn.*      BatchNorm1d(5) with random weight/bias after 3 training batches (running statistics
            and num_batches_tracked = 3); bn_x (8, 5); bn_y_eval, bn_y_train (the training
            forward after the eval one), bn_running_mean_after, bn_running_var_after
  ln.*      LayerNorm(6) with random weight/bias; ln_x (4, 3, 6), ln_y
  lstm.*    LSTM(3, 7) as initialised by torch (seeded); lstm_x (5, 2, 3), lstm_h0, lstm_c0
            (1, 2, 7); lstm_output (5, 2, 7), lstm_h_n, lstm_c_n (1, 2, 7)
"""
import os

import torch

from golden_io import save


def main(out_dir):
    torch.manual_seed(2024)
    t = {}
    bn = torch.nn.BatchNorm1d(5)
    with torch.no_grad():
        bn.weight.copy_(torch.rand(5) + 0.5)
        bn.bias.copy_(torch.randn(5))
        for k in range(3):
            bn(torch.randn(16, 5) * (1 + k) + k)
    t.update({"bn." + k: v.clone() for k, v in bn.state_dict().items()})
    x = torch.randn(8, 5) * 2 + 1
    with torch.no_grad():
        bn.eval()
        t["bn_y_eval"] = bn(x)
        bn.train()
        t["bn_y_train"] = bn(x)
    t["bn_x"] = x
    t["bn_running_mean_after"], t["bn_running_var_after"] = bn.running_mean.clone(), bn.running_var.clone()

    ln = torch.nn.LayerNorm(6)
    with torch.no_grad():
        ln.weight.copy_(torch.rand(6) + 0.5)
        ln.bias.copy_(torch.randn(6))
    t.update({"ln." + k: v.clone() for k, v in ln.state_dict().items()})
    x = torch.randn(4, 3, 6) * 3 - 2
    with torch.no_grad():
        t["ln_y"] = ln(x)
    t["ln_x"] = x

    lstm = torch.nn.LSTM(3, 7)
    t.update({"lstm." + k: v.clone() for k, v in lstm.state_dict().items()})
    x, h0, c0 = torch.randn(5, 2, 3), torch.randn(1, 2, 7), torch.randn(1, 2, 7)
    with torch.no_grad():
        out, (h_n, c_n) = lstm(x, (h0, c0))
    t.update({"lstm_x": x, "lstm_h0": h0, "lstm_c0": c0, "lstm_output": out, "lstm_h_n": h_n,
              "lstm_c_n": c_n})
    save(os.path.join(out_dir, "python_state_dicts.safetensors"), t, {"torch": torch.__version__})
    print("  python_state_dicts.safetensors")
