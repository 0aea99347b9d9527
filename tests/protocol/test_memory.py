"""The per-kernel memory cap (core/base/mem.h, LATENT_MEM_LIMIT): a cell that allocates
past it fails with a MemoryError naming the size, the cap and how to raise it; the
kernel stays within the cap, every variable and a trained network survive, and the
memory is usable again once freed. The same for a training step whose activations do
not fit, and for layers' weights and optimizer state."""
import unittest

from latent_client import GUARD_CHECK, GUARD_SETUP, BareKernel, result_of, run, status_mib

GROW = """big = []
for i in 1 .. 80 { big = big + [zeros(10000, 10000)] }"""

WIDE_STEP = """wide = seq(linear(2, 13000), relu, linear(13000, 2), linear(2, 13000), relu, linear(13000, 2))
wopt = adam([wide], lr=1e-3)
train on moons(10000) epochs 1 batch 10000 {
    wloss = mse(wide(x), x)
    step wopt wloss
}"""


class MemoryCapTests(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.k = BareKernel(env={"LATENT_MEM_LIMIT": "1G"})
        cls.kc = cls.k.client

    @classmethod
    def tearDownClass(cls):
        cls.k.close()

    def ok(self, code):
        reply, outputs = run(self.kc, code)
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        return result_of(outputs)

    def memory_error(self, code):
        reply, _ = run(self.kc, code, timeout=120)
        content = reply["content"]
        self.assertEqual(content["status"], "error")
        self.assertEqual(content["ename"], "MemoryError", content)
        return content["evalue"]

    def assert_intact(self):
        self.assertEqual(self.ok(GUARD_CHECK), "true")

    def test_1_growing_list_stops_at_the_cap(self):
        self.ok(GUARD_SETUP)
        evalue = self.memory_error(GROW)
        self.assertIn("381 MiB more", evalue)
        self.assertIn("limit of 1.00 GiB", evalue)
        self.assertIn("LATENT_MEM_LIMIT", evalue)
        self.assertLess(status_mib(self.k.proc.pid, "VmHWM"), 1024 + 200)
        self.assertIn(self.ok("len(big)"), ("1", "2"))   # what fitted before the failure
        self.assert_intact()
        self.ok("big = []\nafter = zeros(10000, 10000)\nafter = 0")   # freed: room again
        self.assertIsNone(self.k.proc.poll())

    def test_2_training_step_past_the_cap(self):
        self.ok(GUARD_SETUP)
        evalue = self.memory_error(WIDE_STEP)
        self.assertIn("limit of 1.00 GiB", evalue)
        self.assert_intact()
        self.ok("train on guard_data epochs 1 batch 50 {\n l = mse(guard_net(x), x)\n step guard_opt l\n}")
        self.assertEqual(self.ok("sentinel"), "1234")

    def test_3_layers_and_optimizer_state_count(self):
        self.ok(GUARD_SETUP)
        evalue = self.memory_error("more = []\n"
                                   "for i in 1 .. 100 { more = more + [linear(8000, 8000)] }")
        self.assertIn("linear(8000, 8000): 244 MiB more", evalue)
        self.assertIn("limit of 1.00 GiB", evalue)
        self.assertEqual(self.ok(GUARD_CHECK), "true")
        self.ok("more = []\nlayers = [linear(8000, 8000), linear(8000, 8000)]")
        evalue = self.memory_error("big_opt = adam(layers, lr=1e-3)")   # m and v: 2x the weights
        self.assertIn("Adam: 977 MiB more", evalue)
        self.ok("layers = []\nbig = linear(8000, 8000)\nbig_opt = adam([big], lr=1e-3)")
        self.assertEqual(self.ok(GUARD_CHECK), "true")

    def test_4_bad_setting_warns_and_keeps_the_default(self):
        k = BareKernel(env={"LATENT_MEM_LIMIT": "lots"})
        try:
            reply, outputs = run(k.client, "1 + 1")
            self.assertEqual(reply["content"]["status"], "ok")
            err = "".join(m["content"]["text"] for m in outputs
                          if m["msg_type"] == "stream" and m["content"]["name"] == "stderr")
            self.assertIn('LATENT_MEM_LIMIT: memory limit "lots" is not a size', err)
            self.assertIn("the limit is the default", err)
            self.assertEqual(result_of(outputs), "2")
        finally:
            k.close()


if __name__ == "__main__":
    unittest.main()
