#!/usr/bin/python3
"""PyTorch reference of `bnlstm classify` / `bnlstm study` (docs/study.md): the same three models,
data, schedule and validation points, written with torch ops, so that accuracy at the same steps
and time per epoch can be compared with ours.

Same as bnlstm (include/bnlstm/classify/): Fashion-MNIST from Debian's IDX files, pixels / 255;
views rows (28 x 28), pixels (784 x 1), pixels14 (2x2 means, 196 x 1); the permutation and the
order of the training images drawn by the same Fisher-Yates on the same std::mt19937_64 streams
(seeded as classification_run.hpp says), so both see identical batches; validation = the last
--val-size training images; LSTM (none: torch.nn.LSTM; batch: per-step F.batch_norm on W_x x,
W_h h and c with per-step running statistics, momentum 0.1, the last step's reused beyond the
training length; layer: F.layer_norm at the same places), orthogonal W_ih per gate and head,
identity W_hh per gate, forget bias 1, γ 0.1 (batch) / 1 (layer), noise of std 0.1 on h_0 in
training, Linear head on h_n, nn.CrossEntropyLoss, clip_grad_norm_(1.0),
torch.optim.RMSprop(lr 1e-3, momentum 0.9) (or --optimizer adam / sgd), whole batches of 100.

With --init FILE (bnlstm's initial.safetensors, from `bnlstm classify --save-initial`) the
model starts from bnlstm's exact initial weights and the h_0 noise is bnlstm's own draws
(libstdc++'s std::normal_distribution on the seed's noise stream, reimplemented below and
checked bit for bit), so the two runs differ only by floating-point rounding. Without it the
initial weights and the noise come from torch's generator.

--threads sets torch's threads and OpenBLAS's (Debian's torch does its matrix products in
OpenBLAS, whose own thread pool torch.set_num_threads does not limit): same thread count.

    bnlstm classify --norm batch --epochs 1 --eval-every 50 --seed 1 --save-initial --out out/c
    /usr/bin/python3 tools/study_torch.py --norm batch --view rows --epochs 1 --eval-every 50 \
        --seed 1 --threads 1 --init out/c/initial.safetensors --out torch_batch.json

bench/classify_vs_torch.py runs both and compares them.
"""
import argparse
import gzip
import json
import os
import sys
import time


def _threads_from_argv(argv):
    for i, a in enumerate(argv):
        if a == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--threads="):
            return a.split("=", 1)[1]
    return None


# OpenBLAS's thread pool is sized when the library loads: set it before torch is imported
if __name__ == "__main__" and _threads_from_argv(sys.argv):
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = _threads_from_argv(sys.argv)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

MASK = (1 << 64) - 1
U64 = np.uint64


class MT19937_64:
    """std::mt19937_64 (checked against libstdc++'s output); the twist on whole numpy arrays."""

    N, M = 312, 156

    def __init__(self, seed):
        mt = [seed & MASK]
        for i in range(1, self.N):
            prev = mt[-1]
            mt.append((6364136223846793005 * (prev ^ (prev >> 62)) + i) & MASK)
        self.mt = np.array(mt, dtype=np.uint64)
        self.out = np.empty(0, dtype=np.uint64)
        self.pos = 0

    @staticmethod
    def _mix(a, b):
        x = (a & U64(0xFFFFFFFF80000000)) | (b & U64(0x7FFFFFFF))
        return (x >> U64(1)) ^ np.where((x & U64(1)) != 0, U64(0xB5026F5AA96619E9), U64(0))

    def _twist(self):
        """The next 312 tempered outputs. Within one twist, entries [0, 156) read only old
        entries, entries [156, 311) read new ones from the first part, the last reads both."""
        n, m, old = self.N, self.M, self.mt
        new = np.empty_like(old)
        new[:n - m] = old[m:] ^ self._mix(old[:n - m], old[1:n - m + 1])
        new[n - m:n - 1] = new[:m - 1] ^ self._mix(old[n - m:n - 1], old[n - m + 1:])
        new[n - 1] = new[m - 1] ^ self._mix(old[n - 1:], new[:1])[0]
        self.mt = new
        y = new.copy()
        y ^= (y >> U64(29)) & U64(0x5555555555555555)
        y ^= (y << U64(17)) & U64(0x71D67FFFEDA60000)
        y ^= (y << U64(37)) & U64(0xFFF7EEE000000000)
        y ^= y >> U64(43)
        return y

    def peek(self, count):
        """The next `count` outputs (uint64 array), not consumed."""
        while len(self.out) - self.pos < count:
            self.out = np.concatenate([self.out[self.pos:], self._twist()])
            self.pos = 0
        return self.out[self.pos:self.pos + count]

    def skip(self, count):
        self.pos += count

    def __call__(self):
        v = int(self.peek(1)[0])
        self.pos += 1
        return v


def std_normals(gen, count):
    """`count` draws of a fresh libstdc++ std::normal_distribution<double>(0, 1) on gen, as
    bnlstm's init_weight(InitScheme::random) makes them: Marsaglia's polar method on pairs of
    generate_canonical draws (one 64-bit output / 2^64), the second value of a pair returned
    first; an odd count leaves the last pair's cached value unused."""
    out = []
    pairs = (count + 1) // 2
    while pairs > 0:
        k = int(pairs / 0.78) + 16
        u = gen.peek(2 * k).astype(np.float64) / 18446744073709551616.0
        u = np.minimum(u, np.nextafter(1.0, 0.0))
        x = 2.0 * u[0::2] - 1.0
        y = 2.0 * u[1::2] - 1.0
        r2 = x * x + y * y
        idx = np.nonzero((r2 <= 1.0) & (r2 != 0.0))[0][:pairs]
        gen.skip(2 * (int(idx[-1]) + 1 if len(idx) == pairs else k))
        mult = np.sqrt(-2.0 * np.log(r2[idx]) / r2[idx])
        out.append(np.stack([y[idx] * mult, x[idx] * mult], axis=1).reshape(-1))
        pairs -= len(idx)
    return np.concatenate(out)[:count]


