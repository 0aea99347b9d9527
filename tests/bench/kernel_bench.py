#!/usr/bin/python3
"""kernel_bench.py: the latent kernel against Debian's ipykernel, in one run.

    /usr/bin/python3 tests/bench/kernel_bench.py [BUILD_DIR]

Prints, for each kernel, the time from launching it to receiving its
kernel_info_reply (median of 15 starts) and the median round trip of 200 no-op
executes, to the execute_reply and to the idle status; then latent/ipykernel
ratios against the targets (start <= 1/10, round trip <= 1/4). Uses the
kernelspec of BUILD_DIR (default: build/ next to this repository's root) through
JUPYTER_PATH, so nothing needs installing. Not part of ctest."""
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "build"))
os.environ["JUPYTER_PATH"] = os.path.join(BUILD, "share", "jupyter")
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

from jupyter_client.manager import KernelManager  # noqa: E402

KERNELS = [("latent", ""), ("python3", "")]   # (kernelspec, no-op cell)
STARTS = 15
EXECUTES = 200
TIMEOUT = 60


def wait_reply(kc, msg_id):
    while True:
        msg = kc.get_shell_msg(timeout=TIMEOUT)
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg


def wait_idle(kc, msg_id):
    while True:
        msg = kc.get_iopub_msg(timeout=TIMEOUT)
        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == "idle"):
            return msg


def start_once(name):
    """Seconds from launching the kernel to its kernel_info_reply."""
    km = KernelManager(kernel_name=name)
    t0 = time.perf_counter()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    wait_reply(kc, kc.kernel_info())
    took = time.perf_counter() - t0
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    return took


def round_trips(name, code):
    """Median seconds of a no-op execute to execute_reply and to idle."""
    km = KernelManager(kernel_name=name)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=TIMEOUT)
    for _ in range(10):  # warm up
        msg_id = kc.execute(code)
        wait_reply(kc, msg_id)
        wait_idle(kc, msg_id)
    to_reply, to_idle = [], []
    for _ in range(EXECUTES):
        t0 = time.perf_counter()
        msg_id = kc.execute(code)
        wait_reply(kc, msg_id)
        to_reply.append(time.perf_counter() - t0)
        wait_idle(kc, msg_id)
        to_idle.append(time.perf_counter() - t0)
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    return statistics.median(to_reply), statistics.median(to_idle)


def main():
    starts = {name: [] for name, _ in KERNELS}
    for _ in range(STARTS):  # interleaved, so both see the same machine load
        for name, _code in KERNELS:
            starts[name].append(start_once(name))
    res = {}
    for name, code in KERNELS:
        reply, idle = round_trips(name, code)
        res[name] = (statistics.median(starts[name]), reply, idle)
    print(f"{'kernel':10} {'start (ms)':>12} {'exec->reply (ms)':>18} {'exec->idle (ms)':>17}")
    for name, (start, reply, idle) in res.items():
        print(f"{name:10} {start * 1e3:12.1f} {reply * 1e3:18.2f} {idle * 1e3:17.2f}")
    lat, ipy = res["latent"], res["python3"]
    print(f"ratios latent/ipykernel: start {lat[0] / ipy[0]:.3f} (target <= 0.100), "
          f"reply {lat[1] / ipy[1]:.3f}, idle {lat[2] / ipy[2]:.3f} (target <= 0.250)")


if __name__ == "__main__":
    main()
