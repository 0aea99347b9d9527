"""Hostile input: a corpus of 1,000+ hostile cells (hostile_corpus.py) with zero kernel
deaths and, after every cell, a sentinel variable and a trained network intact;
messages with a wrong, short, empty or stale HMAC signature never executed; the kernel
listening only on the connection file's address and ports."""
import json
import os
import signal
import time
import unittest
from collections import Counter
from queue import Empty

import zmq
from jupyter_client.session import Session

from hostile_corpus import corpus
from latent_client import GUARD_CHECK, GUARD_SETUP, BareKernel, drain, result_of, run

CELL_SECONDS = 3   # then the cell is interrupted (runaway loops)


class HostileCells(unittest.TestCase):

    def test_corpus(self):
        cells = corpus()
        self.assertGreaterEqual(len(cells), 1000)
        k = BareKernel(env={"LATENT_MEM_LIMIT": "2G"})
        kc = k.client
        outcome, interrupted = Counter(), 0
        try:
            self.assertEqual(run(kc, GUARD_SETUP)[0]["content"]["status"], "ok")
            t0 = time.monotonic()
            for i, code in enumerate(cells):
                msg_id = kc.execute(code, stop_on_error=False)
                try:
                    reply = self.reply(kc, msg_id, CELL_SECONDS)
                except Empty:
                    interrupted += 1
                    os.kill(k.proc.pid, signal.SIGINT)
                    reply = self.reply(kc, msg_id, 30)
                c = reply["content"]
                outcome[c["status"] if c["status"] == "ok" else c.get("ename")] += 1
                self.assertIsNone(k.proc.poll(), f"the kernel died on cell {i}: {code[:200]!r}")
                drain(kc.get_iopub_msg, 0.001)
                guard, _ = run(kc, GUARD_CHECK)
                self.assertEqual(result_of(_), "true",
                                 f"guarded state changed by cell {i}: {code[:200]!r}")
            took = time.monotonic() - t0
            print(f"\n{len(cells)} hostile cells in {took:.0f} s, {interrupted} interrupted, "
                  f"kernel deaths 0; outcomes: {dict(outcome.most_common())}")
        finally:
            k.close()

    @staticmethod
    def reply(kc, msg_id, seconds):
        end = time.monotonic() + seconds
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise Empty
            msg = kc.get_shell_msg(timeout=left)
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg


class Signatures(unittest.TestCase):
    """Execute requests signed wrongly, sent on the shell socket by hand."""

    def test_bad_signatures_never_execute(self):
        k = BareKernel(key=b"the-real-key")
        try:
            info = json.load(open(k.conn_file))
            url = f"tcp://{info['ip']}:{info['shell_port']}"
            ctx = zmq.Context.instance()
            good = Session(key=b"the-real-key", signature_scheme="hmac-sha256")
            wrong = Session(key=b"a-wrong-key", signature_scheme="hmac-sha256")
            for name, frames in self.forgeries(good, wrong):
                sock = ctx.socket(zmq.DEALER)
                sock.linger = 0
                sock.connect(url)
                sock.send_multipart(frames)
                self.assertEqual(sock.poll(1000), 0, f"{name}: the kernel answered")
                sock.close()
                self.assertIsNone(k.proc.poll(), f"{name}: the kernel died")
            reply, outputs = run(k.client, "forged_ran")
            self.assertEqual(reply["content"]["ename"], "NameError")
        finally:
            k.close()

    @staticmethod
    def forgeries(good, wrong):
        """(name, wire frames) of execute requests that must be rejected."""
        def frames(session, code):
            msg = session.msg("execute_request", {"code": code, "silent": False})
            return session.serialize(msg)
        ok = frames(good, "forged_ran = 1")   # [DELIM, sig, header, parent, meta, content]
        out = [("wrong key", frames(wrong, "forged_ran = 1"))]
        tampered = list(ok)
        tampered[5] = json.dumps({"code": "forged_ran = 2", "silent": False}).encode()
        out.append(("tampered content", tampered))
        for sig in (b"", b"ab", ok[1][:-1], ok[1] + b"00", b"\xff" * 64):
            out.append((f"signature {sig[:8]!r}... ({len(sig)} bytes)", [ok[0], sig] + ok[2:]))
        out.append(("no signature frame", [ok[0]] + ok[2:]))
        return out


class ListenAddress(unittest.TestCase):

    def test_listens_only_on_the_connection_address(self):
        k = BareKernel(ip="127.0.0.2")
        try:
            info = json.load(open(k.conn_file))
            ports = {info[p] for p in ("shell_port", "iopub_port", "stdin_port",
                                       "control_port", "hb_port")}
            listening = self.listening(k.proc.pid)
            self.assertEqual(listening, {("127.0.0.2", p) for p in ports})
        finally:
            k.close()

    @staticmethod
    def listening(pid):
        """(address, port) of the TCP sockets of pid in the LISTEN state."""
        inodes = set()
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
        found = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with open(table) as f:
                next(f)
                for line in f:
                    cols = line.split()
                    if cols[3] != "0A" or cols[9] not in inodes:
                        continue
                    addr, port = cols[1].split(":")
                    if len(addr) == 8:
                        ip = ".".join(str(int(addr[i:i + 2], 16)) for i in (6, 4, 2, 0))
                    else:
                        ip = "ipv6:" + addr
                    found.add((ip, int(port, 16)))
        return found


if __name__ == "__main__":
    unittest.main()