def read_safetensors(path):
    """name -> numpy array of a safetensors file (F32, F64, I64, I32)."""
    with open(path, "rb") as f:
        b = f.read()
    n = int.from_bytes(b[:8], "little")
    header = json.loads(b[8:8 + n])
    types = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32}
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        lo, hi = t["data_offsets"]
        out[name] = np.frombuffer(b[8 + n + lo:8 + n + hi], dtype=types[t["dtype"]]).reshape(t["shape"])
    return out


def check_generator():
    """The C++ standard fixes the 10000th output of a default-constructed mt19937_64."""
    g = MT19937_64(5489)
    g.peek(10000)
    assert int(g.peek(10000)[-1]) == 9981545732273789042, "MT19937_64 differs from std::mt19937_64"


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
    """(count, 28, 28) uint8 -> (count, L, I) float32 in [0, 1], rounded as bnlstm rounds:
    float(pixel * (1 / 255)) and float(sum of the 2x2 block * ((1 / 255) / 4)) in double."""
    scale = 1.0 / 255.0
    if view == "rows":
        s = (images.astype(np.float64) * scale).astype(np.float32)
    elif view == "pixels":
        s = (images.astype(np.float64) * scale).astype(np.float32).reshape(len(images), -1, 1)
    else:  # pixels14: 2x2 means
        n, r, c = images.shape
        sums = images.astype(np.int64).reshape(n, r // 2, 2, c // 2, 2).sum(axis=(2, 4))
        s = (sums.astype(np.float64) * (scale / 4)).astype(np.float32).reshape(n, -1, 1)
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

    def load_bnlstm(self, tensors):
        """bnlstm's classifier checkpoint tensors (lstm.*, head.*) -> this model's parameters."""
        def put(param, name):
            v = torch.from_numpy(np.array(tensors[name], dtype=np.float32)).reshape(param.shape)
            with torch.no_grad():
                param.copy_(v)
        if self.norm == "none":
            for n in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
                put(getattr(self.lstm, n), "lstm." + n)
        else:
            put(self.W_ih, "lstm.weight_ih_l0")
            put(self.W_hh, "lstm.weight_hh_l0")
            put(self.bias, "lstm.bias_l0")
            put(self.g_x, "lstm.norm_ih.weight")
            put(self.g_h, "lstm.norm_hh.weight")
            put(self.g_c, "lstm.norm_c.weight")
            put(self.b_c, "lstm.norm_c.bias")
        put(self.head.weight, "head.weight")
        put(self.head.bias, "head.bias")

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


def parse_args(argv=None):
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
    ap.add_argument("--init", help="bnlstm's initial.safetensors (classify --save-initial): its "
                    "weights, and bnlstm's h_0 noise")
    ap.add_argument("--out", help="JSON file for the history")
    return ap.parse_args(argv)


def run(a, log=print):
    """One training run as `bnlstm classify` does it; returns the history as a dict."""
    check_generator()
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
    init = read_safetensors(a.init) if a.init else None
    if init is not None:
        # the same generator: the permutation bnlstm stored must be the one drawn here
        stored = init["permutation"].reshape(-1).tolist() if "permutation" in init else None
        if stored != perm:
            raise SystemExit(f"{a.init}: its permutation differs from --permute/--permutation-seed's")
    x = sequences(images, a.view, perm)
    n = len(x)
    val = slice(n - a.val_size, n)
    n_train = n - a.val_size if a.train_limit == 0 else min(a.train_limit, n - a.val_size)
    H, K = a.hidden, 10
    model = Classifier(a.norm, x.shape[2], H, K, 0.1 if a.norm == "batch" else 1.0)
    if init is not None:
        model.load_bnlstm(init)
    params = list(model.parameters())
    if a.optimizer == "rmsprop":
        opt = torch.optim.RMSprop(params, lr=a.lr, momentum=0.9)
    elif a.optimizer == "adam":
        opt = torch.optim.Adam(params, lr=a.lr)
    else:
        opt = torch.optim.SGD(params, lr=a.lr)
    # the seed's streams (include/bnlstm/classify/classification_run.hpp)
    data_rng = MT19937_64(a.seed ^ 0x9e3779b97f4a7c15)
    noise_rng = MT19937_64(a.seed ^ 0xd1b54a32d192ed03)
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
            if init is not None:  # bnlstm's draws: float(N(0, 1)) * 0.1f
                z = std_normals(noise_rng, B * H).astype(np.float32).reshape(B, H)
                h0 = torch.from_numpy(z * np.float32(0.1))
            else:
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
            log(f"step {step:6d} - loss {p['train_loss']:.4f} | val acc {100 * va:5.2f} % | {seconds:.1f} s")
            loss_sum, correct, seen, since = 0.0, 0, 0, 0
    result = {"norm": a.norm, "view": a.view, "permuted": a.permute, "seed": a.seed, "threads": a.threads,
              "torch": torch.__version__, "init": a.init, "steps_per_epoch": batches, "steps": step,
              "seconds_per_epoch": seconds / (step / batches), "points": points}
    log(f"{a.norm}: {seconds / (step / batches):.2f} s per epoch ({step} steps)")
    return result


def main():
    a = parse_args()
    result = run(a, log=lambda line: print(line, flush=True))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
