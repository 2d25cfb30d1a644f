#!/usr/bin/python3
"""PyTorch reference of `bnlstm classify` / `bnlstm study` (docs/study.md): the same three models,
data, schedule and validation points, written with torch ops, so that accuracy at the same steps
and time per epoch can be compared with ours in one run.

Same as bnlstm (include/bnlstm/classify/): Fashion-MNIST from Debian's IDX files, pixels / 255;
views rows (28 x 28), pixels (784 x 1), pixels14 (2x2 means, 196 x 1); the permutation and the
order of the training images drawn by the same Fisher-Yates on the same mt19937_64 streams
(seeded as classification_run.cpp does), so both see identical batches; validation = the last
--val-size training images; LSTM (none: torch.nn.LSTM; batch: per-step F.batch_norm on W_x x,
W_h h and c with per-step running statistics, momentum 0.1, the last step's reused beyond the
training length; layer: F.layer_norm at the same places), orthogonal W_ih per gate and head,
identity W_hh per gate, forget bias 1, γ 0.1 (batch) / 1 (layer), noise of std 0.1 on h_0 in
training, Linear head on h_n, nn.CrossEntropyLoss, clip_grad_norm_(1.0),
torch.optim.RMSprop(lr 1e-3, momentum 0.9) (or --optimizer adam / sgd), whole batches of 100.
Different: the random draws of the initial weights and of the h_0 noise (torch's generator).

    /usr/bin/python3 tools/study_torch.py --norm batch --view rows --epochs 1 --eval-every 100 \
        --seed 1 --threads 1 --out torch_batch.json
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

MASK = (1 << 64) - 1


class MT19937_64:
    """std::mt19937_64, for the same permutation and data order as bnlstm."""

    def __init__(self, seed):
        self.mt = [0] * 312
        self.mt[0] = seed & MASK
        for i in range(1, 312):
            prev = self.mt[i - 1]
            self.mt[i] = (6364136223846793005 * (prev ^ (prev >> 62)) + i) & MASK
        self.index = 312

    def _twist(self):
        mt = self.mt
        for i in range(312):
            x = (mt[i] & 0xFFFFFFFF80000000) | (mt[(i + 1) % 312] & 0x7FFFFFFF)
            xa = x >> 1
            if x & 1:
                xa ^= 0xB5026F5AA96619E9
            mt[i] = mt[(i + 156) % 312] ^ xa
        self.index = 0

    def __call__(self):
        if self.index >= 312:
            self._twist()
        y = self.mt[self.index]
        self.index += 1
        y ^= (y >> 29) & 0x5555555555555555
        y ^= (y << 17) & 0x71D67FFFEB6A0000
        y ^= (y << 37) & 0xFFF7EEE000000000
        y ^= y >> 43
        return y & MASK


def shuffle(v, rng):
    """Fisher-Yates as bnlstm's shuffle_indices / make_permutation."""
    for i in range(len(v), 1, -1):
        j = rng() % i
        v[i - 1], v[j] = v[j], v[i - 1]


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        b = f.read()
    rank = b[3]
    dims = [int.from_bytes(b[4 + 4 * d:8 + 4 * d], "big") for d in range(rank)]
    return np.frombuffer(b, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def find(d, name):
    return os.path.join(d, name + ".gz") if os.path.exists(os.path.join(d, name + ".gz")) else os.path.join(d, name)


def sequences(images, view, permutation):
    """(count, 28, 28) uint8 -> (count, L, I) float32 in [0, 1]."""
    x = images.astype(np.float32) / 255.0
    if view == "rows":
        s = x
    elif view == "pixels":
        s = x.reshape(len(x), -1, 1)
    else:  # pixels14: 2x2 means
        n, r, c = x.shape
        s = x.reshape(n, r // 2, 2, c // 2, 2).mean(axis=(2, 4)).reshape(n, -1, 1)
    if permutation is not None:
        s = s[:, permutation, :]
    return np.ascontiguousarray(s)


class Classifier(torch.nn.Module):
    def __init__(self, norm, I, H, K, gamma):
        super().__init__()
        self.norm, self.H = norm, H
        G = 4 * H
        self.W_ih = torch.nn.Parameter(torch.empty(G, I))
        self.W_hh = torch.nn.Parameter(torch.empty(G, H))
        for g in range(4):  # per gate: orthogonal input weights, identity recurrent weights
            torch.nn.init.orthogonal_(self.W_ih.data[g * H:(g + 1) * H])
            self.W_hh.data[g * H:(g + 1) * H] = torch.eye(H)
        self.bias = torch.nn.Parameter(torch.zeros(G))
        self.bias.data[H:2 * H] = 1.0  # forget bias
        if norm == "none":
            self.lstm = torch.nn.LSTM(I, H)
            with torch.no_grad():
                self.lstm.weight_ih_l0.copy_(self.W_ih)
                self.lstm.weight_hh_l0.copy_(self.W_hh)
                self.lstm.bias_ih_l0.copy_(self.bias)
                self.lstm.bias_hh_l0.zero_()
            del self.W_ih, self.W_hh, self.bias
        else:
            self.g_x = torch.nn.Parameter(torch.full((G,), gamma))
            self.g_h = torch.nn.Parameter(torch.full((G,), gamma))
            self.g_c = torch.nn.Parameter(torch.full((H,), gamma))
            self.b_c = torch.nn.Parameter(torch.zeros(H))
            self.stats = {}  # per step: running mean / var of the three batch norms
        self.head = torch.nn.Linear(H, K)
        torch.nn.init.orthogonal_(self.head.weight)
        torch.nn.init.zeros_(self.head.bias)

    def bn(self, z, key, t, weight, bias):
        if self.training:
            if (key, t) not in self.stats:
                self.stats[(key, t)] = (torch.zeros(z.shape[1]), torch.ones(z.shape[1]))
            m, v = self.stats[(key, t)]
            return F.batch_norm(z, m, v, weight, bias, True, 0.1, 1e-5)
        steps = max(s for (k, s) in self.stats if k == key)
        m, v = self.stats[(key, min(t, steps))]
        return F.batch_norm(z, m, v, weight, bias, False, 0.0, 1e-5)

    def forward(self, x, h0):
        """x: (L, N, I) -> logits (N, K)."""
        if self.norm == "none":
            _, (h, _) = self.lstm(x, (h0[None], torch.zeros_like(h0)[None]))
            return self.head(h[0])
        L, H, G = x.shape[0], self.H, 4 * self.H
        wx = x @ self.W_ih.T
        h, c = h0, torch.zeros_like(h0)
        for t in range(L):
            wh = h @ self.W_hh.T
            if self.norm == "batch":
                a = self.bn(wh, "hh", t, self.g_h, None) + self.bn(wx[t], "ih", t, self.g_x, None) + self.bias
            else:
                a = F.layer_norm(wh, (G,), self.g_h, None, 1e-5) + F.layer_norm(wx[t], (G,), self.g_x, None, 1e-5) + self.bias
            i, f, g, o = a.chunk(4, 1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            ch = self.bn(c, "c", t, self.g_c, self.b_c) if self.norm == "batch" else F.layer_norm(c, (H,), self.g_c, self.b_c, 1e-5)
            h = torch.sigmoid(o) * torch.tanh(ch)
        return self.head(h)


def evaluate(model, x, y, H):
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for b in range(0, len(x), 500):
            xb = torch.from_numpy(x[b:b + 500]).transpose(0, 1)
            logits = model(xb, torch.zeros(xb.shape[1], H))
            loss += F.cross_entropy(logits, torch.from_numpy(y[b:b + 500]), reduction="sum").item()
            correct += (logits.argmax(1).numpy() == y[b:b + 500]).sum()
    return loss / len(x), correct / len(x)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--view", default="rows", choices=["rows", "pixels", "pixels14"])
    ap.add_argument("--permute", action="store_true")
    ap.add_argument("--permutation-seed", type=int, default=1)
    ap.add_argument("--norm", default="batch", choices=["none", "batch", "layer"])
    ap.add_argument("--hidden", type=int, default=100)
    ap.add_argument("--optimizer", default="rmsprop", choices=["rmsprop", "adam", "sgd"])
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=100)
    ap.add_argument("--eval-every", type=int, default=0)
    ap.add_argument("--val-size", type=int, default=5000)
    ap.add_argument("--train-limit", type=int, default=0)
    ap.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0 = all)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", help="JSON file for the history")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    images = read_idx(find(a.data_dir, "train-images-idx3-ubyte"))
    labels = read_idx(find(a.data_dir, "train-labels-idx1-ubyte")).astype(np.int64)
    perm = None
    L = {"rows": 28, "pixels": 784, "pixels14": 196}[a.view]
    if a.permute:
        prng = MT19937_64(a.permutation_seed)
        perm = list(range(L))
        shuffle(perm, prng)
    x = sequences(images, a.view, perm)
    n = len(x)
    val = slice(n - a.val_size, n)
    n_train = n - a.val_size if a.train_limit == 0 else min(a.train_limit, n - a.val_size)
    H, K = a.hidden, 10
    model = Classifier(a.norm, x.shape[2], H, K, 0.1 if a.norm == "batch" else 1.0)
    params = list(model.parameters())
    if a.optimizer == "rmsprop":
        opt = torch.optim.RMSprop(params, lr=a.lr, momentum=0.9)
    elif a.optimizer == "adam":
        opt = torch.optim.Adam(params, lr=a.lr)
    else:
        opt = torch.optim.SGD(params, lr=a.lr)
    data_rng = MT19937_64(a.seed ^ 0x9e3779b97f4a7c15)
    order = list(range(n_train))
    B = min(a.batch_size, n_train)
    batches = n_train // B
    eval_every = a.eval_every or batches
    total = batches * a.epochs if a.max_steps == 0 else min(batches * a.epochs, a.max_steps)
    points, step, seconds, loss_sum, correct, seen, since = [], 0, 0.0, 0.0, 0, 0, 0
    for epoch in range(a.epochs):
        shuffle(order, data_rng)
        for b in range(batches):
            if step >= total:
                break
            t0 = time.perf_counter()
            model.train()
            idx = order[b * B:(b + 1) * B]
            xb = torch.from_numpy(x[idx]).transpose(0, 1)
            yb = torch.from_numpy(labels[idx])
            h0 = torch.randn(B, H) * 0.1
            logits = model(xb, h0)
            loss = F.cross_entropy(logits, yb)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            seconds += time.perf_counter() - t0
            step += 1
            since += 1
            loss_sum += loss.item()
            correct += (logits.argmax(1) == yb).sum().item()
            seen += B
            if step % eval_every and step != total:
                continue
            vl, va = evaluate(model, x[val], labels[val], H)
            p = {"step": step, "train_loss": loss_sum / since, "train_accuracy": correct / seen,
                 "val_loss": vl, "val_accuracy": float(va), "train_seconds": seconds}
            points.append(p)
            print(f"step {step:6d} - loss {p['train_loss']:.4f} | val acc {100 * va:5.2f} % | {seconds:.1f} s", flush=True)
            loss_sum, correct, seen, since = 0.0, 0, 0, 0
    result = {"norm": a.norm, "view": a.view, "permuted": a.permute, "seed": a.seed, "threads": a.threads,
              "torch": torch.__version__, "steps_per_epoch": batches,
              "seconds_per_epoch": seconds / (step / batches), "points": points}
    print(f"{a.norm}: {seconds / (step / batches):.2f} s per epoch ({step} steps)")
    if a.out:
        with open(a.out, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
