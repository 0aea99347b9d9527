"""Helpers shared by the protocol tests: start the latent kernel (from the kernelspec
found through JUPYTER_PATH, or as a bare process for the tests that need to control
its environment and parent), run cells and collect what they publish."""
import os
import subprocess
import tempfile
import time
import unittest
from queue import Empty

from jupyter_client import BlockingKernelClient
from jupyter_client.connect import write_connection_file
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import start_new_kernel

TIMEOUT = 30


def kernel_argv():
    """The argv of the latent kernelspec, without its connection-file placeholder."""
    spec = KernelSpecManager().get_kernel_spec("latent")
    return [a for a in spec.argv if a not in ("-f", "{connection_file}")]


def start_managed(**kwargs):
    """Starts the kernel as Jupyter does; returns (manager, client)."""
    return start_new_kernel(kernel_name="latent", startup_timeout=30, **kwargs)


class BareKernel:
    """The kernel binary run directly, with a connection file we write: lets a test
    choose the key, the environment and the parent, and see the exit status."""

    def __init__(self, key=b"secret", env=None, stdout=subprocess.DEVNULL, ip="127.0.0.1"):
        self.dir = tempfile.TemporaryDirectory()
        self.conn_file = os.path.join(self.dir.name, "kernel.json")
        write_connection_file(self.conn_file, key=key, signature_scheme="hmac-sha256", ip=ip)
        full_env = dict(os.environ)
        full_env.pop("JPY_PARENT_PID", None)
        full_env.update(env or {})
        self.proc = subprocess.Popen(kernel_argv() + ["-f", self.conn_file], env=full_env,
                                     stdout=stdout, stderr=subprocess.DEVNULL)
        self.client = BlockingKernelClient(connection_file=self.conn_file)
        self.client.load_connection_file()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=TIMEOUT)

    def close(self):
        self.client.stop_channels()
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.dir.cleanup()


def run(kc, code, timeout=TIMEOUT, **kwargs):
    """Executes code; returns (execute_reply, [iopub messages of that request
    between busy and idle, status messages excluded]). Waits for the idle status,
    so a lost idle fails the caller with queue.Empty."""
    msg_id = kc.execute(code, **kwargs)
    outputs = []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status":
            if msg["content"]["execution_state"] == "idle":
                break
            continue
        outputs.append(msg)
    return shell_reply(kc, msg_id, timeout), outputs


def shell_reply(kc, msg_id, timeout=TIMEOUT):
    """The shell reply to msg_id (earlier replies are skipped)."""
    while True:
        reply = kc.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply


# A sentinel and a trained network, for tests that check that bad cells hurt nothing:
# GUARD_CHECK must give "true" after any of them.
GUARD_SETUP = """sentinel = 1234
guard_data = moons(200)
guard_net = seq(linear(2, 16), relu, linear(16, 2))
guard_opt = adam([guard_net], lr=1e-2)
train on guard_data epochs 2 batch 50 {
    guard_loss = mse(guard_net(x), x)
    step guard_opt guard_loss
}
guard_probe = number(sum(guard_net(ones(4, 2))))"""
GUARD_CHECK = "sentinel == 1234 and number(sum(guard_net(ones(4, 2)))) == guard_probe"


def status_mib(pid, field):
    """A memory field of /proc/PID/status ("VmRSS", "VmHWM") in MiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def stdout_of(outputs):
    return "".join(m["content"]["text"] for m in outputs
                   if m["msg_type"] == "stream" and m["content"]["name"] == "stdout")


def result_of(outputs):
    """text/plain of the execute_result, or None."""
    for m in outputs:
        if m["msg_type"] == "execute_result":
            return m["content"]["data"].get("text/plain")
    return None


def drain(channel_get, seconds=0.2):
    """Reads and drops messages until none arrives for `seconds`."""
    while True:
        try:
            channel_get(timeout=seconds)
        except Empty:
            return


def wait_until(predicate, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


class KernelCase(unittest.TestCase):
    """One managed latent kernel for the whole class; every test starts with IOPub
    drained and leaves the kernel idle. run_ok runs a cell that must succeed."""

    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_managed()

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel()

    def setUp(self):
        drain(self.kc.get_iopub_msg, 0.05)

    def run_ok(self, code):
        from jupyter_kernel_test.msgspec_v5 import validate_message
        reply, outputs = run(self.kc, code)
        validate_message(reply, "execute_reply")
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        return outputs
