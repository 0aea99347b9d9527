"""The notebook as a student sees it: Debian's Notebook 6.4 in headless chromium, the
latent kernel behind it, all on 127.0.0.1.

1. Restart & Run All of lecture 04-autoencoder: every cell runs, no error output, every
   image output is a decoded <img> in the page.
2. A training cell with the live plot on, sampled every 50 ms while it runs: never more
   than one progress line and one plot, and both change.
3. The stop button (a mouse click on the toolbar's interrupt button) during a long
   training: the cell ends with KeyboardInterrupt, the kernel goes idle, and
   `plot(loss)` in the next cell draws the history kept so far.
4. Tab completes a builtin's name; Shift-Tab opens its help in the tooltip.
5. Run All of `print("before")`, `sqrt(-1)`, `print("after")`, RUN_ALL_ROUNDS times
   (LATENT_BROWSER_RUN_ALL, default 50): the third cell never runs.
6. Syntax highlighting: the kernelspec's kernel.js defines the CodeMirror mode "latent"
   and the kernel's language_info names it. In a saved notebook whose language_info
   already says "latent" (the mode is asked for before kernel.js arrives) and in the
   lecture (saved with another mode, switched by the kernel's reply), the cells use the
   mode, and keywords (train, on, epochs, batch, step, fn, return, true, none), builtins,
   numbers, strings and comments get CodeMirror's classes (cm-keyword, cm-builtin, ...);
   screenshot 0-highlighting.png.

Screenshots go to LATENT_BROWSER_ARTIFACTS (default: a browser-artifacts folder beside
this run's build). Figures are printed; nothing is timed in an assertion.
Usage: /usr/bin/python3 tests/browser/test_notebook.py [--run-all-only|--highlight-only] BUILD_DIR"""
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time

from harness import Chromium, NotebookServer

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUN_ALL_ROUNDS = int(os.environ.get("LATENT_BROWSER_RUN_ALL", "50"))
LECTURE = "04-autoencoder.ipynb"

HELPERS = r"""
window.lt = {
  code: () => Jupyter.notebook.get_cells().filter(c => c.cell_type === 'code'),
  state: () => lt.code().map(c => ({
      prompt: c.input_prompt_number === undefined ? null : c.input_prompt_number,
      text: c.get_text(),
      outputs: c.output_area.outputs.map(o => o.output_type === 'error' ?
          'error:' + o.ename : o.output_type),
      stdout: c.output_area.outputs.filter(o => o.output_type === 'stream')
          .map(o => o.text).join(''),
      pngs: c.output_area.outputs.filter(o => o.data && o.data['image/png']).length,
      imgs: Array.from(c.output_area.element[0].querySelectorAll('img')).map(i => ({
          ok: i.complete && i.naturalWidth > 0, src: i.src.length + ':' + i.src.slice(-40)})),
  })),
  running: () => lt.code().some(c => c.input_prompt_number === '*'),
  idle: () => document.querySelector('#kernel_indicator_icon').classList
      .contains('kernel_idle_icon'),
  done: () => !lt.running() && lt.idle(),
  // the last code cell's live outputs, read from the page itself
  live: () => {
      const c = lt.code()[lt.code().length - 1];
      const el = c.output_area.element[0];
      const texts = Array.from(el.querySelectorAll('.output_text pre')).map(p => p.textContent);
      const imgs = Array.from(el.querySelectorAll('img')).map(i => i.src.length + ':' + i.src.slice(-60));
      return {texts: texts, imgs: imgs, prompt: c.input_prompt_number};
  },
  append: (text) => {
      const c = Jupyter.notebook.insert_cell_at_bottom('code');
      c.set_text(text);
      Jupyter.notebook.select(Jupyter.notebook.find_cell_index(c));
      return Jupyter.notebook.ncells();
  },
  run_last: () => {
      const cells = Jupyter.notebook.get_cells();
      cells[cells.length - 1].execute();
      return true;
  },
};
true
"""

LIVE_TRAIN = """live(true)
train on data epochs 4 batch 16 {
    loss = mse(dec(enc(x)), x)
    step opt loss
}"""
LONG_TRAIN = """train on data epochs 500 batch 128 {
    loss = mse(dec(enc(x)), x)
    step opt loss
}"""


HIGHLIGHT_CELL = """# an autoencoder, highlighted
enc = seq(linear(784, 32), relu)
fn half(v) { return v / 2 }
train on data epochs 2 batch 128 {
    loss = mse(dec(enc(x)), x)
    step opt loss
}
ok = true and none == none
s = "a string" """
# each word and the CodeMirror class it must get
HIGHLIGHT_EXPECT = {"train": "keyword", "on": "keyword", "epochs": "keyword",
                    "batch": "keyword", "step": "keyword", "fn": "keyword",
                    "return": "keyword", "true": "keyword", "none": "keyword",
                    "and": "keyword", "seq": "builtin", "linear": "builtin",
                    "mse": "builtin", "half": "def", "784": "number",
                    '"a string"': "string", "# an autoencoder, highlighted": "comment",
                    "loss": "variable"}


