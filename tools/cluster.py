"""A real multi-node OpenSearch 2.19 cluster on 127.0.0.1, for tests and benchmarks.

No Docker and no download: the nodes run the launcher in tools/opensearch-node/
(a Maven project whose only inputs are Maven Central artifacts), one JVM per node,
so killing a node is a real SIGKILL of its process.

    from tools.cluster import Cluster          # or: sys.path.insert(0, "tools"); import cluster

    with Cluster("/tmp/os-test", nodes=3, heap_mb=256) as c:   # build() + start()
        c.urls                                   # ['http://127.0.0.1:41234', ...]
        c.request("PUT", "/docs", {"settings": {"number_of_shards": 3}})
        c.kill(1)                                # SIGKILL node 1
        c.restart(1)                             # same ports and data; waits for green
    # stop(): SIGTERM, then SIGKILL after a grace period

Standard library only. No JVM outlives the Python process that started it: each
node's stdin is a pipe from this process and the launcher exits when it reads EOF
(which the kernel delivers however this process dies, SIGKILL included); nodes
started from the main thread also get a parent-death signal (setpriv --pdeathsig);
and an atexit hook stops every cluster still running.

For humans:  python tools/cluster.py up [--workdir DIR] [--nodes 3] [--http-port 9200]
             python tools/cluster.py status|down [--workdir DIR]
             python tools/cluster.py build [--force]    (Maven, only when the jar is missing or stale)
Those nodes are detached (they outlive the command); `down` stops them.
"""

from __future__ import annotations

import argparse
import atexit
import fcntl
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import weakref
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE / "opensearch-node"
TARGET = PROJECT / "target"
JAR = TARGET / "opensearch-node.jar"
LIB = TARGET / "lib"
MAIN_CLASS = "org.collegenews.opensearchnode.NodeMain"
STARTED_MARKER = "OPENSEARCH-NODE STARTED"
HOST = "127.0.0.1"
DEFAULT_WORKDIR = HERE.parent / "data" / "var" / "opensearch-cluster"
STATE_FILE = "cluster.json"

# JVM options of the real distribution (config/jvm.options and its launcher's
# system options), less the ones that cost memory or disk on a small machine.
BASE_JVM_OPTS = [
    "-XX:+UseSerialGC",  # 2 cores, tiny heap: cheaper than G1 (startup and RSS)
    "-Xss1m",
    "-XX:+ExitOnOutOfMemoryError",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+ShowCodeDetailsInExceptionMessages",
    "-Djava.awt.headless=true",
    "-Dfile.encoding=UTF-8",
    "-Djna.nosys=true",
    "-Dio.netty.noUnsafe=true",
    "-Dio.netty.noKeySetOptimization=true",
    "-Dio.netty.recycler.maxCapacityPerThread=0",
    "-Dio.netty.allocator.numDirectArenas=0",
    "-Dlog4j.shutdownHookEnabled=false",
    "-Dlog4j2.disable.jmx=true",
    "-Djava.locale.providers=SPI,COMPAT",
    "-Dopensearch.networkaddress.cache.ttl=60",
    "-Dopensearch.networkaddress.cache.negative.ttl=10",
]

# Node settings every node gets (the launcher already sets network.host,
# transport/http type netty4, bootstrap.memory_lock=false, disk watermarks off).
BASE_SETTINGS = {
    # the real-memory breaker counts garbage as used heap: with SerialGC and a
    # small heap it trips spuriously (429 circuit_breaking_exception)
    "indices.breaker.total.use_real_memory": "false",
    # the disk may be fullish: never refuse shards for disk space
    "cluster.routing.allocation.disk.threshold_enabled": "false",
}


class ClusterError(RuntimeError):
    """The launcher could not be built, or a node failed to start or to join."""


# ----------------------------------------------------------------- building --

def _newest_source_mtime() -> float:
    newest = (PROJECT / "pom.xml").stat().st_mtime
    for p in (PROJECT / "src").rglob("*"):
        if p.is_file():
            newest = max(newest, p.stat().st_mtime)
    return newest


