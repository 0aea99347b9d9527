#!/usr/bin/python3
"""The language's own overhead: the design sketch's autoencoder (784-256-20 /
20-256-784, MSE, Adam 1e-3, batch 128, the bundled 10,000 MNIST digits) trained
through the kernel with the Latent language, against the same model in the core
engine's benchmark (train_bench), in one run. Prints epoch seconds (mean of 3
epochs after 1 warm-up epoch) for both and the ratio; the target is <= 1.15.

    /usr/bin/python3 tests/bench/lang_overhead.py [--build build] [--rounds 2]

Needs the build tree (the kernelspec in build/share/jupyter and
build/tests/bench/train_bench). A printed figure, not a test."""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))

SETUP = """data = mnist()
enc = seq(linear(784, 256), relu, linear(256, 20), relu)
dec = seq(linear(20, 256), relu, linear(256, 784), sigmoid)
opt = adam([enc, dec], lr=1e-3)
"""
TRAIN = """train on data epochs {n} batch 128 {{
    loss = mse(dec(enc(x)), x)
    step opt loss
}}
loss[-1]"""


def run(kc, code):
    reply = kc.execute_interactive(code, timeout=600, output_hook=lambda m: None)
    if reply["content"]["status"] != "ok":
        sys.exit("cell failed: %s %s" % (reply["content"].get("ename"), reply["content"].get("evalue")))


def kernel_epoch_s(build):
    from jupyter_client.manager import start_new_kernel
    os.environ["JUPYTER_PATH"] = os.path.join(build, "share", "jupyter")
    km, kc = start_new_kernel(kernel_name="latent", startup_timeout=30)
    try:
        run(kc, SETUP)
        run(kc, TRAIN.format(n=1))            # warm-up epoch, excluded
        t0 = time.perf_counter()
        run(kc, TRAIN.format(n=3))
        return (time.perf_counter() - t0) / 3
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def engine_epoch_s(build):
    exe = os.path.join(build, "tests", "bench", "train_bench")
    out = subprocess.run([exe, "--models", "ae", "--epochs", "3", "--warmup", "1", "--no-replay"],
                         check=True, capture_output=True, text=True, cwd=TOP).stdout
    m = re.search(r"^ae epoch_s=([\d.]+)", out, re.M)
    if not m:
        sys.exit("train_bench printed no ae line:\n" + out)
    return float(m.group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args()
    lang, eng = [], []
    for r in range(a.rounds):            # alternate, so load changes hit both alike
        eng.append(engine_epoch_s(a.build))
        lang.append(kernel_epoch_s(a.build))
        print("round %d: engine %.4f s/epoch, language through the kernel %.4f s/epoch" % (r + 1, eng[-1], lang[-1]))
    e, l = statistics.median(eng), statistics.median(lang)
    print("\nAE epoch (median of %d rounds)" % a.rounds)
    print("  core engine (train_bench)    %.4f s" % e)
    print("  Latent language, via kernel  %.4f s" % l)
    print("  ratio                        %.3f   (target <= 1.15)" % (l / e))


if __name__ == "__main__":
    main()
