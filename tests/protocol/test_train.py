"""Interrupting a running `train` through jupyter_client: the cell ends with a
KeyboardInterrupt that says where training stopped, and the networks, the optimizer
and the loss history are kept, so the next cell can use them and a re-run of the
train cell goes on from there."""
import time
import unittest

from jupyter_kernel_test.msgspec_v5 import validate_message

from latent_client import KernelCase, drain, result_of, shell_reply

SETUP = """
data = subset(mnist(), 2000)
enc = seq(linear(784, 64), relu, linear(64, 8), relu)
dec = seq(linear(8, 64), relu, linear(64, 784), sigmoid)
opt = adam([enc, dec], lr=1e-3)
"""
TRAIN = """train on data epochs 100000 batch 32 {
    loss = mse(dec(enc(x)), x)
    step opt loss
}"""


class TrainInterruptTests(KernelCase):

    def interrupt_training(self):
        msg_id = self.kc.execute(TRAIN)
        time.sleep(1.5)
        t0 = time.monotonic()
        self.km.interrupt_kernel()
        reply = shell_reply(self.kc, msg_id, timeout=30)
        took = time.monotonic() - t0
        validate_message(reply, "execute_reply", msg_id)
        drain(self.kc.get_iopub_msg, 0.2)
        print(f"\ninterrupt of train to execute_reply: {took * 1000:.1f} ms")
        self.assertLess(took, 5.0)  # stopped at a mini-batch, not at the end of 100000 epochs
        return reply["content"]

    def test_interrupt_keeps_model_and_history(self):
        self.run_ok(SETUP)
        err = self.interrupt_training()
        self.assertEqual(err["status"], "error")
        self.assertEqual(err["ename"], "KeyboardInterrupt")
        self.assertIn("epoch", err["evalue"])
        self.assertIn("batch", err["evalue"])
        steps = int(float(result_of(self.run_ok("len(loss)"))))
        self.assertGreater(steps, 0)
        # the kept networks work and have learnt something: the last loss is below the first
        self.assertEqual(result_of(self.run_ok("loss[-1] < loss[0]")), "true")
        out = result_of(self.run_ok("shape(dec(enc(data[0:3])))"))
        self.assertIn("3", out)
        self.assertIn("784", out)
        # running the train cell again continues: the history grows
        self.interrupt_training()
        more = int(float(result_of(self.run_ok("len(loss)"))))
        self.assertGreater(more, steps)


if __name__ == "__main__":
    unittest.main()
