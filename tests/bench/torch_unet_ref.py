#!/usr/bin/python3
"""PyTorch twin of core/nn/unet.c: the same 3-level conv U-Net noise predictor (channels
16/32/64, 184,785 parameters), timed for one DDPM training step at batch 128 on random
data (forward, MSE on eps, backward, Adam 1e-3).

Run with Debian's interpreter (python3-torch), normally through unet_compare.sh which
sets OMP_WAIT_POLICY=PASSIVE:
    /usr/bin/python3 torch_unet_ref.py [--batch 128] [--steps 10] [--warmup 3] [--threads 2]
Prints:  torch_unet params=184785 batch=128 ms_per_step=<median> steps=[...]

Cross-check of the C U-Net against this one (same weights, same batch):
    build/tests/bench/unet_step --dump /tmp/unet.bin
    /usr/bin/python3 torch_unet_ref.py --check /tmp/unet.bin
loads our weights into this network in named_parameters order, runs the dumped batch and
compares eps and the gradients of mean(eps^2) with ours; exits 1 beyond tolerance.

The network (the PyTorch quality reference's conv U-Net at channels 16/32/64, which makes
recognisable digits):
    te = SiLU(Linear(128,128)(SiLU(Linear(64,128)(temb(t, 64)))))
    h0 = conv3x3(1->16)(x)                         16 x 28 x 28
    s1 = res(16->16)(h0)                           16 x 28 x 28
    s2 = res(16->32)(conv3x3 stride 2(s1))         32 x 14 x 14
    m  = res(32->64)(conv3x3 stride 2(s2))         64 x  7 x  7
    u  = res(96->32)(cat(up2(m), s2))              32 x 14 x 14
    u  = res(48->16)(cat(up2(u), s1))              16 x 28 x 28
    eps = conv3x3(16->1)(SiLU(GN(u)))
  res(ci->co)(x, te) = c2(SiLU(GN(c1(SiLU(GN(x))) + Linear(128,co)(te)))) + skip(x),
  skip = conv1x1 when ci != co; GroupNorm with 4 groups (channels 16), eps 1e-5.
"""
import argparse
import math
import os
import statistics
import struct
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def temb(t, dim):
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    a = t.to(torch.float32)[:, None] * freqs[None, :]
    return torch.cat([torch.sin(a), torch.cos(a)], dim=1)


class Res(nn.Module):
    def __init__(self, cin, cout, tdim, groups):
        super().__init__()
        self.n1 = nn.GroupNorm(groups, cin)
        self.c1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.t = nn.Linear(tdim, cout)
        self.n2 = nn.GroupNorm(groups, cout)
        self.c2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, te):
        h = self.c1(F.silu(self.n1(x))) + self.t(te)[:, :, None, None]
        h = self.c2(F.silu(self.n2(h)))
        return h + self.skip(x)


class UNet(nn.Module):
    def __init__(self, c=(16, 32, 64), tdim=128, sdim=64):
        super().__init__()
        c1, c2, c3 = c
        g = 8 if c1 >= 32 else 4
        self.sdim = sdim
        self.temb = nn.Sequential(nn.Linear(sdim, tdim), nn.SiLU(), nn.Linear(tdim, tdim), nn.SiLU())
        self.inc = nn.Conv2d(1, c1, 3, padding=1)
        self.d1 = Res(c1, c1, tdim, g)
        self.down1 = nn.Conv2d(c1, c1, 3, stride=2, padding=1)
        self.d2 = Res(c1, c2, tdim, g)
        self.down2 = nn.Conv2d(c2, c2, 3, stride=2, padding=1)
        self.mid = Res(c2, c3, tdim, g)
        self.u2 = Res(c3 + c2, c2, tdim, g)
        self.u1 = Res(c2 + c1, c1, tdim, g)
        self.out = nn.Sequential(nn.GroupNorm(g, c1), nn.SiLU(), nn.Conv2d(c1, 1, 3, padding=1))

    def forward(self, x, t):
        te = self.temb(temb(t, self.sdim))
        h0 = self.inc(x)
        s1 = self.d1(h0, te)
        s2 = self.d2(self.down1(s1), te)
        m = self.mid(self.down2(s2), te)
        u = self.u2(torch.cat([F.interpolate(m, scale_factor=2, mode="nearest"), s2], 1), te)
        u = self.u1(torch.cat([F.interpolate(u, scale_factor=2, mode="nearest"), s1], 1), te)
        return self.out(u)


def check(path):
    """compare with the C U-Net's dump (see the module doc); returns the exit code"""
    raw = open(path, "rb").read()
    off = 0

    def take_i32():
        nonlocal off
        v = struct.unpack_from("<i", raw, off)[0]
        off += 4
        return v

    def take_f32(n):
        nonlocal off
        v = torch.frombuffer(bytearray(raw[off:off + 4 * n]), dtype=torch.float32).clone()
        off += 4 * n
        return v

    m = UNet()
    params = list(m.named_parameters())
    count = take_i32()
    if count != len(params):
        print("check: %d blocks in the dump, %d here" % (count, len(params)))
        return 1
    with torch.no_grad():
        for name, p in params:
            n = take_i32()
            if n != p.numel():
                print("check: %s has %d values in the dump, %d here" % (name, n, p.numel()))
                return 1
            p.copy_(take_f32(n).view_as(p))
    B = 4
    x = take_f32(B * 784).view(B, 1, 28, 28)
    t = take_f32(B).round().long()
    y_c = take_f32(B * 784).view(B, 1, 28, 28)
    y = m(x, t)
    loss = (y * y).mean()
    loss.backward()
    ok = True
    dy = (y.detach() - y_c).abs().max().item() / max(1e-12, y_c.abs().max().item())
    print("check: eps max |diff| / max |eps| = %.2e" % dy)
    ok &= dy < 1e-4
    worst, where = 0.0, ""
    for name, p in params:
        g_c = take_f32(p.numel()).view_as(p)
        rel = (p.grad - g_c).abs().max().item() / max(1e-12, p.grad.abs().max().item())
        if rel > worst:
            worst, where = rel, name
    print("check: gradients, worst max |diff| / max |grad| = %.2e (%s); loss=%.6f"
          % (worst, where, loss.item()))
    ok &= worst < 1e-3
    print("check: %s" % ("same network, same numbers" if ok else "MISMATCH"))
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--check", default="", help="compare with unet_step --dump FILE")
    a = ap.parse_args()
    if a.check:
        raise SystemExit(check(a.check))
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    m = UNet()
    nparams = sum(p.numel() for p in m.parameters())
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    x = torch.randn(a.batch, 1, 28, 28)
    t = torch.randint(0, 1000, (a.batch,))
    eps = torch.randn(a.batch, 1, 28, 28)
    times, cpu = [], []
    loss = None
    for i in range(a.warmup + a.steps):
        t0, c0 = time.perf_counter(), time.process_time()
        loss = F.mse_loss(m(x, t), eps)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        if i >= a.warmup:
            times.append(dt * 1e3)
            cpu.append(dc * 1e3)
    print("torch_unet params=%d batch=%d ms_per_step=%.1f loss=%.4f cpu_ms=%.1f threads=%d OMP_WAIT_POLICY=%s "
          "steps=[%s]"
          % (nparams, a.batch, statistics.median(times), loss.item(), statistics.median(cpu), torch.get_num_threads(),
             os.environ.get("OMP_WAIT_POLICY", "(unset)"), ",".join("%.0f" % v for v in times)),
          flush=True)


if __name__ == "__main__":
    main()
