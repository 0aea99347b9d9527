"""Debian's jupyter_kernel_test against the latent kernel: all twelve checks
(kernel_info, stdout, stderr, completion, is_complete, pager, error, execute_result,
display_data with image/png, history tail/range/search, inspect, clear_output).
The history checks need the shim's own history manager (xeus-notes 9)."""
import os
import unittest

import jupyter_kernel_test as jkt

PNG_PATH = os.environ.get("LATENT_TEST_PNG", "")


class LatentKernelTests(jkt.KernelTests):
    kernel_name = "latent"
    language_name = "latent"
    file_extension = ".lt"

    code_hello_world = 'print("hello, world")'
    code_stderr = 'eprint("to stderr")'

    completion_samples = [{"text": "pri", "matches": {"print"}}]
    complete_code_samples = ["1", "x = 1", 'print("a")', "for i in 1 .. 3 { print(i) }"]
    incomplete_code_samples = ["print(", "for i in 1 .. 3 {", '"open string', "[1, 2,"]
    invalid_code_samples = ["}", "1 + 2)", "]"]

    code_page_something = "help(print)"
    code_generate_error = "no_such_variable_anywhere"
    code_execute_result = [{"code": "1 + 2", "result": "3"},
                           {"code": "6 * 7", "result": "42"}]
    code_display_data = [{"code": f'image("{PNG_PATH}")', "mime": "image/png"}]
    code_history_pattern = "6 *"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "print"
    code_clear_output = "clear_output()"

    # Three checks wait on the language (kernel/lang/), not on the shim: the shim
    # forwards host->stream(is_stderr=1), host->page and host->clear_output, but the
    # language has no stderr output, help() prints instead of paging, and there is
    # no clear_output() builtin yet. When it has them these turn into "unexpected
    # successes", which fail the run: then delete the decorators.
    @unittest.expectedFailure
    def test_execute_stderr(self):
        super().test_execute_stderr()

    @unittest.expectedFailure
    def test_pager(self):
        super().test_pager()

    @unittest.expectedFailure
    def test_clear_output(self):
        super().test_clear_output()

    def test_png_path_given(self):
        self.assertTrue(os.path.exists(PNG_PATH), "LATENT_TEST_PNG must name a PNG file")


if __name__ == "__main__":
    unittest.main()
