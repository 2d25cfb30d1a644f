"""Golden references for sequence classification (include/bnlstm/classify/, nn/cross_entropy.hpp).

Written by tools/make_golden.py (`/usr/bin/python3 tools/make_golden.py --only classify`):
  classify_cross_entropy.safetensors  F.cross_entropy (torch.nn.CrossEntropyLoss, mean) value and
                                      gradient, including rows of huge logits (log-sum-exp) and ties
  classify_<norm>_<state>.safetensors the classifier: the explicit LSTM cells of golden_lstm.py
                                      (none = torch.nn.LSTM, batch = per-step F.batch_norm, layer =
                                      F.layer_norm), Linear head on h_n, nn.CrossEntropyLoss; logits,
                                      loss and the gradient of every parameter and of x, in float64.
                                      state: zero (h_0 = 0) or noise (a given h_0, as training with
                                      --h0-noise draws it).
"""
import os

import torch
import torch.nn.functional as F

import golden_io
from golden_lstm import make_params, new_running, run_cell, running_tensors

DT = torch.float64


def cross_entropy_case(out_dir):
    g = torch.Generator().manual_seed(31)
    logits = torch.randn(6, 5, generator=g, dtype=DT) * 3
    logits[1] = torch.tensor([1000.0, -1000.0, 999.0, 0.0, 1000.0], dtype=DT)  # overflow without LSE
    logits[2] = torch.tensor([-800.0, -801.0, -799.5, -900.0, -805.0], dtype=DT)  # underflow
    logits[3] = 0.25  # all equal: uniform probabilities, argmax the first
    labels = torch.tensor([0, 2, 4, 3, 1, 1])
    z = logits.clone().requires_grad_(True)
    loss = torch.nn.CrossEntropyLoss()(z, labels)
    loss.backward()
    golden_io.save(os.path.join(out_dir, "classify_cross_entropy.safetensors"),
                   {"logits": logits, "labels": labels.to(torch.int64), "loss": loss.detach().reshape(1),
                    "grad": z.grad, "probs": torch.softmax(logits, 1)},
                   {"source": "tools/golden_classify.py", "torch": torch.__version__})
    print(f"  classify_cross_entropy.safetensors: loss {loss.item():.6f}")


CASES = [  # norm, L, N, I, H, K, noisy h_0
    ("none", 5, 4, 3, 6, 4, False),
    ("none", 5, 4, 3, 6, 4, True),
    ("batch", 5, 4, 3, 6, 4, False),
    ("batch", 5, 4, 3, 6, 4, True),
    ("layer", 5, 4, 3, 6, 4, False),
    ("layer", 5, 4, 3, 6, 4, True),
]


def classifier_case(out_dir, norm, L, N, I, H, K, noisy, seed):
    gen = torch.Generator().manual_seed(seed)
    p = make_params(norm, I, H, gen)
    p["head.weight"] = torch.randn(K, H, generator=gen, dtype=DT) * 0.5
    p["head.bias"] = torch.randn(K, generator=gen, dtype=DT) * 0.3
    x = torch.rand(L, N, I, generator=gen, dtype=DT)  # pixels in [0, 1]
    h0 = torch.randn(N, H, generator=gen, dtype=DT) * 0.1 if noisy else torch.zeros(N, H, dtype=DT)
    c0 = torch.zeros(N, H, dtype=DT)
    labels = torch.randint(0, K, (N,), generator=gen)
    leaves = [x] + list(p.values())
    for v in leaves:
        v.requires_grad_(True)
    running = new_running(L, 4 * H, H) if norm == "batch" else None
    _, h_n, _ = run_cell(norm, p, x, h0, c0, running)
    logits = h_n @ p["head.weight"].T + p["head.bias"]
    loss = torch.nn.CrossEntropyLoss()(logits, labels)
    loss.backward()
    t = {"x": x.reshape(L * N, I), "h0": h0, "labels": labels.to(torch.int64), "logits": logits,
         "loss": loss.reshape(1), "grad.x": x.grad.reshape(L * N, I)}
    for k, v in p.items():
        t[k] = v
        t["grad." + k] = v.grad
    if running is not None:
        t.update(running_tensors(running))
    name = f"classify_{norm}_{'noise' if noisy else 'zero'}.safetensors"
    golden_io.save(os.path.join(out_dir, name), t,
                   {"norm": norm, "L": L, "N": N, "I": I, "H": H, "K": K, "noisy": int(noisy),
                    "source": "tools/golden_classify.py", "torch": torch.__version__})
    print(f"  {name}: loss {loss.item():.6f}")


def main(out_dir):
    cross_entropy_case(out_dir)
    for k, case in enumerate(CASES):
        classifier_case(out_dir, *case, seed=300 + k)


if __name__ == "__main__":
    import sys
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "golden"))
