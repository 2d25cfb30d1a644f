"""Reference values for the training parts around the LSTM: Linear, losses, optimizers, clipping.

Writes (all float64, read by tests/nn/{linear,loss}_test.cpp, tests/nn/init_test.cpp and
tests/optim/*_test.cpp):
  optim_linear.safetensors        torch.nn.functional.linear forward and autograd backward
  optim_loss.safetensors          MSE / L1 / Huber values and gradients, with exact ties at
                                  d = 0 and |d| = delta
  optim_orthogonal.safetensors    torch.nn.init.orthogonal_ and the N(0, 1) matrix it started from
  optim_trajectory.safetensors    k steps of torch.optim.SGD / Adam / AdamW / RMSprop on Linear + MSE
  optim_clip.safetensors          clip_grad_value_ and clip_grad_norm_ results
Run through tools/make_golden.py (`/usr/bin/python3 tools/make_golden.py --only optim`).
"""
import os

import torch
import torch.nn.functional as F

from golden_io import save

DT = torch.float64
STEPS = 8


def linear_case(out_dir):
    g = torch.Generator().manual_seed(11)
    n, fin, fout = 5, 4, 3
    x = torch.randn(n, fin, generator=g, dtype=DT, requires_grad=True)
    w = torch.randn(fout, fin, generator=g, dtype=DT, requires_grad=True)
    b = torch.randn(fout, generator=g, dtype=DT, requires_grad=True)
    dy = torch.randn(n, fout, generator=g, dtype=DT)
    y = F.linear(x, w, b)
    y.backward(dy)
    save(os.path.join(out_dir, "optim_linear.safetensors"), {
        "x": x, "weight": w, "bias": b, "dy": dy, "y": y,
        "dx": x.grad, "dweight": w.grad, "dbias": b.grad,
    }, {"source": "tools/golden_optim.py", "torch": torch.__version__})


def loss_case(out_dir):
    g = torch.Generator().manual_seed(12)
    # dyadic targets and differences so that target + d is exact and the ties below are exact
    target = torch.round(torch.randn(4, 5, generator=g, dtype=DT) * 8) / 8
    d = torch.round(torch.randn(4, 5, generator=g, dtype=DT) * 96) / 64
    ties = torch.tensor([0.0, 1.0, -1.0, 0.5, -0.5, 0.0, 2.0, -2.0], dtype=DT)
    d.view(-1)[:ties.numel()] = ties
    pred = target + d
    assert torch.equal(pred - target, d)
    tensors = {"pred": pred, "target": target}
    cases = [("mse", lambda p, t: F.mse_loss(p, t)),
             ("mae", lambda p, t: F.l1_loss(p, t)),
             ("huber", lambda p, t: F.huber_loss(p, t, delta=1.0)),
             ("huber_delta0.5", lambda p, t: F.huber_loss(p, t, delta=0.5)),
             ("huber_delta2", lambda p, t: F.huber_loss(p, t, delta=2.0))]
    for name, fn in cases:
        p = pred.clone().requires_grad_(True)
        value = fn(p, target)
        value.backward()
        tensors[name + ".value"] = value.detach().reshape(1)
        tensors[name + ".grad"] = p.grad
    save(os.path.join(out_dir, "optim_loss.safetensors"), tensors,
         {"source": "tools/golden_optim.py", "torch": torch.__version__})


def orthogonal_case(out_dir):
    tensors = {}
    for rows, cols in [(12, 3), (3, 7), (5, 5)]:
        name = f"{rows}x{cols}"
        # orthogonal_ draws tensor.new(rows, cols).normal_(0, 1): replay it with the same seed
        torch.manual_seed(13)
        gaussian = torch.empty(rows, cols, dtype=DT).normal_(0, 1)
        torch.manual_seed(13)
        q = torch.nn.init.orthogonal_(torch.empty(rows, cols, dtype=DT))
        tensors[name + ".gaussian"] = gaussian
        tensors[name + ".orthogonal"] = q
    save(os.path.join(out_dir, "optim_orthogonal.safetensors"), tensors,
         {"source": "tools/golden_optim.py", "torch": torch.__version__})