def write_highlight_notebook(path):
    """A saved notebook whose language_info already names the mode "latent"."""
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {},
                     "id": "hl", "outputs": [], "source": HIGHLIGHT_CELL}],
          "metadata": {"kernelspec": {"name": "latent", "display_name": "Latent",
                                      "language": "latent"},
                       "language_info": {"name": "latent", "codemirror_mode": "latent",
                                         "pygments_lexer": "latent",
                                         "mimetype": "text/x-latent",
                                         "file_extension": ".lt"}},
          "nbformat": 4, "nbformat_minor": 5}
    with open(path, "w") as f:
        json.dump(nb, f)


def write_error_notebook(path):
    def cell(src):
        return {"cell_type": "code", "execution_count": None, "metadata": {}, "id": f"c{len(src)}",
                "outputs": [], "source": src}
    nb = {"cells": [cell('print("before")'), cell("sqrt(-1)"), cell('print("after")')],
          "metadata": {"kernelspec": {"name": "latent", "display_name": "Latent",
                                      "language": "latent"}},
          "nbformat": 4, "nbformat_minor": 5}
    with open(path, "w") as f:
        json.dump(nb, f)


class Failed(AssertionError):
    pass


def check(cond, what):
    if not cond:
        raise Failed(what)
    print(f"  ok: {what}", flush=True)


