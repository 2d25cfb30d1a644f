"""Golden references for bnlstm::Lstm (include/bnlstm/nn/lstm.hpp), written by tools/make_golden.py.

The three cells are written out explicitly with torch ops in float64 and differentiated by autograd:
  none  : a = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh                         (torch.nn.LSTM)
  batch : a = BN_t(W_hh h_{t-1}; γ_h) + BN_t(W_ih x_t; γ_x) + b, ĉ = BN_t(c_t; γ_c, β_c)
          (F.batch_norm per step with that step's running statistics; Cooijmans et al. 2016)
  layer : a = LN(W_hh h_{t-1}; γ_h) + LN(W_ih x_t; γ_x) + b,     ĉ = LN(c_t; γ_c, β_c)
  i, f, g, o = σ, σ, tanh, σ of a's four blocks; c_t = σ(f) c_{t-1} + σ(i) tanh(g); h_t = σ(o) tanh(ĉ_t)
Loss = Σ p_out ⊙ output + Σ p_h ⊙ h_n + Σ p_c ⊙ c_n with fixed random projections, so that
dL/d(output) = p_out, dL/dh_n = p_h, dL/dc_n = p_c.

Layout as in the C++ library: x (L*N, I) with row t*N + n = step t of sample n; output (L*N, H).
Files: lstm_<norm>_L<L>_N<N>_I<I>_H<H>.safetensors (outputs, loss, every gradient),
lstm_batch_running*.safetensors (running statistics after several training batches, then eval on a
longer sequence), lstm_torch_module.safetensors (a torch.nn.LSTM state_dict and its float32 output),
lstm_trajectory.safetensors (k optimizer steps of LSTM + Linear head on a fixed batch: SGD with
clip_grad_value_ and Adam, parameters and loss after every step).
"""
import os

import torch
import torch.nn.functional as F

import golden_io

EPS = 1e-5
MOMENTUM = 0.1
CASES = [  # norm, L, N, I, H, given initial state
    ("none", 1, 2, 3, 5, False),
    ("none", 7, 2, 3, 13, True),
    ("batch", 1, 2, 3, 5, False),
    ("batch", 7, 2, 3, 13, False),
    ("batch", 7, 3, 2, 5, True),
    ("layer", 1, 2, 3, 5, False),
    ("layer", 7, 2, 3, 13, True),
]


def make_params(norm, I, H, gen):
    G = 4 * H
    p = {
        "weight_ih_l0": torch.randn(G, I, generator=gen, dtype=torch.float64) * 0.5,
        "weight_hh_l0": torch.randn(G, H, generator=gen, dtype=torch.float64) * 0.5,
    }
    if norm == "none":
        p["bias_ih_l0"] = torch.randn(G, generator=gen, dtype=torch.float64) * 0.3
        p["bias_hh_l0"] = torch.randn(G, generator=gen, dtype=torch.float64) * 0.3
    else:
        p["bias_l0"] = torch.randn(G, generator=gen, dtype=torch.float64) * 0.3
        p["norm_ih.weight"] = 0.5 + torch.rand(G, generator=gen, dtype=torch.float64)
        p["norm_hh.weight"] = 0.5 + torch.rand(G, generator=gen, dtype=torch.float64)
        p["norm_c.weight"] = 0.5 + torch.rand(H, generator=gen, dtype=torch.float64)
        p["norm_c.bias"] = torch.randn(H, generator=gen, dtype=torch.float64) * 0.3
    return p


def new_running(L, G, H):
    """Per-step running statistics, torch's initial values; one entry per time step."""
    def one(C):
        return {"mean": [torch.zeros(C, dtype=torch.float64) for _ in range(L)],
                "var": [torch.ones(C, dtype=torch.float64) for _ in range(L)],
                "count": [0] * L}
    return {"ih": one(G), "hh": one(G), "c": one(H)}


