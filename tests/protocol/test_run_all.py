"""Run All semantics (stop_on_error) as ipykernel has them: after a failing cell,
the execute requests sent before its reply left are answered {"status": "aborted"}
and not run; a request sent after the reply runs; other request types are never
aborted; a cell with stop_on_error false (Notebook's raises-exception tag) or a
silent cell never aborts what follows. See kernel/shim/server.hpp."""
import time
import unittest

from jupyter_kernel_test.msgspec_v5 import validate_message

from latent_client import KernelCase, TIMEOUT, drain, result_of, shell_reply

BEFORE = "before_runs = before_runs + 1"
FAIL = "sqrt(-1)"
AFTER = "after_runs = after_runs + 1"
ROUNDS = 200


class RunAllTests(KernelCase):

    def setUp(self):
        super().setUp()
        self.run_ok("before_runs = 0\nafter_runs = 0")

    def value(self, name):
        return result_of(self.run_ok(name))

    def assert_aborted(self, reply, msg_id):
        # jupyter_kernel_test 0.4.5 knows only "abort"; the protocol and ipykernel
        # say "aborted": checked by hand
        self.assertEqual(reply["header"]["msg_type"], "execute_reply")
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(reply["content"], {"status": "aborted"})
        self.assertEqual(reply["metadata"].get("status"), "aborted")

    def replies(self, ids):
        got = {}
        while len(got) < len(ids):
            msg = self.kc.get_shell_msg(timeout=TIMEOUT)
            pid = msg["parent_header"].get("msg_id")
            if pid in ids:
                got[pid] = msg
        return [got[i] for i in ids]

    # Three cells sent together, the next round only once every reply of the last
    # one arrived (xeus aborted the next round's first cell in 199 of 200 rounds).
    def test_back_to_back_rounds(self):
        aborted_first = ran_third = 0
        for _ in range(ROUNDS):
            ids = [self.kc.execute(c, stop_on_error=True) for c in (BEFORE, FAIL, AFTER)]
            r1, r2, r3 = self.replies(ids)
            aborted_first += r1["content"]["status"] != "ok"
            ran_third += r3["content"]["status"] != "aborted"
            self.assertEqual(r2["content"]["status"], "error")
            self.assertEqual(r2["content"]["ename"], "ValueError")
            if r3["content"]["status"] == "aborted":
                self.assert_aborted(r3, ids[2])
        drain(self.kc.get_iopub_msg, 0.2)
        print(f"\n{ROUNDS} rounds: first cell aborted {aborted_first}, third cell run "
              f"{ran_third}")
        self.assertEqual((aborted_first, ran_third), (0, 0))
        self.assertEqual(self.value("before_runs"), str(ROUNDS))
        self.assertEqual(self.value("after_runs"), "0")

    # A client that sends its next cell as soon as the error reply is in.
    def test_request_after_error_reply_runs(self):
        for _ in range(50):
            failing = self.kc.execute(FAIL, stop_on_error=True)
            self.assertEqual(shell_reply(self.kc, failing)["content"]["status"], "error")
            nxt = self.kc.execute(AFTER, stop_on_error=True)
            self.assertEqual(shell_reply(self.kc, nxt)["content"]["status"], "ok")
        drain(self.kc.get_iopub_msg, 0.2)
        self.assertEqual(self.value("after_runs"), "50")

    # Queued behind a slow failing cell: aborted, with busy and idle for each, no
    # output; requests of other types queued with them are answered normally.
    def test_queued_requests(self):
        slow_fail = "for i in 1 .. 3000000 { y = i }\n" + FAIL
        first = self.kc.execute(slow_fail, stop_on_error=True)
        queued = [self.kc.execute(AFTER, stop_on_error=True) for _ in range(3)]
        info = self.kc.kernel_info()
        complete = self.kc.complete("after_r", 7)
        r_first = shell_reply(self.kc, first)
        validate_message(r_first, "execute_reply", first)
        self.assertEqual(r_first["content"]["status"], "error")
        replies = self.replies(queued + [info, complete])
        for msg_id, reply in zip(queued, replies[:3]):
            self.assert_aborted(reply, msg_id)
        validate_message(replies[3], "kernel_info_reply", info)
        self.assertEqual(replies[3]["content"]["status"], "ok")
        validate_message(replies[4], "complete_reply", complete)
        self.assertIn("after_runs", replies[4]["content"]["matches"])
        states = {i: [] for i in queued}
        others = {i: [] for i in queued}
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(s[-1:] != ["idle"] for s in states.values()):
            msg = self.kc.get_iopub_msg(timeout=TIMEOUT)
            pid = msg["parent_header"].get("msg_id")
            if pid not in states:
                continue
            if msg["msg_type"] == "status":
                states[pid].append(msg["content"]["execution_state"])
            else:
                others[pid].append(msg["msg_type"])
        for msg_id in queued:
            self.assertEqual(states[msg_id], ["busy", "idle"])
            self.assertEqual(others[msg_id], [])
        drain(self.kc.get_iopub_msg, 0.2)
        self.assertEqual(self.value("after_runs"), "0")

    # Notebook sends stop_on_error false for a cell tagged raises-exception; a
    # silent cell's failure does not stop anything either (as in xeus and ipykernel).
    def test_no_abort_without_stop_on_error(self):
        for kwargs in ({"stop_on_error": False}, {"stop_on_error": True, "silent": True}):
            ids = [self.kc.execute(FAIL, **kwargs), self.kc.execute(AFTER, stop_on_error=True)]
            r_fail, r_after = self.replies(ids)
            self.assertEqual(r_fail["content"]["status"], "error")
            self.assertEqual(r_after["content"]["status"], "ok")
        drain(self.kc.get_iopub_msg, 0.2)
        self.assertEqual(self.value("after_runs"), "2")

    # An interrupted cell is a failed cell: what was queued behind it is aborted.
    def test_interrupt_aborts_queue(self):
        first = self.kc.execute("for i in 1 .. 200000000 { y = i }", stop_on_error=True)
        queued = self.kc.execute(AFTER, stop_on_error=True)
        time.sleep(0.3)
        self.km.interrupt_kernel()
        r_first, r_queued = self.replies([first, queued])
        self.assertEqual(r_first["content"]["ename"], "KeyboardInterrupt")
        self.assert_aborted(r_queued, queued)
        drain(self.kc.get_iopub_msg, 0.2)
        self.assertEqual(self.value("after_runs"), "0")


if __name__ == "__main__":
    unittest.main()
