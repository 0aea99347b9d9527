"""What the browser test drives: Debian's `jupyter notebook` on 127.0.0.1 and Debian's
chromium, headless, through the DevTools protocol (CDP) over a websocket (tornado's
client, which Notebook already depends on: nothing from npm, nothing downloaded).
Chromium may reach only 127.0.0.1 (--host-resolver-rules)."""
import asyncio
import base64
import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

from tornado.websocket import websocket_connect

PY = "/usr/bin/python3"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync",
                  "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
                  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                  "--window-size=1280,1800", "--remote-debugging-port=0"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, seconds, what):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise TimeoutError(f"timed out after {seconds} s waiting for {what}")


class NotebookServer:
    """`jupyter notebook` on 127.0.0.1 serving root, with the build tree's kernelspec."""

    def __init__(self, root, jupyter_path):
        self.dir = tempfile.TemporaryDirectory()
        self.port = free_port()
        self.token = secrets.token_hex(16)
        env = dict(os.environ)
        env.update(JUPYTER_PATH=jupyter_path, JUPYTER_CONFIG_DIR=self.dir.name + "/config",
                   JUPYTER_RUNTIME_DIR=self.dir.name + "/runtime",
                   JUPYTER_DATA_DIR=self.dir.name + "/data", PYTHONDONTWRITEBYTECODE="1")
        self.log = open(os.path.join(self.dir.name, "server.log"), "wb")
        self.proc = subprocess.Popen(
            [PY, "-m", "notebook", "--no-browser", "--allow-root", "--ip=127.0.0.1",
             f"--port={self.port}", "--port-retries=0", f"--notebook-dir={root}",
             f"--NotebookApp.token={self.token}", "--NotebookApp.open_browser=False"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(self.ready, 60, "jupyter notebook to answer")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}/{path}?token={self.token}"

    def ready(self):
        if self.proc.poll() is not None:
            raise RuntimeError("jupyter notebook exited: " + self.log_text())
        try:
            with urllib.request.urlopen(self.url("api/status"), timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def log_text(self):
        self.log.flush()
        with open(self.log.name, "rb") as f:
            return f.read().decode(errors="replace")[-4000:]

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        self.dir.cleanup()


class Chromium:
    """A headless chromium and one page, driven by CDP (flattened sessions)."""

    def __init__(self):
        self.dir = tempfile.TemporaryDirectory()
        self.proc = subprocess.Popen(
            [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={self.dir.name}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(self.dir.name, "DevToolsActivePort")
        wait_for(lambda: os.path.exists(port_file) and open(port_file).read().count("\n") >= 1,
                 60, "chromium's DevTools port")
        port, path = open(port_file).read().split("\n")[:2]
        self.ws_url = f"ws://127.0.0.1:{port}{path}"
        self.ws = None
        self.next_id = 0
        self.pending = {}
        self.session = None

    async def start(self):
        self.ws = await websocket_connect(self.ws_url, max_message_size=256 << 20)
        asyncio.get_running_loop().create_task(self._read())
        target = await self.call("Target.createTarget", {"url": "about:blank"}, browser=True)
        attached = await self.call("Target.attachToTarget",
                                   {"targetId": target["targetId"], "flatten": True},
                                   browser=True)
        self.session = attached["sessionId"]
        await self.call("Page.enable")
        await self.call("Runtime.enable")

    async def _read(self):
        while True:
            raw = await self.ws.read_message()
            if raw is None:
                for fut in self.pending.values():
                    fut.set_exception(ConnectionError("chromium closed the connection"))
                return
            msg = json.loads(raw)
            fut = self.pending.pop(msg.get("id"), None)
            if fut is None or fut.done():
                continue
            if "error" in msg:
                fut.set_exception(RuntimeError(f"CDP error: {msg['error']}"))
            else:
                fut.set_result(msg.get("result", {}))

    async def call(self, method, params=None, browser=False, timeout=120):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if not browser:
            msg["sessionId"] = self.session
        fut = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = fut
        await self.ws.write_message(json.dumps(msg))
        return await asyncio.wait_for(fut, timeout)

    async def js(self, expression, timeout=120):
        """The value of a JS expression (a promise is awaited); a JS exception raises."""
        r = await self.call("Runtime.evaluate",
                            {"expression": expression, "awaitPromise": True,
                             "returnByValue": True}, timeout=timeout)
        if "exceptionDetails" in r:
            raise RuntimeError(f"JS failed: {expression[:200]}: {r['exceptionDetails']}")
        return r["result"].get("value")

    async def wait_js(self, expression, seconds, what):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            value = await self.js(expression)
            if value:
                return value
            await asyncio.sleep(0.05)
        raise TimeoutError(f"timed out after {seconds} s waiting for {what}")

    async def goto(self, url):
        await self.call("Page.navigate", {"url": url})

    async def screenshot(self, path):
        r = await self.call("Page.captureScreenshot", {"format": "png"})
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))

    async def click(self, x, y):
        for kind in ("mousePressed", "mouseReleased"):
            await self.call("Input.dispatchMouseEvent",
                            {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1})

    async def key(self, key, code, vk, shift=False):
        mods = 8 if shift else 0
        for kind in ("rawKeyDown", "keyUp"):
            await self.call("Input.dispatchKeyEvent",
                            {"type": kind, "key": key, "code": code, "modifiers": mods,
                             "windowsVirtualKeyCode": vk, "nativeVirtualKeyCode": vk})

    async def close(self):
        try:
            await self.call("Browser.close", browser=True, timeout=10)
        except Exception:
            pass

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.dir.cleanup()
