"""Soak: one kernel runs LATENT_SOAK_CELLS cells (default 600 in CI; the full run is
LATENT_SOAK_CELLS=10000) cycling through training, plots, image grids, errors of three
kinds, tensor and string work, and an interrupted loop every 50th cell. After a
warm-up (the first 20% of the cells) the kernel's resident memory must stay within 10%
of what it was then; the RSS series is printed."""
import os
import signal
import time
import unittest

from latent_client import BareKernel, drain, result_of, run, status_mib

CELLS = int(os.environ.get("LATENT_SOAK_CELLS", "600"))
SETUP = """data = subset(mnist(), 512)
enc = seq(linear(784, 64), relu, linear(64, 8), relu)
dec = seq(linear(8, 64), relu, linear(64, 784), sigmoid)
opt = adam([enc, dec], lr=1e-3)
x10 = data[0:10]
sentinel = 1234"""
KINDS = [
    "train on data epochs 1 batch 128 {\n    loss = mse(dec(enc(x)), x)\n    step opt loss\n}",
    "plot(loss, title=\"cell {i}\")",
    "sqrt(-{i})",
    "undefined_name_{i}",
    "t = randn(64, 64)\nsum(t * t) > 0",
    "show(x10, dec(enc(x10)), labels=[\"in\", \"out {i}\"])",
    "s = str([1, 2, 3]) + \"{i}\"\nlen(s)",
    "c = huffman(\"abracadabra{i}\")\nexpected_length(c) > 0",
    "x = (",
    "hist(number(sum(randn(100))) + randn(1000), bins=20)",
]
# what each kind must answer: "ok" or the error's name. A training cell that meets a
# non-finite loss answers FloatingPointError (the NaN that once showed up after ~600
# one-epoch cells), so any outcome but its own fails the test.
EXPECTED = ["ok", "ok", "ValueError", "NameError", "ok", "ok", "ok", "ok", "SyntaxError", "ok"]
LOOP = "for i in 1 .. 1000000000 { y = i }"


def key_of(reply):
    c = reply["content"]
    return c["status"] if c["status"] == "ok" else c.get("ename")


class Soak(unittest.TestCase):

    def test_rss_flat(self):
        k = BareKernel(env={"LATENT_MEM_LIMIT": "2G"})
        kc = k.client
        try:
            self.assertEqual(run(kc, SETUP)[0]["content"]["status"], "ok")
            series, statuses, wrong = [], {}, []
            warm = max(1, CELLS // 5)
            t0 = time.monotonic()
            for i in range(CELLS):
                if i % 50 == 49:
                    msg_id = kc.execute(LOOP)
                    time.sleep(0.2)
                    os.kill(k.proc.pid, signal.SIGINT)
                    reply = self.reply(kc, msg_id)
                    want = key_of(reply)   # interrupted, counted below
                else:
                    want = EXPECTED[i % len(KINDS)]
                    reply = self.reply(kc, kc.execute(KINDS[i % len(KINDS)].replace("{i}", str(i))))
                c = reply["content"]
                key = key_of(reply)
                statuses[key] = statuses.get(key, 0) + 1
                if key != want and len(wrong) < 20:
                    wrong.append((i, want, key, c.get("evalue")))
                drain(kc.get_iopub_msg, 0.001)
                if (i + 1) % max(1, CELLS // 10) == 0 or i + 1 == warm:
                    series.append((i + 1, status_mib(k.proc.pid, "VmRSS")))
            took = time.monotonic() - t0
            base = dict(series)[warm]
            final = series[-1][1]
            print(f"\n{CELLS} cells in {took:.0f} s; outcomes {statuses}")
            print("RSS MiB after cell: " + ", ".join(f"{n}: {r:.1f}" for n, r in series))
            print(f"after warm-up {base:.1f} MiB, at the end {final:.1f} MiB "
                  f"({(final / base - 1) * 100:+.1f}%)")
            self.assertIsNone(k.proc.poll())
            self.assertEqual(wrong, [], "cells whose outcome is not their kind's (cell, wanted, got)")
            self.assertLessEqual(final, base * 1.10)
            self.assertEqual(result_of(run(kc, "sentinel")[1]), "1234")
            self.assertGreater(statuses.get("KeyboardInterrupt", 0), 0)
        finally:
            k.close()

    @staticmethod
    def reply(kc, msg_id):
        while True:
            msg = kc.get_shell_msg(timeout=60)
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg


if __name__ == "__main__":
    unittest.main()