class Session:
    def __init__(self, browser, server, artifacts):
        self.b = browser
        self.server = server
        self.artifacts = artifacts

    async def open(self, name):
        # leaving a modified notebook would ask "leave the page?" and hang navigation
        await self.b.js("if (typeof Jupyter !== 'undefined' && Jupyter.notebook) {"
                        " Jupyter.notebook.set_dirty(false); } window.onbeforeunload = null;"
                        " true")
        await self.b.goto(self.server.url("notebooks/" + name))
        await self.b.wait_js("typeof Jupyter !== 'undefined' && Jupyter.notebook && "
                             "Jupyter.notebook._fully_loaded && Jupyter.notebook.kernel && "
                             "Jupyter.notebook.kernel.is_connected() && "
                             "document.querySelector('#kernel_indicator_icon') !== null", 90,
                             f"{name} to load with a connected kernel")
        await self.b.js(HELPERS)
        await self.b.wait_js("lt.idle()", 60, "an idle kernel")

    async def shot(self, name, bottom=True):
        if bottom:   # the cell just run, at the end of the notebook
            await self.b.js("Jupyter.notebook.scroll_to_bottom(); true")
            await asyncio.sleep(0.2)
        await self.b.screenshot(os.path.join(self.artifacts, name + ".png"))

    async def wait_done(self, seconds, what):
        await asyncio.sleep(0.1)
        await self.b.wait_js("lt.done()", seconds, what)

    async def restart_run_all(self):
        t0 = time.monotonic()
        await self.b.js("Jupyter.notebook.restart_run_all({confirm: false})", timeout=60)
        await self.b.wait_js("lt.running()", 30, "Run All to start")
        await self.wait_done(600, "Run All to finish")
        took = time.monotonic() - t0
        cells = await self.b.js("lt.state()")
        print(f"  Restart & Run All of {LECTURE}: {len(cells)} code cells in {took:.1f} s")
        await self.shot("1-restart-run-all", bottom=False)
        errors = [(i, c["outputs"]) for i, c in enumerate(cells)
                  if any(o.startswith("error") for o in c["outputs"])]
        check(not errors, f"no error output (errors: {errors})")
        check(all(isinstance(c["prompt"], int) for c in cells if c["text"].strip()),
              "every code cell ran (a number in every prompt)")
        pngs = sum(c["pngs"] for c in cells)
        imgs = [i for c in cells for i in c["imgs"]]
        check(pngs >= 8 and len(imgs) == pngs and all(i["ok"] for i in imgs),
              f"every image rendered ({len(imgs)} <img> decoded for {pngs} image/png outputs)")

    async def live_plot(self):
        await self.b.js(f"lt.append({json.dumps(LIVE_TRAIN)})")
        await self.b.js("lt.run_last()")
        samples = []
        while True:
            s = await self.b.js("lt.live()")
            samples.append(s)
            if s["prompt"] != "*" and len(samples) > 1:
                break
            if len(samples) == 40:
                await self.shot("2-live-plot-running")
            await asyncio.sleep(0.05)
        await self.wait_done(60, "the training cell to finish")
        running = [s for s in samples if s["prompt"] == "*"]
        progress = [s for s in running if s["texts"]]
        print(f"  live training: {len(running)} samples while running, "
              f"{len(progress)} with a progress line")
        check(all(len(s["texts"]) <= 1 and len(s["imgs"]) <= 1 for s in samples),
              "never more than one progress line and one plot")
        texts = {s["texts"][0] for s in progress}
        plots = {s["imgs"][0] for s in running if s["imgs"]}
        check(len(texts) >= 2, f"the progress line changed in place ({len(texts)} versions)")
        check(len(plots) >= 2, f"the live plot changed in place ({len(plots)} versions)")

    async def stop_button(self):
        await self.b.js(f"lt.append({json.dumps(LONG_TRAIN)})")
        await self.b.js("lt.run_last()")
        await self.b.wait_js("lt.live().texts.length > 0", 60, "the long training to start")
        await asyncio.sleep(1.0)
        rect = await self.b.js(
            "(() => { const r = document.querySelector("
            "'button[data-jupyter-action=\"jupyter-notebook:interrupt-kernel\"]')"
            ".getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        t0 = time.monotonic()
        await self.b.click(*rect)
        await self.wait_done(30, "the cell to stop and the kernel to go idle")
        took = time.monotonic() - t0
        print(f"  stop button to idle kernel: {took * 1000:.0f} ms (as seen by polling the page)")
        await self.shot("3-stopped")
        last = (await self.b.js("lt.state()"))[-1]
        check("error:KeyboardInterrupt" in last["outputs"],
              f"the training cell ended with KeyboardInterrupt ({last['outputs']})")
        await self.b.js("lt.append('plot(loss)')")
        await self.b.js("lt.run_last()")
        await self.wait_done(60, "plot(loss)")
        last = (await self.b.js("lt.state()"))[-1]
        check(last["pngs"] == 1 and all(i["ok"] for i in last["imgs"]) and
              not any(o.startswith("error") for o in last["outputs"]),
              "plot(loss) after the stop draws the kept history")

    async def completion(self):
        await self.b.js("lt.append('d = mnis')")
        await self.b.js("(() => { const c = Jupyter.notebook.get_selected_cell();"
                        " Jupyter.notebook.edit_mode(); c.code_mirror.focus();"
                        " c.code_mirror.setCursor({line: 0, ch: 8}); return true; })()")
        await self.b.key("Tab", "Tab", 9)
        text = await self.b.wait_js(
            "(() => { const t = Jupyter.notebook.get_selected_cell().get_text();"
            " return t !== 'd = mnis' ? t : null; })()", 20, "Tab completion")
        await self.shot("4-tab-completion")
        check(text == "d = mnist", f"Tab completed 'mnis' to 'mnist' ({text!r})")
        await self.b.js("(() => { const c = Jupyter.notebook.get_selected_cell();"
                        " c.set_text('mnist('); c.code_mirror.focus();"
                        " c.code_mirror.setCursor({line: 0, ch: 6}); return true; })()")
        await self.b.key("Tab", "Tab", 9, shift=True)
        tip = await self.b.wait_js(
            "(() => { const t = document.querySelector('#tooltip');"
            " return t && t.offsetParent !== null && t.textContent.trim().length > 0 ?"
            " t.textContent : null; })()", 20, "the Shift-Tab tooltip")
        await self.shot("5-shift-tab-help")
        check("mnist" in tip, f"Shift-Tab showed mnist's help ({tip.strip()[:60]!r}...)")

    async def tokens(self, index):
        """[text, classes] of every highlighted span of code cell index (after the mode
        has been applied to it), and the cell's mode name."""
        await self.b.wait_js(f"lt.code()[{index}].code_mirror.getMode().name === 'latent'",
                             30, f"code cell {index} to use the mode 'latent'")
        return await self.b.js(f"""(() => {{
            const c = lt.code()[{index}];
            c.code_mirror.refresh();
            const spans = c.element[0].querySelectorAll('.CodeMirror-code span[class^="cm-"]');
            return Array.from(spans).map(s => [s.textContent, s.className]);
        }})()""")

    async def highlighting(self):
        mode = await self.b.js("(() => { const li = Jupyter.notebook.metadata.language_info;"
                               " return [li.codemirror_mode, li.pygments_lexer,"
                               " typeof CodeMirror.modes.latent]; })()")
        check(mode == ["latent", "latent", "function"],
              f"language_info names the mode and the lexer, kernel.js defined it ({mode})")
        spans = await self.tokens(0)
        got = {}
        for text, cls in spans:
            got.setdefault(text, set()).add(cls)
        wrong = {w: sorted(got.get(w, {"(none)"})) for w, c in HIGHLIGHT_EXPECT.items()
                 if got.get(w) != {"cm-" + c}}
        await self.shot("0-highlighting", bottom=False)
        print(f"  {len(spans)} highlighted spans, "
              f"{sum(1 for _, c in spans if c == 'cm-keyword')} cm-keyword")
        check(not wrong, f"every word has its class ({len(HIGHLIGHT_EXPECT)} checked; wrong: {wrong})")
        # a new cell typed into gets the mode too
        await self.b.js("lt.append('for i in 1..3 { print(i) }')")
        spans = await self.tokens(1)
        check(["for", "cm-keyword"] in spans and ["print", "cm-builtin"] in spans,
              "a new cell is highlighted with the mode")

    async def lecture_highlighted(self):
        await self.b.wait_js("lt.code().every(c => c.code_mirror.getMode().name === 'latent')",
                             30, "every cell of the lecture to use the mode 'latent'")
        words = await self.b.js("""(() => {
            const seen = {};
            lt.code().forEach(c => { const cm = c.code_mirror;
                for (let i = 0; i < cm.lineCount(); i++)
                    cm.getLineTokens(i).forEach(t => { if (t.type === 'keyword') seen[t.string] = 1; });
            });
            return Object.keys(seen).sort(); })()""")
        check({"train", "on", "epochs", "batch", "step"} <= set(words),
              f"the lecture's cells use the mode 'latent' (keywords: {words})")

    async def run_all_after_error(self):
        runs_past = aborted_wrong = 0
        for k in range(RUN_ALL_ROUNDS):
            await self.b.js("Jupyter.notebook.clear_all_output(); true")
            await self.b.js("Jupyter.notebook.execute_all_cells(); true")
            await self.wait_done(30, "Run All to finish")
            cells = await self.b.js("lt.state()")
            runs_past += bool(cells[2]["outputs"]) or isinstance(cells[2]["prompt"], int)
            aborted_wrong += cells[0]["stdout"] != "before\n"
            if k == 0:
                await self.shot("6-run-all-stops-at-error")
        print(f"  Run All x{RUN_ALL_ROUNDS}: third cell ran {runs_past} times, "
              f"first cell missing {aborted_wrong} times")
        check(cells[1]["outputs"] == ["error:ValueError"], "the second cell shows its error")
        check(runs_past == 0, "Run All never ran the cell after the error")
        check(aborted_wrong == 0, "Run All always ran the first cell")


async def main(build, only):
    artifacts = os.environ.get("LATENT_BROWSER_ARTIFACTS",
                               os.path.join(build, "browser-artifacts"))
    os.makedirs(artifacts, exist_ok=True)
    root = tempfile.mkdtemp(prefix="latent-browser-")
    shutil.copy(os.path.join(TOP, "notebooks", LECTURE), root)
    write_error_notebook(os.path.join(root, "run-all-error.ipynb"))
    write_highlight_notebook(os.path.join(root, "highlight.ipynb"))
    server = NotebookServer(root, os.path.join(build, "share", "jupyter"))
    browser = Chromium()
    try:
        await browser.start()
        s = Session(browser, server, artifacts)
        if only in (None, "highlight"):
            print("highlighting:", flush=True)
            await s.open("highlight.ipynb")
            await s.highlighting()
            await s.b.js("Jupyter.notebook.kernel.kill(); true")
        if only is None:
            await s.open(LECTURE)
            print("lecture notebook:", flush=True)
            await s.lecture_highlighted()
            await s.restart_run_all()
            await s.live_plot()
            await s.stop_button()
            await s.completion()
            await s.b.js("Jupyter.notebook.kernel.kill(); true")
        if only in (None, "run-all"):
            print("Run All after an error:", flush=True)
            await s.open("run-all-error.ipynb")
            await s.run_all_after_error()
        print(f"screenshots: {artifacts}")
        return 0
    except (Failed, TimeoutError, asyncio.TimeoutError, RuntimeError) as e:
        print(f"FAILED: {type(e).__name__}: {e}")
        try:
            await browser.screenshot(os.path.join(artifacts, "failure.png"))
        except Exception:
            pass
        print("server log (tail):\n" + server.log_text())
        return 1
    finally:
        await browser.close()
        browser.kill()
        server.close()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    flags = {"--run-all-only": "run-all", "--highlight-only": "highlight"}
    args = [a for a in sys.argv[1:] if a not in flags]
    only = next((flags[a] for a in sys.argv[1:] if a in flags), None)
    sys.exit(asyncio.run(main(os.path.abspath(args[0] if args else "build"), only)))
