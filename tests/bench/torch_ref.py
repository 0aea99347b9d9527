#!/usr/bin/python3
# A copy of the project's reference benchmark (shared/bench/ref/torch_ref.py), kept beside
# train_compare.sh so that the comparison runs from a clone alone. Keep it identical.
"""PyTorch CPU reference timings for the lecture MLPs (ae, vae, gan, ddpm) on MNIST.

Run with Debian's interpreter (python3-torch 1.13.1, CPU, BLAS = OpenBLAS):
    /usr/bin/python3 torch_ref.py [--images PATH] [--epochs 3] [--models ae,vae,gan,ddpm] [--sample]

Per model: 1 warm-up epoch (excluded), then --epochs timed epochs over the
whole data set (in-memory float32 tensor, reshuffled each epoch with a seeded
generator, last partial batch kept unless --drop-last).  Prints one line:
    <model> epoch_s=<mean timed epoch> samples_per_s=<N/epoch_s> final_loss=<mean loss of last epoch> ...
final_loss is the per-batch loss averaged over the last timed epoch:
  ae: MSE (mean over elements); vae: (BCE_sum + KL) / sample; gan: D and G BCE;
  ddpm: MSE on noise.

Model specs (Linear = y = x W^T + b, PyTorch default init):
  ae  : 784-256 ReLU-20 ReLU | 20-256 ReLU-784 Sigmoid; MSE; Adam 1e-3; batch 128
  vae : 784-256 ReLU -> mu(256-20), logvar(256-20); z = mu + exp(.5 logvar)*eps;
        20-256 ReLU-784 Sigmoid; BCE(sum) + 0.5*sum(exp(logvar)+mu^2-1-logvar); Adam 1e-3; batch 128
  gan : G 64-256 LeakyReLU(.2)-784 Sigmoid; D 784-256 LeakyReLU(.2)-1 (logit);
        BCEWithLogits; Adam 2e-4 betas (.5,.999); batch 64.  Per batch: fake = G(z) once;
        D step on D(real)->1 + D(fake.detach())->0; G step on D(fake)->1 (non-saturating),
        fake reused (PyTorch DCGAN-example style).
  ddpm: T=1000, beta = linspace(1e-4, .02); x0 scaled to [-1,1]; t ~ U{0..T-1};
        input = [x_t (784), sinusoidal temb(t) (64: 32 sin | 32 cos, freq 10000^(-i/32))];
        848-512 ReLU-512 ReLU-784; MSE on eps; Adam 1e-3; batch 128.
  --sample: DDPM ancestral sampling of 64 images over 1000 steps (sigma_t^2 = beta_t),
        with the trained ddpm if it was trained in this run, else a fresh init.
"""
import argparse
import gzip
import math
import os
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def load_idx_images(path):
    op = gzip.open if path.endswith(".gz") else open
    with op(path, "rb") as f:
        raw = f.read()
    magic, n, r, c = struct.unpack(">IIII", raw[:16])
    if magic != 0x00000803:
        raise SystemExit("%s: bad idx3 magic 0x%08x" % (path, magic))
    x = torch.frombuffer(bytearray(raw[16:16 + n * r * c]), dtype=torch.uint8)
    return x.view(n, r * c).to(torch.float32).div_(255.0).contiguous()


# ---------------------------------------------------------------- models
class AE(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 20), nn.ReLU())
        self.dec = nn.Sequential(nn.Linear(20, 256), nn.ReLU(), nn.Linear(256, 784), nn.Sigmoid())

    def forward(self, x):
        return self.dec(self.enc(x))


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.mu = nn.Linear(256, 20)
        self.logvar = nn.Linear(256, 20)
        self.fc3 = nn.Linear(20, 256)
        self.fc4 = nn.Linear(256, 784)

    def forward(self, x):
        h = F.relu(self.fc1(x))
        mu, logvar = self.mu(h), self.logvar(h)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z)))), mu, logvar


def temb(t, dim=64):
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    a = t.to(torch.float32)[:, None] * freqs[None, :]
    return torch.cat([torch.sin(a), torch.cos(a)], dim=1)


class EpsNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(848, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                                 nn.Linear(512, 784))

    def forward(self, x, t):
        return self.net(torch.cat([x, temb(t)], dim=1))


# ---------------------------------------------------------------- training
def batches(n, bs, gen, drop_last):
    perm = torch.randperm(n, generator=gen)
    stop = n - (n % bs) if drop_last else n
    for i in range(0, stop, bs):
        yield perm[i:i + bs]


def make_trainer(name, X, seed):
    """returns (step_fn(idx) -> loss float(s), batch_size, extra state)"""
    torch.manual_seed(seed)
    if name == "ae":
        m = AE()
        opt = torch.optim.Adam(m.parameters(), lr=1e-3)

        def step(idx):
            x = X[idx]
            loss = F.mse_loss(m(x), x)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            return loss.detach()
        return step, 128, m

    if name == "vae":
        m = VAE()
        opt = torch.optim.Adam(m.parameters(), lr=1e-3)

        def step(idx):
            x = X[idx]
            r, mu, logvar = m(x)
            bce = F.binary_cross_entropy(r, x, reduction="sum")
            kl = 0.5 * torch.sum(logvar.exp() + mu.pow(2) - 1.0 - logvar)
            loss = bce + kl
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            return loss.detach() / x.shape[0]
        return step, 128, m

    if name == "gan":
        G = nn.Sequential(nn.Linear(64, 256), nn.LeakyReLU(0.2), nn.Linear(256, 784), nn.Sigmoid())
        D = nn.Sequential(nn.Linear(784, 256), nn.LeakyReLU(0.2), nn.Linear(256, 1))
        optG = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
        optD = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
        bce = nn.BCEWithLogitsLoss()

        def step(idx):
            x = X[idx]
            b = x.shape[0]
            ones = torch.ones(b, 1)
            zeros = torch.zeros(b, 1)
            fake = G(torch.randn(b, 64))
            # D step
            lossD = bce(D(x), ones) + bce(D(fake.detach()), zeros)
            optD.zero_grad(set_to_none=True)
            lossD.backward()
            optD.step()
            # G step (non-saturating), fake reused
            lossG = bce(D(fake), ones)
            optG.zero_grad(set_to_none=True)
            lossG.backward()
            optG.step()
            return torch.stack([lossD.detach(), lossG.detach()])
        return step, 64, (G, D)

    if name == "ddpm":
        T = 1000
        betas = torch.linspace(1e-4, 0.02, T)
        abar = torch.cumprod(1.0 - betas, dim=0)
        sab, s1ab = abar.sqrt(), (1.0 - abar).sqrt()
        m = EpsNet()
        opt = torch.optim.Adam(m.parameters(), lr=1e-3)

        def step(idx):
            x0 = X[idx] * 2.0 - 1.0
            b = x0.shape[0]
            t = torch.randint(0, T, (b,))
            eps = torch.randn_like(x0)
            xt = sab[t, None] * x0 + s1ab[t, None] * eps
            loss = F.mse_loss(m(xt, t), eps)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            return loss.detach()
        return step, 128, m

    raise SystemExit("unknown model " + name)


def fmt_loss(v):
    if v.numel() == 1:
        return "%.6f" % v.item()
    return "D=%.5f,G=%.5f" % (v[0].item(), v[1].item())


@torch.no_grad()
def ddpm_sample(m, n=64, T=1000, seed=0):
    g = torch.Generator().manual_seed(seed)
    betas = torch.linspace(1e-4, 0.02, T)
    alphas = 1.0 - betas
    abar = torch.cumprod(alphas, dim=0)
    x = torch.randn(n, 784, generator=g)
    for ti in range(T - 1, -1, -1):
        t = torch.full((n,), ti, dtype=torch.long)
        eps = m(x, t)
        x = (x - (betas[ti] / (1.0 - abar[ti]).sqrt()) * eps) / alphas[ti].sqrt()
        if ti > 0:
            x = x + betas[ti].sqrt() * torch.randn(n, 784, generator=g)
    return x