def bn_step(x, stats, t, weight, bias, training, momentum):
    """F.batch_norm on one step with that step's own running statistics (t clamped in eval)."""
    if training:
        stats["count"][t] += 1
        m = momentum if momentum is not None else 1.0 / stats["count"][t]
        return F.batch_norm(x, stats["mean"][t], stats["var"][t], weight, bias, True, m, EPS)
    s = min(t, len(stats["mean"]) - 1)  # beyond the training length: the last step's statistics
    return F.batch_norm(x, stats["mean"][s], stats["var"][s], weight, bias, False, 0.0, EPS)


def run_cell(norm, p, x, h0, c0, running=None, training=True, momentum=MOMENTUM):
    """x: (L, N, I). Returns output (L, N, H), h_n, c_n."""
    L, N, _ = x.shape
    H = h0.shape[1]
    G = 4 * H
    h, c = h0, c0
    wx = x @ p["weight_ih_l0"].T  # all steps at once: (L, N, 4H)
    outs = []
    for t in range(L):
        wh = h @ p["weight_hh_l0"].T
        if norm == "none":
            a = wx[t] + p["bias_ih_l0"] + wh + p["bias_hh_l0"]
        elif norm == "batch":
            a = (bn_step(wh, running["hh"], t, p["norm_hh.weight"], None, training, momentum)
                 + bn_step(wx[t], running["ih"], t, p["norm_ih.weight"], None, training, momentum) + p["bias_l0"])
        else:
            a = (F.layer_norm(wh, (G,), p["norm_hh.weight"], None, EPS)
                 + F.layer_norm(wx[t], (G,), p["norm_ih.weight"], None, EPS) + p["bias_l0"])
        i, f, g, o = a.chunk(4, 1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        if norm == "none":
            c_hat = c
        elif norm == "batch":
            c_hat = bn_step(c, running["c"], t, p["norm_c.weight"], p["norm_c.bias"], training, momentum)
        else:
            c_hat = F.layer_norm(c, (H,), p["norm_c.weight"], p["norm_c.bias"], EPS)
        h = torch.sigmoid(o) * torch.tanh(c_hat)
        outs.append(h)
    return torch.stack(outs), h, c


def running_tensors(running):
    out = {}
    for key, stats in running.items():
        out[f"norm_{key}.running_mean"] = torch.stack(stats["mean"])
        out[f"norm_{key}.running_var"] = torch.stack(stats["var"])
        out[f"norm_{key}.num_batches_tracked"] = torch.tensor(stats["count"], dtype=torch.int64)
    return out


def write_case(out_dir, norm, L, N, I, H, given_state, seed):
    gen = torch.Generator().manual_seed(seed)
    p = make_params(norm, I, H, gen)
    x = torch.randn(L, N, I, generator=gen, dtype=torch.float64)
    if given_state:
        h0 = torch.randn(N, H, generator=gen, dtype=torch.float64) * 0.5
        c0 = torch.randn(N, H, generator=gen, dtype=torch.float64) * 0.5
    else:
        h0 = torch.zeros(N, H, dtype=torch.float64)  # at t=0 W_hh h_0 = 0: zero per-channel variance
        c0 = torch.zeros(N, H, dtype=torch.float64)
    p_out = torch.randn(L, N, H, generator=gen, dtype=torch.float64)
    p_h = torch.randn(N, H, generator=gen, dtype=torch.float64)
    p_c = torch.randn(N, H, generator=gen, dtype=torch.float64)
    leaves = [x, h0, c0] + list(p.values())
    for v in leaves:
        v.requires_grad_(True)
    running = new_running(L, 4 * H, H) if norm == "batch" else None
    out, h_n, c_n = run_cell(norm, p, x, h0, c0, running)
    loss = (p_out * out).sum() + (p_h * h_n).sum() + (p_c * c_n).sum()
    loss.backward()
    if norm == "none":  # the explicit cell is torch.nn.LSTM
        ref = torch.nn.LSTM(I, H).double()
        with torch.no_grad():
            for k, v in p.items():
                getattr(ref, k).copy_(v)
            ref_out, (ref_h, ref_c) = ref(x, (h0[None], c0[None]))
        assert torch.allclose(ref_out, out, rtol=0, atol=1e-14) and torch.allclose(ref_c[0], c_n, rtol=0, atol=1e-14)
    t = {"x": x.reshape(L * N, I), "h0": h0, "c0": c0, "p_out": p_out.reshape(L * N, H), "p_h": p_h, "p_c": p_c,
         "output": out.reshape(L * N, H), "h_n": h_n, "c_n": c_n, "loss": loss.reshape(()),
         "grad.x": x.grad.reshape(L * N, I), "grad.h0": h0.grad, "grad.c0": c0.grad}
    for k, v in p.items():
        t[k] = v
        t["grad." + k] = v.grad
    if running is not None:
        t.update(running_tensors(running))
    name = f"lstm_{norm}_L{L}_N{N}_I{I}_H{H}.safetensors"
    golden_io.save(os.path.join(out_dir, name), t,
                   {"norm": norm, "L": L, "N": N, "I": I, "H": H, "given_state": int(given_state), "eps": EPS,
                    "momentum": MOMENTUM})
    print(f"  {name}: loss {loss.item():.6f}")


def write_running(out_dir, name, momentum, seed):
    """Several training forwards of different lengths and batches, then eval on a longer sequence."""
    gen = torch.Generator().manual_seed(seed)
    N, I, H = 4, 2, 5
    train_lengths = [3, 4, 2]
    eval_length = 7
    p = make_params("batch", I, H, gen)
    running = new_running(max(train_lengths), 4 * H, H)
    t = {}
    with torch.no_grad():
        for k, (L) in enumerate(train_lengths):
            x = torch.randn(L, N, I, generator=gen, dtype=torch.float64) * (1 + k)
            h0 = torch.zeros(N, H, dtype=torch.float64)
            out, _, _ = run_cell("batch", p, x, h0, h0, running, training=True, momentum=momentum)
            t[f"train{k}.x"] = x.reshape(L * N, I)
            t[f"train{k}.output"] = out.reshape(L * N, H)
        x = torch.randn(eval_length, 3, I, generator=gen, dtype=torch.float64)
        h0 = torch.zeros(3, H, dtype=torch.float64)
        out, h_n, c_n = run_cell("batch", p, x, h0, h0, running, training=False)
    t.update(p)
    t.update(running_tensors(running))
    t.update({"eval.x": x.reshape(eval_length * 3, I), "eval.output": out.reshape(eval_length * 3, H),
              "eval.h_n": h_n, "eval.c_n": c_n})
    golden_io.save(os.path.join(out_dir, name), t,
                   {"N": N, "I": I, "H": H, "train_lengths": ",".join(map(str, train_lengths)),
                    "eval_length": eval_length, "momentum": "none" if momentum is None else momentum, "eps": EPS})
    print(f"  {name}")


def write_torch_module(out_dir, seed):
    """A torch.nn.LSTM's own state_dict (float32) with its float32 and float64 outputs."""
    torch.manual_seed(seed)
    L, N, I, H = 7, 2, 3, 13
    lstm = torch.nn.LSTM(I, H)
    x = torch.randn(L, N, I)
    h0 = torch.randn(1, N, H)
    c0 = torch.randn(1, N, H)
    with torch.no_grad():
        out, (h_n, c_n) = lstm(x, (h0, c0))
        lstm64 = torch.nn.LSTM(I, H).double()
        lstm64.load_state_dict({k: v.double() for k, v in lstm.state_dict().items()})
        out64, (h64, c64) = lstm64(x.double(), (h0.double(), c0.double()))
    t = {k: v for k, v in lstm.state_dict().items()}
    t.update({"x": x.reshape(L * N, I), "h0": h0[0], "c0": c0[0], "output": out.reshape(L * N, H),
              "h_n": h_n[0], "c_n": c_n[0], "output64": out64.reshape(L * N, H), "h_n64": h64[0], "c_n64": c64[0]})
    golden_io.save(os.path.join(out_dir, "lstm_torch_module.safetensors"), t,
                   {"L": L, "N": N, "I": I, "H": H, "torch": torch.__version__})
    print("  lstm_torch_module.safetensors")


TRAJ_STEPS = 5
TRAJ_CLIP = 1.0  # the notebook's clip_value


def write_trajectory(out_dir, seed):
    """LSTM (zero initial state) + Linear(H, 1) on h_n, MSE against a fixed target, k steps of
    (a) SGD lr 0.1 after clip_grad_value_(1.0), (b) Adam lr 0.01, from the same initial parameters.
    Keys: <norm>.init.<param>, <norm>.x (L*N, I), <norm>.target (N, 1),
    <norm>.<opt>.step<s>.<param> (after step s), <norm>.<opt>.loss (k) = loss computed in step s
    (before its update), for batch <norm>.<opt>.norm_*.running_* after the k steps."""
    L, N, I, H = 3, 4, 2, 5
    t = {}
    for k, norm in enumerate(("none", "batch", "layer")):
        gen = torch.Generator().manual_seed(seed + k)
        p0 = make_params(norm, I, H, gen)
        p0["head.weight"] = torch.randn(1, H, generator=gen, dtype=torch.float64) * 0.5
        p0["head.bias"] = torch.randn(1, generator=gen, dtype=torch.float64) * 0.3
        x = torch.randn(L, N, I, generator=gen, dtype=torch.float64)
        target = torch.randn(N, 1, generator=gen, dtype=torch.float64) * 3  # large errors: clipping acts
        t[f"{norm}.x"] = x.reshape(L * N, I)
        t[f"{norm}.target"] = target
        for name, v in p0.items():
            t[f"{norm}.init.{name}"] = v
        for opt_name in ("sgd", "adam"):
            p = {name: v.clone().requires_grad_(True) for name, v in p0.items()}
            params = list(p.values())
            if opt_name == "sgd":
                opt = torch.optim.SGD(params, lr=0.1)
            else:
                opt = torch.optim.Adam(params, lr=0.01)
            running = new_running(L, 4 * H, H) if norm == "batch" else None
            zero = torch.zeros(N, H, dtype=torch.float64)
            losses, clipped = [], 0
            for s in range(TRAJ_STEPS):
                opt.zero_grad()
                _, h_n, _ = run_cell(norm, p, x, zero, zero, running)
                y = h_n @ p["head.weight"].T + p["head.bias"]
                loss = F.mse_loss(y, target)
                loss.backward()
                if opt_name == "sgd":
                    clipped += sum(int((q.grad.abs() > TRAJ_CLIP).sum()) for q in params)
                    torch.nn.utils.clip_grad_value_(params, TRAJ_CLIP)
                opt.step()
                losses.append(loss.item())
                for name, v in p.items():
                    t[f"{norm}.{opt_name}.step{s}.{name}"] = v.detach().clone()
            t[f"{norm}.{opt_name}.loss"] = torch.tensor(losses, dtype=torch.float64)
            if running is not None:
                t.update({f"{norm}.{opt_name}.{key}": v for key, v in running_tensors(running).items()})
            print(f"  trajectory {norm} {opt_name}: loss {losses[0]:.6f} -> {losses[-1]:.6f}"
                  + (f", {clipped} gradient elements clipped" if opt_name == "sgd" else ""))
    golden_io.save(os.path.join(out_dir, "lstm_trajectory.safetensors"), t,
                   {"L": L, "N": N, "I": I, "H": H, "steps": TRAJ_STEPS, "clip_value": TRAJ_CLIP,
                    "sgd_lr": 0.1, "adam_lr": 0.01, "eps": EPS, "momentum": MOMENTUM})
    print("  lstm_trajectory.safetensors")


def main(out_dir):
    for k, (norm, L, N, I, H, given) in enumerate(CASES):
        write_case(out_dir, norm, L, N, I, H, given, seed=100 + k)
    write_running(out_dir, "lstm_batch_running.safetensors", MOMENTUM, seed=7)
    write_running(out_dir, "lstm_batch_running_cma.safetensors", None, seed=8)
    write_torch_module(out_dir, seed=9)
    write_trajectory(out_dir, seed=200)


if __name__ == "__main__":
    import sys
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "golden"))
