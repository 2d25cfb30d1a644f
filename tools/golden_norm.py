"""Golden files for BatchNorm1d and LayerNorm, from torch.nn.BatchNorm1d / torch.nn.LayerNorm.

Called by tools/make_golden.py (`/usr/bin/python3 tools/make_golden.py --only norm`).
Writes tests/golden/norm_bn_<case>.safetensors and norm_ln_<case>.safetensors, read by
tests/nn/batch_norm_test.cpp and tests/nn/layer_norm_test.cpp.

BatchNorm1d file (x is (N, C) or (N, C, L); read in C++ as a row-major (N, C*L) matrix):
  weight0, bias0                  parameters before the first step (affine only)
  for each training step i:
    x{i}, dy{i}                   input and a random upstream gradient
    y{i}, dx{i}                   module output and autograd's input gradient
    dweight{i}, dbias{i}          parameter gradients after step i (affine only; zeroed before
                                  every step unless metadata accumulate == "1")
    mean{i}, var{i}, rstd{i}      batch statistics (biased variance), computed in float64
    running_mean{i}, running_var{i}, num_batches_tracked{i}   after step i (tracking only)
  then module.eval() and one more step, with suffix "_eval" (grads zeroed first).
LayerNorm file: weight0, bias0 (affine only), x, dy, y, dx, dweight, dbias, mean, rstd.
Metadata holds every option, so the C++ side builds the same layer.

Float ("f32") cases: inputs and parameters are float32 values, but the torch module runs in
float64 and the results are rounded to float32, so the file holds the exact answer for those
float inputs. torch's own float32 kernels are not that accurate: its BatchNorm1d backward sums
dy * (x - mean) in float, and on the 1024x3 offset case its float32 dweight is 3e-5 (relative)
away from the exact value, more than the 1e-5 the C++ tests demand.
"""
import os

import torch

from golden_io import save

DTYPES = {"f32": torch.float32, "f64": torch.float64}


def sample(shape, dtype, gen, offset=0.0):
    """Channel-wise shifted and scaled normal values, so every channel has its own statistics."""
    x = torch.randn(shape, generator=gen, dtype=torch.float64)
    if len(shape) >= 2:
        c = shape[1]
        view = [1, c] + [1] * (len(shape) - 2)
        scale = 0.5 + 1.5 * torch.rand(c, generator=gen, dtype=torch.float64)
        shift = offset + 2.0 * torch.rand(c, generator=gen, dtype=torch.float64) - 1.0
        x = x * scale.view(view) + shift.view(view)
    return x.to(dtype)


def batch_stats(x, eps):
    dims = [0] + list(range(2, x.dim()))
    xd = x.double()
    mean = xd.mean(dim=dims)
    var = xd.var(dim=dims, unbiased=False)
    return mean, var, 1.0 / torch.sqrt(var + eps)


