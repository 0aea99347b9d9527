"""Kernel-process behaviour that needs its own kernel: empty HMAC key (fault 5),
the JPY_PARENT_PID watch (fault 7), a clean shutdown (fault 11) and an exception
inside execute turned into an error reply (fault 2, by fault injection)."""
import subprocess
import time
import unittest

from jupyter_kernel_test.msgspec_v5 import validate_message

from latent_client import BareKernel, run, result_of, wait_until


class ProcessTests(unittest.TestCase):
    def test_empty_key_means_no_signature(self):
        k = BareKernel(key=b"")
        try:
            reply, outputs = run(k.client, "6 * 7")
            self.assertEqual(reply["content"]["status"], "ok")
            self.assertEqual(result_of(outputs), "42")
        finally:
            k.close()

    def test_exits_when_parent_dies(self):
        parent = subprocess.Popen(["sleep", "60"])
        k = BareKernel(env={"JPY_PARENT_PID": str(parent.pid)})
        try:
            self.assertIsNone(k.proc.poll())
            parent.kill()
            parent.wait()  # reaped: the pid no longer exists
            t0 = time.monotonic()
            self.assertTrue(wait_until(lambda: k.proc.poll() is not None, 3.0),
                            "the kernel outlived its parent")
            print(f"\nkernel exit after parent death: {(time.monotonic() - t0) * 1000:.0f} ms")
        finally:
            k.close()

    def test_shutdown_is_clean(self):
        k = BareKernel()
        try:
            run(k.client, "x = 1")
            msg_id = k.client.shutdown()  # sent on the control channel
            reply = k.client.get_control_msg(timeout=10)
            validate_message(reply, "shutdown_reply", msg_id)
            self.assertEqual(k.proc.wait(timeout=5), 0)
        finally:
            k.close()

    def test_exception_in_execute_gives_error_reply(self):
        k = BareKernel(env={"LATENT_SHIM_FAULT": "execute"})
        try:
            for _ in range(2):  # and the kernel keeps answering
                reply, outputs = run(k.client, "1 + 1")
                validate_message(reply, "execute_reply")
                self.assertEqual(reply["content"]["status"], "error")
                self.assertEqual(reply["content"]["ename"], "KernelError")
                self.assertIn("injected", reply["content"]["evalue"])
                self.assertIn("error", [m["msg_type"] for m in outputs])
        finally:
            k.close()


if __name__ == "__main__":
    unittest.main()