def write_pgm_grid(x, path, cols=8):
    """x: n x 784 in [-1,1] -> 8-col grid PGM (sanity check only)"""
    n = x.shape[0]
    rows = (n + cols - 1) // cols
    img = ((x.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).view(n, 28, 28)
    grid = torch.zeros(rows * 28, cols * 28, dtype=torch.uint8)
    for i in range(n):
        r, c = divmod(i, cols)
        grid[r * 28:(r + 1) * 28, c * 28:(c + 1) * 28] = img[i]
    with open(path, "wb") as f:
        f.write(b"P5 %d %d 255\n" % (cols * 28, rows * 28))
        f.write(bytes(grid.flatten().tolist()))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", default="mnist/t10k-images-idx3-ubyte.gz")
    ap.add_argument("--models", default="ae,vae,gan,ddpm")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, default=0, help="use only the first N images")
    ap.add_argument("--drop-last", action="store_true")
    ap.add_argument("--sample", action="store_true", help="time DDPM sampling 64 x 1000 steps")
    ap.add_argument("--sample-only", action="store_true", help="skip training")
    ap.add_argument("--save-samples", default="", help="write sample grid PGM here")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    X = load_idx_images(a.images)
    if a.limit:
        X = X[:a.limit].contiguous()
    N = X.shape[0]
    print("# torch %s threads=%d interop=%d N=%d images=%s OPENBLAS_CORETYPE=%s OPENBLAS_L2_SIZE=%s "
          "OPENBLAS_NUM_THREADS=%s OMP_NUM_THREADS=%s"
          % (torch.__version__, torch.get_num_threads(), torch.get_num_interop_threads(), N, a.images,
             os.environ.get("OPENBLAS_CORETYPE", "(unset)"), os.environ.get("OPENBLAS_L2_SIZE", "(unset)"),
             os.environ.get("OPENBLAS_NUM_THREADS", "(unset)"), os.environ.get("OMP_NUM_THREADS", "(unset)")),
          flush=True)

    trained = {}
    models = [] if a.sample_only else [s for s in a.models.split(",") if s]
    for name in models:
        step, bs, state = make_trainer(name, X, a.seed)
        gen = torch.Generator().manual_seed(a.seed + 1)
        times = []
        last = None
        for ep in range(a.warmup + a.epochs):
            acc = None
            nb = 0
            t0 = time.perf_counter()
            for idx in batches(N, bs, gen, a.drop_last):
                l = step(idx)
                acc = l if acc is None else acc + l
                nb += 1
            dt = time.perf_counter() - t0
            last = acc / nb
            if ep >= a.warmup:
                times.append(dt)
        ns = (N - N % bs) if a.drop_last else N
        es = sum(times) / len(times)
        print("%s epoch_s=%.4f samples_per_s=%.1f final_loss=%s  epochs=[%s] min_epoch_s=%.4f batch=%d"
              % (name, es, ns / es, fmt_loss(last), ",".join("%.4f" % t for t in times), min(times), bs),
              flush=True)
        trained[name] = state

    if a.sample or a.sample_only:
        if "ddpm" in trained:
            m, src = trained["ddpm"], "trained"
        else:
            torch.manual_seed(a.seed)
            m, src = EpsNet(), "fresh-init"
        m.eval()
        ddpm_sample(m, n=64, T=20, seed=a.seed)  # warm-up
        t0 = time.perf_counter()
        x = ddpm_sample(m, n=64, T=1000, seed=a.seed)
        dt = time.perf_counter() - t0
        print("ddpm_sample n=64 steps=1000 total_s=%.4f ms_per_step=%.3f images_per_s=%.2f model=%s "
              "x_mean=%.4f x_std=%.4f" % (dt, dt * 1e3 / 1000, 64 / dt, src, x.mean().item(), x.std().item()), flush=True)
        if a.save_samples:
            write_pgm_grid(x, a.save_samples)


if __name__ == "__main__":
    main()