def bn_case(out_dir, name, shape, dtype="f64", steps=1, eps=1e-5, momentum=0.1, affine=True,
            track=True, accumulate=False, init="random", offset=0.0, seed=0):
    gen = torch.Generator().manual_seed(seed)
    dt = DTYPES[dtype]
    c = shape[1]
    bn = torch.nn.BatchNorm1d(c, eps=eps, momentum=momentum, affine=affine,
                              track_running_stats=track).double()
    t = {}
    if affine:
        if init == "random":
            with torch.no_grad():
                bn.weight.copy_(sample((c,), dt, gen) + 1.0)
                bn.bias.copy_(sample((c,), dt, gen))
        t["weight0"], t["bias0"] = bn.weight.detach().to(dt, copy=True), bn.bias.detach().to(dt, copy=True)

    def step(suffix):
        x = sample(shape, dt, gen, offset).double().requires_grad_(True)
        dy = sample(shape, dt, gen).double()
        if affine and not (accumulate and bn.training):
            bn.weight.grad = None
            bn.bias.grad = None
        y = bn(x)
        y.backward(dy)
        t["x" + suffix], t["dy" + suffix] = x.detach().to(dt), dy.to(dt)
        t["y" + suffix], t["dx" + suffix] = y.detach().to(dt), x.grad.to(dt)
        if affine:
            t["dweight" + suffix] = bn.weight.grad.to(dt, copy=True)
            t["dbias" + suffix] = bn.bias.grad.to(dt, copy=True)
        mean, var, rstd = batch_stats(x.detach(), eps)
        t["mean" + suffix], t["var" + suffix], t["rstd" + suffix] = mean.to(dt), var.to(dt), rstd.to(dt)
        if track:
            t["running_mean" + suffix] = bn.running_mean.to(dt, copy=True)
            t["running_var" + suffix] = bn.running_var.to(dt, copy=True)
            t["num_batches_tracked" + suffix] = bn.num_batches_tracked.clone()

    for i in range(steps):
        step(str(i))
    bn.eval()
    step("_eval")
    meta = {"N": shape[0], "C": c, "L": shape[2] if len(shape) == 3 else 1, "dtype": dtype,
            "steps": steps, "eps": repr(eps), "momentum": "none" if momentum is None else repr(momentum),
            "affine": int(affine), "track_running_stats": int(track), "accumulate": int(accumulate),
            "init": init}
    save(os.path.join(out_dir, f"norm_bn_{name}.safetensors"), t, meta)