def artifact_ready() -> bool:
    """True when target/opensearch-node.jar and target/lib exist and are newer than the sources."""
    return (JAR.is_file() and LIB.is_dir() and any(LIB.glob("opensearch-2.*.jar"))
            and JAR.stat().st_mtime >= _newest_source_mtime())


def java_executable() -> str:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    java = shutil.which("java")
    if not java:
        raise ClusterError("java not found: install a JDK 17 (Debian: apt-get install openjdk-17-jdk-headless) "
                           "or set JAVA_HOME")
    return java


def build(force: bool = False, offline: bool | None = None, log=None) -> Path:
    """Build tools/opensearch-node with Maven unless its artifact is up to date; return the jar.

    offline: pass -o to Maven (default: $OPENSEARCH_NODE_MVN_OFFLINE=1).
    """
    if not force and artifact_ready():
        return JAR
    java_executable()
    mvn = shutil.which("mvn")
    if not mvn:
        raise ClusterError("mvn not found: install Maven 3 (Debian: apt-get install maven); "
                           "it builds tools/opensearch-node from Maven Central artifacts")
    if offline is None:
        offline = os.environ.get("OPENSEARCH_NODE_MVN_OFFLINE") == "1"
    TARGET.mkdir(exist_ok=True)
    with open(TARGET / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel test processes build once
        if not force and artifact_ready():
            return JAR
        cmd = [mvn, "-q", "-B", "package", "-DskipTests"] + (["-o"] if offline else [])
        if log:
            log(f"building {PROJECT} ({' '.join(cmd[1:])})")
        t0 = time.monotonic()
        r = subprocess.run(cmd, cwd=PROJECT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0 or not JAR.is_file():
            tail = "\n".join(r.stdout.splitlines()[-40:])
            raise ClusterError(f"Maven build of {PROJECT} failed (exit {r.returncode}):\n{tail}")
        os.utime(JAR)  # newer than every source even if Maven left the jar alone
        if log:
            log(f"built {JAR} in {time.monotonic() - t0:.1f}s")
    return JAR


# ------------------------------------------------------------------ helpers --

def free_ports(n: int) -> list[int]:
    """n distinct free TCP ports on 127.0.0.1 (held open together so they differ)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((HOST, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def http_json(method: str, url: str, body=None, timeout: float = 30.0, headers=None):
    """(status, decoded JSON or text) of one HTTP request; HTTP errors are returned, not raised."""
    data = None
    hdrs = dict(headers or {})
    if body is not None:
        if isinstance(body, (bytes, str)):
            data = body.encode() if isinstance(body, str) else body
            hdrs.setdefault("Content-Type", "application/x-ndjson")
        else:
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    text = raw.decode("utf-8", "replace")
    try:
        return status, json.loads(text) if text else None
    except ValueError:
        return status, text


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text("utf-8", "replace").splitlines()[-lines:])
    except OSError:
        return ""


def _proc_status(pid: int) -> dict:
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0]) * 1024
    except OSError:
        pass
    return out


def _pid_is_our_node(pid: int, home: Path) -> bool:
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return MAIN_CLASS.encode() in cmd and f"-Epath.home={home}".encode() in cmd


_live_clusters: "weakref.WeakSet[Cluster]" = weakref.WeakSet()


@atexit.register
def _stop_all():
    for c in list(_live_clusters):
        try:
            c.stop(grace=10)
        except Exception:
            pass


# ------------------------------------------------------------------ cluster --

class Node:
    def __init__(self, index: int, name: str, home: Path, http_port: int, transport_port: int):
        self.index, self.name, self.home = index, name, home
        self.http_port, self.transport_port = http_port, transport_port
        self.proc: subprocess.Popen | None = None
        self.pid: int | None = None  # also set for detached nodes found in the state file
        self.peak_rss = 0
        self.expected_up = False  # spawned and not deliberately killed or stopped

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.http_port}"

    @property
    def logs_dir(self) -> Path:
        """<cluster.name>.log (the node's log), stdout.log, stderr.log"""
        return self.home / "logs"

    def alive(self) -> bool:
        if self.proc is not None:
            return self.proc.poll() is None
        return self.pid is not None and _pid_is_our_node(self.pid, self.home)

    def __repr__(self):
        return f"<Node {self.name} {self.url} pid={self.pid} alive={self.alive()}>"


class Cluster:
    """N OpenSearch nodes (default 3), each its own JVM, on free loopback ports.

    workdir       holds node-<i>/ (path.home: config/, data/, logs/) for each node
    heap_mb       -Xms/-Xmx of each JVM (256 is enough for tests; give more for big benchmarks)
    fresh         delete node-*/ data before start() (True: every run starts empty)
    plugins       launcher plugin list ("netty4,analysis-common,painless")
    settings      extra node settings {key: value} for every node (None deletes a default)
    jvm_opts      extra JVM options
    http_ports / transport_ports   fixed ports instead of free ones
    detached      nodes outlive this Python process (the CLI's `up`): no stdin pipe,
                  no parent-death signal, no atexit stop
    cds           class-data sharing: the first start records the classes node-0 loads
                  (its stop then takes ~12 s longer to write target/cds/*.jsa, ~80 MB);
                  later starts load them from that archive (3 nodes green in ~16 s
                  instead of ~20-27 s). Off by default: a fresh checkout (CI) pays, and
                  gains only from its second cluster start on.
    """

    def __init__(self, workdir, nodes: int = 3, heap_mb: int = 256, cluster_name: str = "test-cluster",
                 fresh: bool = True, plugins: str = "netty4,analysis-common,painless",
                 settings: dict | None = None, jvm_opts=(), http_ports=None, transport_ports=None,
                 detached: bool = False, quiet: bool = True, cds: bool = False):
        if nodes < 1:
            raise ValueError("nodes must be >= 1")
        self.workdir = Path(workdir).resolve()
        self.n = nodes
        self.heap_mb = heap_mb
        self.cluster_name = cluster_name
        self.fresh = fresh
        self.plugins = plugins
        self.extra_settings = dict(settings or {})
        self.jvm_opts = list(jvm_opts)
        self.detached = detached
        self.quiet = quiet
        self.cds = cds
        self._cds_recording: Path | None = None
        self._fixed_http = list(http_ports) if http_ports else None
        self._fixed_transport = list(transport_ports) if transport_ports else None
        for ports in (self._fixed_http, self._fixed_transport):
            if ports is not None and len(ports) != nodes:
                raise ValueError("need one port per node")
        self.nodes: list[Node] = []
        self._lock = threading.RLock()

    # -- info ----------------------------------------------------------------
    @property
    def urls(self) -> list[str]:
        return [n.url for n in self.nodes]

    @property
    def url(self) -> str:
        """The HTTP address of the first live node."""
        for n in self.nodes:
            if n.alive():
                return n.url
        raise ClusterError("no node is running")

    @property
    def pids(self) -> list[int | None]:
        return [n.pid for n in self.nodes]

    def memory(self) -> list[dict]:
        """Per node: current and peak RSS in bytes (the peak over all of that node's runs, kept after it exits)."""
        out = []
        for n in self.nodes:
            st = _proc_status(n.pid) if n.alive() else {}
            n.peak_rss = max(n.peak_rss, st.get("VmHWM", 0))
            out.append({"node": n.name, "rss": st.get("VmRSS", 0), "peak_rss": n.peak_rss})
        return out

    def _log(self, msg):
        if not self.quiet:
            print(f"[cluster] {msg}", file=sys.stderr, flush=True)

    # -- lifecycle -------------------------------------------------------------
    def build(self, force: bool = False) -> Path:
        return build(force=force, log=self._log)

    def __enter__(self):
        self.build()
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def _node_settings(self, node: Node) -> dict:
        s = {
            "cluster.name": self.cluster_name,
            "node.name": node.name,
            "path.home": str(node.home),
            "path.data": str(node.home / "data"),
            "path.logs": str(node.home / "logs"),
            "network.host": HOST,
            "http.port": str(node.http_port),
            "transport.port": str(node.transport_port),
            "discovery.seed_hosts": ",".join(f"{HOST}:{n.transport_port}" for n in self.nodes),
            "cluster.initial_cluster_manager_nodes": ",".join(n.name for n in self.nodes),
        }
        s.update(BASE_SETTINGS)
        s.update(self.extra_settings)
        return {k: v for k, v in s.items() if v is not None}

    def _command(self, node: Node, java: str) -> list[str]:
        cmd = []
        if not self.detached and threading.current_thread() is threading.main_thread():
            setpriv = shutil.which("setpriv")
            if setpriv:  # SIGTERM the JVM when this (main) thread/process dies
                cmd += [setpriv, "--pdeathsig", "TERM", "--"]
        cmd += [java, f"-Xms{self.heap_mb}m", f"-Xmx{self.heap_mb}m", *BASE_JVM_OPTS,
                f"-Djava.io.tmpdir={node.home / 'tmp'}",
                f"-XX:ErrorFile={node.home / 'logs' / 'hs_err_pid%p.log'}",
                *self._cds_opts(node, java), *self.jvm_opts,
                "-cp", f"{JAR}:{LIB}/*", MAIN_CLASS, "--plugins", self.plugins]
        if not self.detached:
            cmd.append("--exit-on-stdin-eof")
        cmd += [f"-E{k}={v}" for k, v in self._node_settings(node).items()]
        return cmd

    def _cds_archive(self, java: str) -> Path:
        h = hashlib.sha1(os.path.realpath(java).encode())
        for p in [JAR, *sorted(LIB.glob("*.jar"))]:
            st = p.stat()
            h.update(f"{p.name}:{st.st_size}:{st.st_mtime_ns}".encode())
        return TARGET / "cds" / f"{h.hexdigest()[:16]}.jsa"

    def _cds_opts(self, node: Node, java: str) -> list[str]:
        if not self.cds:
            return []
        archive = self._cds_archive(java)
        if archive.is_file():
            return [f"-XX:SharedArchiveFile={archive}", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"]
        if node.index == 0 and self._cds_recording is None and not self.detached:
            archive.parent.mkdir(exist_ok=True)
            for old in archive.parent.glob("*.tmp.jsa"):  # left by a killed recorder
                if time.time() - old.stat().st_mtime > 3600:
                    old.unlink(missing_ok=True)
            self._cds_recording = archive.with_name(f"{archive.stem}.{os.getpid()}.{id(self)}.tmp.jsa")
            return [f"-XX:ArchiveClassesAtExit={self._cds_recording}", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"]
        return []

    def _cds_finish(self):
        tmp, self._cds_recording = self._cds_recording, None
        if tmp is None:
            return
        if tmp.is_file() and tmp.stat().st_size > 0:
            os.replace(tmp, tmp.with_name(tmp.name.split(".")[0] + ".jsa"))
        else:
            tmp.unlink(missing_ok=True)

    def start(self, timeout: float = 120.0) -> "Cluster":
        """Start every node and wait until the cluster is green with all nodes joined."""
        with self._lock:
            if any(n.alive() for n in self.nodes):
                raise ClusterError("cluster already running")
            if not artifact_ready():
                self.build()
            ports = [p for p in free_ports(3 * self.n) if p not in (self._fixed_http or ())]
            http = self._fixed_http or ports[:self.n]
            transport = self._fixed_transport or [p for p in ports if p not in http][:self.n]
            self.workdir.mkdir(parents=True, exist_ok=True)
            self.nodes = [Node(i, f"node-{i}", self.workdir / f"node-{i}", http[i], transport[i])
                          for i in range(self.n)]
            if self.fresh:
                for n in self.nodes:
                    shutil.rmtree(n.home, ignore_errors=True)
            t0 = time.monotonic()
            try:
                for n in self.nodes:
                    self._spawn(n)
                if not self.detached:
                    _live_clusters.add(self)
                self._write_state()
                self.wait_green(timeout=max(1.0, timeout - (time.monotonic() - t0)))
            except BaseException:
                self.stop(grace=5)
                raise
            self._log(f"{self.n} nodes green in {time.monotonic() - t0:.1f}s: {' '.join(self.urls)}")
            return self

    def _spawn(self, node: Node):
        java = java_executable()
        for sub in ("logs", "data", "tmp"):
            (node.home / sub).mkdir(parents=True, exist_ok=True)
        out = open(node.home / "logs" / "stdout.log", "ab")
        err = open(node.home / "logs" / "stderr.log", "ab")
        try:
            node.proc = subprocess.Popen(
                self._command(node, java), cwd=node.home,
                stdin=subprocess.DEVNULL if self.detached else subprocess.PIPE,
                stdout=out, stderr=err, start_new_session=True, close_fds=True)
        finally:
            out.close()
            err.close()
        node.pid = node.proc.pid
        node.expected_up = True

    def _check_alive(self):
        for n in self.nodes:
            if n.expected_up and not n.alive():
                code = n.proc.returncode if n.proc else "?"
                raise ClusterError(
                    f"{n.name} exited (code {code}) while starting; stderr:\n{_tail(n.home / 'logs' / 'stderr.log')}\n"
                    f"log:\n{_tail(n.home / 'logs' / (self.cluster_name + '.log'))}")

    def wait_green(self, timeout: float = 120.0, status: str = "green", nodes: int | None = None):
        """Wait until GET /_cluster/health reports `status` (or better) with `nodes` nodes
        (default: all); e.g. wait_green(status="yellow", nodes=2) after a kill()."""
        want = self.n if nodes is None else nodes
        deadline = time.monotonic() + timeout
        last = None
        while True:
            self._check_alive()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ClusterError(f"cluster not {status} with {want} nodes after {timeout:.0f}s; last: {last}")
            for n in self.nodes:
                if not n.alive():
                    continue
                wait = max(1, min(10, int(remaining)))
                try:
                    code, body = http_json(
                        "GET", f"{n.url}/_cluster/health?wait_for_status={status}&wait_for_nodes={want}"
                               f"&timeout={wait}s", timeout=wait + 5)
                except (OSError, urllib.error.URLError) as e:
                    last = f"{n.name}: {e}"
                    continue
                last = body
                if code == 200 and isinstance(body, dict) and not body.get("timed_out"):
                    return body
                break
            time.sleep(0.25)

    def kill(self, i: int):
        """SIGKILL node i (a real process death) and reap it."""
        n = self.nodes[i]
        n.expected_up = False
        if n.alive():
            self.memory()
            os.kill(n.pid, signal.SIGKILL)
            if n.proc:
                n.proc.wait()
                self._close_stdin(n)
            while n.alive():
                time.sleep(0.05)

    def restart(self, i: int, timeout: float = 120.0):
        """Start node i again (same ports, same data); wait for all nodes and green."""
        with self._lock:
            n = self.nodes[i]
            if n.alive():
                self.stop_node(i)
            self.memory()
            self._spawn(n)
            self._write_state()
            return self.wait_green(timeout=timeout)

    def stop_node(self, i: int, grace: float = 20.0):
        """SIGTERM node i (a clean close); SIGKILL it after `grace` seconds."""
        self._terminate([self.nodes[i]], grace)
        if i == 0:
            self._cds_finish()

    def stop(self, grace: float = 20.0):
        """SIGTERM every node; SIGKILL what is still there after `grace` seconds."""
        with self._lock:
            self._terminate(self.nodes, grace + (20 if self._cds_recording else 0))
            self._cds_finish()
            _live_clusters.discard(self)
            try:
                (self.workdir / STATE_FILE).unlink()
            except OSError:
                pass

    def _terminate(self, nodes, grace):
        live = [n for n in nodes if n.alive()]
        self.memory()
        for n in nodes:
            n.expected_up = False
        for n in live:
            try:
                os.kill(n.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace
        for n in live:
            while n.alive() and time.monotonic() < deadline:
                time.sleep(0.1)
            if n.alive():
                try:
                    os.kill(n.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            if n.proc:
                try:
                    n.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
                self._close_stdin(n)
            else:
                while n.alive():
                    time.sleep(0.1)

    @staticmethod
    def _close_stdin(n: Node):
        if n.proc and n.proc.stdin:
            try:
                n.proc.stdin.close()
            except OSError:
                pass

    # -- HTTP ----------------------------------------------------------------
    def request(self, method: str, path: str, body=None, node: int | None = None, timeout: float = 30.0,
                headers=None):
        """(status, JSON) from node `node`, or from the first live node."""
        url = self.nodes[node].url if node is not None else self.url
        return http_json(method, url + path, body, timeout=timeout, headers=headers)

    # -- state file (for the CLI) ---------------------------------------------------
    def _write_state(self):
        state = {"cluster_name": self.cluster_name, "nodes": [
            {"name": n.name, "home": str(n.home), "pid": n.pid, "http_port": n.http_port,
             "transport_port": n.transport_port, "url": n.url} for n in self.nodes]}
        (self.workdir / STATE_FILE).write_text(json.dumps(state, indent=2))

    @classmethod
    def attach(cls, workdir) -> "Cluster":
        """A Cluster for the (detached) nodes recorded in workdir/cluster.json."""
        workdir = Path(workdir).resolve()
        state = json.loads((workdir / STATE_FILE).read_text())
        c = cls(workdir, nodes=len(state["nodes"]), cluster_name=state["cluster_name"], fresh=False,
                detached=True)
        for i, s in enumerate(state["nodes"]):
            n = Node(i, s["name"], Path(s["home"]), s["http_port"], s["transport_port"])
            n.pid = s["pid"]
            c.nodes.append(n)
        return c


# ---------------------------------------------------------------------- CLI --

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="A local OpenSearch 2.19 cluster on 127.0.0.1 (one JVM per node).")
    ap.add_argument("command", choices=["up", "down", "status", "build"])
    ap.add_argument("--workdir", default=str(DEFAULT_WORKDIR), help="default: %(default)s")
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--heap-mb", type=int, default=256)
    ap.add_argument("--http-port", type=int, help="first HTTP port (then +1, +2...); default: free ports")
    ap.add_argument("--transport-port", type=int, help="first transport port; default: free ports")
    ap.add_argument("--fresh", action="store_true", help="delete the nodes' data first")
    ap.add_argument("--timeout", type=float, default=180)
    ap.add_argument("--force", action="store_true", help="build: rebuild even if up to date")
    a = ap.parse_args(argv)
    workdir = Path(a.workdir).resolve()

    if a.command == "build":
        try:
            print(build(force=a.force, log=lambda m: print(m, file=sys.stderr)))
        except ClusterError as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
        return 0

    existing = None
    if (workdir / STATE_FILE).exists():
        existing = Cluster.attach(workdir)

    if a.command == "status":
        if not existing:
            print(f"no cluster in {workdir}")
            return 1
        for n in existing.nodes:
            print(f"{n.name}  {n.url}  pid={n.pid}  {'running' if n.alive() else 'DOWN'}")
        live = [n for n in existing.nodes if n.alive()]
        if live:
            code, body = http_json("GET", live[0].url + "/_cluster/health", timeout=10)
            print(json.dumps(body, indent=2))
        return 0

    if a.command == "down":
        if not existing:
            print(f"no cluster in {workdir}")
            return 0
        existing.stop()
        print(f"stopped {len(existing.nodes)} nodes")
        return 0

    # up
    if existing and any(n.alive() for n in existing.nodes):
        print(f"already running (python {sys.argv[0]} down --workdir {workdir} to stop):")
        for n in existing.nodes:
            print(f"  {n.name} {n.url}")
        return 1
    http = [a.http_port + i for i in range(a.nodes)] if a.http_port else None
    transport = [a.transport_port + i for i in range(a.nodes)] if a.transport_port else None
    c = Cluster(workdir, nodes=a.nodes, heap_mb=a.heap_mb, fresh=a.fresh, http_ports=http,
                transport_ports=transport, detached=True, quiet=False)
    c.build()
    t0 = time.monotonic()
    c.start(timeout=a.timeout)
    print(f"green in {time.monotonic() - t0:.1f}s; logs under {workdir}/node-*/logs")
    for n in c.nodes:
        print(f"  {n.name}  {n.url}  pid={n.pid}")
    print(f"stop with: python {sys.argv[0]} down --workdir {workdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
