"""A class on one server: Debian's JupyterHub on 127.0.0.1 (dummy authentication,
SimpleLocalProcessSpawner: every student's notebook server runs as this user, home in
the run's temporary folder), N simulated students who each get a server and run lecture
04-autoencoder top to bottom through the Hub's REST and websocket API, all at once.

Prints, per N: whether every notebook finished (every cell "ok"), wall time per student
(median and max) against the N / cores line, peak RSS per kernel and of all kernels
together, and the kernels' CPU seconds split into the main thread and the other threads
(the engine's pool workers poll ~0.2 ms with sched_yield before sleeping; with more
kernels than cores that polling is CPU the other kernels need). The same for ipykernel +
PyTorch (Debian's python3-torch) running the lecture written in Python
(autoencoder_torch.py), at --torch N.

  /usr/bin/python3 tests/bench/class_server/class_bench.py --build build \\
      --students 10,20,40 --torch 10 [--env OPENBLAS_NUM_THREADS=1] [--mem-limit 1G]

Needs: jupyterhub (Debian), python3-torch and python3-matplotlib for --torch. Only
127.0.0.1 is used. Run it as root or as a user that may start processes; nothing is
installed system-wide and everything is stopped at the end."""
import argparse
import asyncio
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request
import uuid

from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
CLK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def latent_cells():
    with open(os.path.join(TOP, "notebooks", "04-autoencoder.ipynb")) as f:
        nb = json.load(f)
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def torch_cells():
    with open(os.path.join(HERE, "autoencoder_torch.py")) as f:
        text = f.read()
    cells, cell = [], None
    for line in text.splitlines():
        if line.strip() == "# %%":
            cell = []
            cells.append(cell)
        elif cell is not None:
            cell.append(line)
    return ["\n".join(c).strip() for c in cells if "".join(c).strip()]


# ---- the processes: RSS and CPU of every kernel ------------------------------------------

class Monitor(threading.Thread):
    """Samples every kernel process (latent, or python -m ipykernel_launcher) 4 times a
    second: peak RSS per pid, peak total RSS, CPU ticks of the main thread and of the
    other threads (the last sample of each thread)."""

    def __init__(self, kernel_exe, root):
        super().__init__(daemon=True)
        self.kernel_exe = kernel_exe
        self.root = root   # only kernels started under this process (the Hub) count
        self.peak = {}
        self.peak_total = 0
        self.ticks = {}   # (pid, tid) -> ticks
        self.stop = threading.Event()

    def is_kernel(self, pid):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            return False
        if not (argv[0].decode(errors="replace") == self.kernel_exe
                or b"ipykernel_launcher" in argv):
            return False
        pid = int(pid)
        while pid > 1:
            if pid == self.root:
                return True
            try:
                with open(f"/proc/{pid}/stat") as f:
                    pid = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                return False
        return False

    def sample(self):
        total = 0
        for name in os.listdir("/proc"):
            if not name.isdigit() or not self.is_kernel(name):
                continue
            pid = int(name)
            try:
                with open(f"/proc/{pid}/status") as f:
                    rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
                for tid in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{tid}/stat") as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                    self.ticks[(pid, int(tid))] = int(fields[11]) + int(fields[12])
            except (OSError, StopIteration):
                continue
            self.peak[pid] = max(self.peak.get(pid, 0), rss)
            total += rss
        self.peak_total = max(self.peak_total, total)

    def run(self):
        while not self.stop.is_set():
            self.sample()
            time.sleep(0.25)

    def cpu(self):
        main = sum(t for (pid, tid), t in self.ticks.items() if pid == tid) / CLK
        other = sum(t for (pid, tid), t in self.ticks.items() if pid != tid) / CLK
        return main, other


# ---- the Hub -------------------------------------------------------------------------------