def ln_case(out_dir, name, shape, dtype="f64", eps=1e-5, affine=True, offset=0.0, seed=0):
    gen = torch.Generator().manual_seed(seed)
    dt = DTYPES[dtype]
    d = shape[-1]
    ln = torch.nn.LayerNorm(d, eps=eps, elementwise_affine=affine).double()
    t = {}
    if affine:
        with torch.no_grad():
            ln.weight.copy_(sample((d,), dt, gen) + 1.0)
            ln.bias.copy_(sample((d,), dt, gen))
        t["weight0"], t["bias0"] = ln.weight.detach().to(dt), ln.bias.detach().to(dt)
    x = (sample(shape, dt, gen) + offset).to(dt).double().requires_grad_(True)
    dy = sample(shape, dt, gen).double()
    y = ln(x)
    y.backward(dy)
    xd = x.detach()
    var = xd.var(dim=-1, unbiased=False)
    t.update(x=xd.to(dt), dy=dy.to(dt), y=y.detach().to(dt), dx=x.grad.to(dt),
             mean=xd.mean(dim=-1).reshape(-1).to(dt), rstd=(1.0 / torch.sqrt(var + eps)).reshape(-1).to(dt))
    if affine:
        t["dweight"], t["dbias"] = ln.weight.grad.to(dt), ln.bias.grad.to(dt)
    meta = {"M": x.numel() // d, "D": d, "dtype": dtype, "eps": repr(eps), "affine": int(affine)}
    save(os.path.join(out_dir, f"norm_ln_{name}.safetensors"), t, meta)


def state_dict_case(out_dir, seed=50):
    """torch's own state_dict of a trained BatchNorm1d(4, momentum=None) under the prefix "bn.",
    with an input and the eval and training outputs of the trained layer, for load_state."""
    gen = torch.Generator().manual_seed(seed)
    bn = torch.nn.BatchNorm1d(4, momentum=None).double()
    with torch.no_grad():
        bn.weight.copy_(sample((4,), torch.float64, gen) + 1.0)
        bn.bias.copy_(sample((4,), torch.float64, gen))
    for _ in range(3):
        bn(sample((6, 4), torch.float64, gen))
    t = {"bn." + k: v.clone() for k, v in bn.state_dict().items()}
    x = sample((6, 4), torch.float64, gen)
    with torch.no_grad():
        bn.eval()
        t["y_eval"] = bn(x)
        bn.train()
        t["y_train"] = bn(x)
    t["x"] = x
    t["running_mean_after"], t["running_var_after"] = bn.running_mean, bn.running_var
    save(os.path.join(out_dir, "norm_bn_state_dict.safetensors"), t, {"prefix": "bn."})


def main(out_dir):
    state_dict_case(out_dir)
    # BatchNorm1d: (N, C) and (N, C, L), C = 1, N = 2, odd sizes, more channels than one tile (300).
    bn_case(out_dir, "2x1_f64", (2, 1), steps=2, seed=1)
    bn_case(out_dir, "2x3_f64", (2, 3), seed=2)
    bn_case(out_dir, "2x3_f32", (2, 3), dtype="f32", seed=3)
    bn_case(out_dir, "7x5_f64_eps_momentum", (7, 5), steps=3, eps=1e-3, momentum=0.3, seed=4)
    bn_case(out_dir, "7x5_f32", (7, 5), dtype="f32", steps=2, seed=5)
    bn_case(out_dir, "7x5_f64_default_init", (7, 5), steps=2, init="default", seed=6)
    bn_case(out_dir, "7x5_f64_no_affine", (7, 5), steps=2, affine=False, seed=7)
    bn_case(out_dir, "7x5_f64_no_tracking", (7, 5), steps=2, track=False, seed=8)
    bn_case(out_dir, "3x4x5_f64_cma", (3, 4, 5), steps=4, momentum=None, seed=9)
    bn_case(out_dir, "3x4x5_f32_cma", (3, 4, 5), dtype="f32", steps=3, momentum=None, seed=10)
    bn_case(out_dir, "3x4x5_f32_no_tracking_no_affine", (3, 4, 5), dtype="f32", steps=2, affine=False,
            track=False, seed=11)
    bn_case(out_dir, "1x3x2_f64", (1, 3, 2), steps=2, seed=12)
    bn_case(out_dir, "16x33x7_f32", (16, 33, 7), dtype="f32", steps=2, seed=13)
    bn_case(out_dir, "6x11x7_f64_cma_accumulate", (6, 11, 7), steps=3, momentum=None, accumulate=True,
            seed=14)
    bn_case(out_dir, "3x300_f64_eps_momentum", (3, 300), steps=2, eps=1e-2, momentum=0.5, seed=15)
    bn_case(out_dir, "5x300_f32", (5, 300), dtype="f32", steps=2, seed=16)
    bn_case(out_dir, "2x300x3_f32", (2, 300, 3), dtype="f32", steps=1, seed=17)
    bn_case(out_dir, "40x9_f32_accumulate", (40, 9), dtype="f32", steps=3, accumulate=True, seed=18)
    # Large N with |mean| >> std in float: a naive E[x^2] - E[x]^2 in float would fail here.
    bn_case(out_dir, "1024x3_f32_offset", (1024, 3), dtype="f32", steps=1, offset=10.0, seed=19)
    # LayerNorm over the last dimension.
    ln_case(out_dir, "1x2_f64", (1, 2), seed=31)
    ln_case(out_dir, "2x3_f64", (2, 3), seed=32)
    ln_case(out_dir, "7x5_f32", (7, 5), dtype="f32", seed=33)
    ln_case(out_dir, "3x4x5_f64", (3, 4, 5), seed=34)
    ln_case(out_dir, "16x33_f32", (16, 33), dtype="f32", seed=35)
    ln_case(out_dir, "5x64_f64_eps", (5, 64), eps=1e-3, seed=36)
    ln_case(out_dir, "7x5_f64_no_affine", (7, 5), affine=False, seed=37)
    ln_case(out_dir, "3x4x5_f32_no_affine", (3, 4, 5), dtype="f32", affine=False, seed=38)
    ln_case(out_dir, "33x260_f32", (33, 260), dtype="f32", seed=39)
    ln_case(out_dir, "33x8_f64_offset", (33, 8), offset=100.0, seed=40)
    ln_case(out_dir, "9x17_f32_offset", (9, 17), dtype="f32", offset=10.0, seed=41)