# name -> (optimizer factory, clipping before each step or None)
OPTIMIZERS = {
    "sgd": (lambda p: torch.optim.SGD(p, lr=0.1), None),
    "sgd_momentum": (lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9), None),
    "sgd_nesterov": (lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01), None),
    "sgd_dampening": (lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.5, dampening=0.3, weight_decay=0.1), None),
    "adam": (lambda p: torch.optim.Adam(p, lr=0.01), None),
    "adam_wd": (lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1), None),
    "adamw": (lambda p: torch.optim.AdamW(p, lr=0.01), None),
    "adamw_wd": (lambda p: torch.optim.AdamW(p, lr=0.05, betas=(0.85, 0.995), weight_decay=0.3), None),
    "sgd_clip_value": (lambda p: torch.optim.SGD(p, lr=0.1), ("value", 0.5)),
    "adam_clip_norm": (lambda p: torch.optim.Adam(p, lr=0.01), ("norm", 0.5)),
    "rmsprop": (lambda p: torch.optim.RMSprop(p, lr=0.01), None),
    # Cooijmans et al.'s setting on sequential MNIST: lr 1e-3, momentum 0.9, norm clipping
    "rmsprop_momentum": (lambda p: torch.optim.RMSprop(p, lr=1e-3, momentum=0.9), ("norm", 1.0)),
    "rmsprop_centered": (lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1,
                                                       momentum=0.5, centered=True), None),
}


def trajectory_case(out_dir):
    g = torch.Generator().manual_seed(14)
    n, fin, fout = 8, 4, 3
    x = torch.randn(n, fin, generator=g, dtype=DT)
    target = torch.randn(n, fout, generator=g, dtype=DT)
    w0 = torch.randn(fout, fin, generator=g, dtype=DT) * 0.5
    b0 = torch.randn(fout, generator=g, dtype=DT) * 0.5
    tensors = {"x": x, "target": target, "weight0": w0, "bias0": b0}
    meta = {"source": "tools/golden_optim.py", "torch": torch.__version__, "steps": str(STEPS)}
    for name, (make, clip) in OPTIMIZERS.items():
        w = w0.clone().requires_grad_(True)
        b = b0.clone().requires_grad_(True)
        opt = make([w, b])
        ws, bs, losses, norms = [], [], [], []
        for _ in range(STEPS):
            opt.zero_grad()
            loss = F.mse_loss(F.linear(x, w, b), target)
            loss.backward()
            if clip is not None and clip[0] == "value":
                torch.nn.utils.clip_grad_value_([w, b], clip[1])
            if clip is not None and clip[0] == "norm":
                norms.append(torch.nn.utils.clip_grad_norm_([w, b], clip[1]))
            opt.step()
            losses.append(loss.detach())
            ws.append(w.detach().clone())
            bs.append(b.detach().clone())
        tensors[name + ".weight"] = torch.stack(ws)  # (steps, out, in)
        tensors[name + ".bias"] = torch.stack(bs)    # (steps, out)
        tensors[name + ".loss"] = torch.stack(losses)
        if norms:
            tensors[name + ".total_norm"] = torch.stack(norms)
        # the optimizer state after the last step (exp_avg, exp_avg_sq or momentum_buffer)
        for i, p in enumerate([w, b]):
            for key, value in opt.state[p].items():
                if key != "step" and value is not None:
                    tensors[f"{name}.state.{i}.{key}"] = value
    save(os.path.join(out_dir, "optim_trajectory.safetensors"), tensors, meta)


def clip_case(out_dir):
    g = torch.Generator().manual_seed(15)
    grads = [torch.randn(3, 4, generator=g, dtype=DT) * 2, torch.randn(1, 5, generator=g, dtype=DT)]
    tensors = {f"grad{i}": t for i, t in enumerate(grads)}

    def params():
        ps = []
        for t in grads:
            p = torch.zeros_like(t, requires_grad=True)
            p.grad = t.clone()
            ps.append(p)
        return ps

    ps = params()
    torch.nn.utils.clip_grad_value_(ps, 0.7)
    for i, p in enumerate(ps):
        tensors[f"value0.7.grad{i}"] = p.grad
    for max_norm in [1.0, 100.0]:
        ps = params()
        total = torch.nn.utils.clip_grad_norm_(ps, max_norm)
        tensors[f"norm{max_norm:g}.total"] = total.reshape(1)
        for i, p in enumerate(ps):
            tensors[f"norm{max_norm:g}.grad{i}"] = p.grad
    save(os.path.join(out_dir, "optim_clip.safetensors"), tensors,
         {"source": "tools/golden_optim.py", "torch": torch.__version__})


def main(out_dir):
    linear_case(out_dir)
    loss_case(out_dir)
    orthogonal_case(out_dir)
    trajectory_case(out_dir)
    clip_case(out_dir)