class Hub:
    def __init__(self, build, env_extra, workdir):
        self.dir = workdir
        self.port = free_port()
        self.token = secrets.token_hex(24)
        self.url = f"http://127.0.0.1:{self.port}"
        env = {"JUPYTER_PATH": os.path.join(build, "share", "jupyter"),
               "MNIST_DIR": os.path.join(TOP, "share", "data", "mnist"),
               "PYDEVD_DISABLE_FILE_VALIDATION": "1", "PATH": "/usr/bin:/bin"}
        env.update(env_extra)
        args = ["--allow-root"] if os.geteuid() == 0 else []
        config = f"""
c.JupyterHub.bind_url = {self.url + '/'!r}
c.JupyterHub.hub_ip = '127.0.0.1'
c.JupyterHub.hub_port = {free_port()}
c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{free_port()}'
c.JupyterHub.authenticator_class = 'jupyterhub.auth.DummyAuthenticator'
c.JupyterHub.spawner_class = 'jupyterhub.spawner.SimpleLocalProcessSpawner'
c.SimpleLocalProcessSpawner.home_dir_template = {self.dir + '/home/{username}'!r}
c.Spawner.ip = '127.0.0.1'
c.Spawner.cmd = ['/usr/bin/jupyterhub-singleuser']
c.Spawner.args = {args!r}
c.Spawner.environment = {env!r}
c.Spawner.start_timeout = 600
c.Spawner.http_timeout = 600
c.JupyterHub.concurrent_spawn_limit = 0
c.JupyterHub.active_server_limit = 0
c.JupyterHub.db_url = 'sqlite:///{self.dir}/hub.sqlite'
c.JupyterHub.cookie_secret_file = '{self.dir}/cookie_secret'
c.JupyterHub.pid_file = '{self.dir}/hub.pid'
c.JupyterHub.cleanup_servers = True
c.JupyterHub.services = [{{'name': 'bench', 'api_token': {self.token!r}}}]
c.JupyterHub.load_roles = [{{'name': 'bench', 'services': ['bench'],
    'scopes': ['admin:users', 'admin:servers', 'access:servers', 'read:users']}}]
"""
        path = os.path.join(self.dir, "jupyterhub_config.py")
        with open(path, "w") as f:
            f.write(config)
        self.log = open(os.path.join(self.dir, "hub.log"), "wb")
        # Debian's configurable-http-proxy finds its modules in /usr/share/nodejs, which
        # Debian's node searches by default and another node (NodeSource's) does not
        hub_env = dict(os.environ, NODE_PATH="/usr/share/nodejs:/usr/lib/nodejs")
        self.proc = subprocess.Popen(["/usr/bin/python3", "-m", "jupyterhub", "-f", path],
                                     cwd=self.dir, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True, env=hub_env)
        end = time.monotonic() + 120
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                self.log.flush()
                raise RuntimeError("jupyterhub exited:\n" + open(self.log.name).read()[-3000:])
            try:
                with urllib.request.urlopen(self.url + "/hub/api/", timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("jupyterhub did not answer")

    def close(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


class Api:
    def __init__(self, hub):
        self.hub = hub
        self.http = AsyncHTTPClient(max_clients=200)

    async def call(self, method, path, body=None, ok=(200, 201, 202, 204)):
        req = HTTPRequest(self.hub.url + path, method=method,
                          headers={"Authorization": f"token {self.hub.token}"},
                          body=None if body is None else json.dumps(body),
                          allow_nonstandard_methods=True, request_timeout=600)
        r = await self.http.fetch(req, raise_error=False)
        if r.code not in ok:
            raise RuntimeError(f"{method} {path}: {r.code} {r.body[:300]!r}")
        return json.loads(r.body) if r.body else None


# ---- a student -----------------------------------------------------------------------------

def message(msg_type, content, session):
    return {"header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": session,
                       "username": "student", "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "content": content, "channel": "shell",
            "buffers": []}


async def run_notebook(api, name, kernel_name, cells):
    """Starts a kernel on the student's server, runs the cells in order; returns
    (every cell ok, wall seconds of the cells, the first error)."""
    k = await api.call("POST", f"/user/{name}/api/kernels", {"name": kernel_name})
    ws_url = (api.hub.url.replace("http", "ws") + f"/user/{name}/api/kernels/{k['id']}/channels"
              f"?token={api.hub.token}")
    ws = await websocket_connect(HTTPRequest(ws_url), max_message_size=512 << 20)
    session = uuid.uuid4().hex
    ok, first_error = True, None
    t0 = time.monotonic()
    for code in cells:
        msg = message("execute_request", {"code": code, "silent": False, "store_history": True,
                                          "user_expressions": {}, "allow_stdin": False,
                                          "stop_on_error": True}, session)
        await ws.write_message(json.dumps(msg))
        reply, idle = None, False
        while reply is None or not idle:
            raw = await asyncio.wait_for(ws.read_message(), 900)
            if raw is None:
                raise RuntimeError(f"{name}: the websocket closed")
            if isinstance(raw, bytes):
                continue
            m = json.loads(raw)
            if m.get("parent_header", {}).get("msg_id") != msg["header"]["msg_id"]:
                continue
            if m["channel"] == "shell":
                reply = m["content"]
            elif m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                idle = True
        if reply.get("status") != "ok":
            ok = False
            first_error = first_error or f"{reply.get('ename')}: {reply.get('evalue')}"[:200]
    took = time.monotonic() - t0
    ws.close()
    await api.call("DELETE", f"/user/{name}/api/kernels/{k['id']}")
    return ok, took, first_error


async def wait_ready(api, name):
    while True:
        u = await api.call("GET", f"/hub/api/users/{name}")
        s = u.get("servers", {}).get("", {})
        if s.get("ready"):
            return
        await asyncio.sleep(0.5)


async def class_run(hub, n, kernel_name, cells, kernel_exe):
    api = Api(hub)
    names = [f"student{i:02d}" for i in range(n)]
    await api.call("POST", "/hub/api/users", {"usernames": names}, ok=(201, 409))
    t0 = time.monotonic()
    await asyncio.gather(*(api.call("POST", f"/hub/api/users/{u}/server") for u in names))
    await asyncio.gather(*(wait_ready(api, u) for u in names))
    spawn = time.monotonic() - t0
    mon = Monitor(kernel_exe, hub.proc.pid)
    mon.start()
    t0 = time.monotonic()
    results = await asyncio.gather(*(run_notebook(api, u, kernel_name, cells) for u in names),
                                   return_exceptions=True)
    total = time.monotonic() - t0
    mon.stop.set()
    mon.join()
    await asyncio.gather(*(api.call("DELETE", f"/hub/api/users/{u}/server") for u in names))
    return spawn, total, results, mon


def report(label, n, spawn, total, results, mon, single):
    good = [r for r in results if isinstance(r, tuple)]
    finished = sum(1 for r in good if r[0])
    walls = [r[1] for r in good]
    errors = [r[2] if isinstance(r, tuple) else repr(r) for r in results
              if not (isinstance(r, tuple) and r[0])]
    main, other = mon.cpu()
    kernels = len(mon.peak)
    peak = max(mon.peak.values()) / 1024 if mon.peak else 0
    cores = os.cpu_count()
    # the N / cores line: N students' CPU (one student's alone) shared by the cores,
    # and never less than one student's wall time alone
    cpu1 = single[1] if single else (main + other) / max(1, n)
    wall1 = single[0] if single else statistics.median(walls)
    ideal = max(wall1, n * cpu1 / cores)
    row = {"kernel": label, "N": n, "finished": f"{'yes' if finished == n else 'NO'} ({finished}/{n})",
           "spawn_s": round(spawn, 1), "class_s": round(total, 1),
           "wall_median_s": round(statistics.median(walls), 1) if walls else None,
           "wall_max_s": round(max(walls), 1) if walls else None,
           "N_over_cores_line_s": round(ideal, 1),
           "peak_rss_kernel_mib": round(peak, 1), "peak_rss_all_kernels_mib": round(mon.peak_total / 1024, 1),
           "kernels_seen": kernels, "cpu_main_s": round(main, 1), "cpu_other_threads_s": round(other, 1),
           "cpu_per_student_s": round((main + other) / max(1, n), 2)}
    print(json.dumps(row), flush=True)
    for e in errors[:3]:
        print(f"   error: {e}", flush=True)
    return row


def alone(run):
    """(wall s, CPU s) of a class_run of one student, or None."""
    result, mon = run[2][0], run[3]
    return (result[1], sum(mon.cpu())) if isinstance(result, tuple) else None


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--students", default="10,20,40")
    ap.add_argument("--torch", type=int, default=0, help="N for ipykernel + PyTorch (0: skip)")
    ap.add_argument("--env", action="append", default=[], help="NAME=VALUE for the servers")
    ap.add_argument("--mem-limit", default="1G", help="LATENT_MEM_LIMIT of every kernel")
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    env = dict(e.split("=", 1) for e in a.env)
    env["LATENT_MEM_LIMIT"] = a.mem_limit
    kernel_exe = os.path.join(build, "bin", "latent")
    print(f"class server on {os.cpu_count()} cores, "
          f"{os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') / 2**30:.0f} GiB; "
          f"server env {env}", flush=True)
    work = tempfile.mkdtemp(prefix="latent-class-")
    hub = Hub(build, env, work)
    rows = []
    try:
        single = None
        for n in [int(x) for x in a.students.split(",") if x]:
            if single is None:   # one student alone: the time the N / cores line scales
                s = await class_run(hub, 1, "latent", latent_cells(), kernel_exe)
                rows.append(report("latent", 1, *s, None))
                single = alone(s)
            rows.append(report("latent", n, *(await class_run(hub, n, "latent", latent_cells(),
                                                               kernel_exe)), single))
        if a.torch:
            s1 = await class_run(hub, 1, "python3", torch_cells(), kernel_exe)
            rows.append(report("ipykernel+torch", 1, *s1, None))
            t_single = alone(s1)
            rows.append(report("ipykernel+torch", a.torch,
                               *(await class_run(hub, a.torch, "python3", torch_cells(),
                                                 kernel_exe)), t_single))
    finally:
        hub.close()
        shutil.rmtree(work, ignore_errors=True)
    print("\n| kernel | N | all finished | wall per student, median / max (s) | N/cores line (s) "
          "| peak RSS per kernel (MiB) | peak RSS, all kernels (MiB) | CPU s: main / other threads "
          "| CPU s per student |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['kernel']} | {r['N']} | {r['finished']} | {r['wall_median_s']} / {r['wall_max_s']} "
              f"| {r['N_over_cores_line_s']} | {r['peak_rss_kernel_mib']} | {r['peak_rss_all_kernels_mib']} "
              f"| {r['cpu_main_s']} / {r['cpu_other_threads_s']} | {r['cpu_per_student_s']} |")


if __name__ == "__main__":
    asyncio.run(main())
