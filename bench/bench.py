#!/usr/bin/env python3
"""Hoard vs CNCF distribution 2.8 (proxy mode), side by side in one run, nginx as the ceiling.

Starts an upstream distribution seeded with synthetic images of random (incompressible) layers,
puts a relay in front of it (which counts upstream bytes and can stop, hang or delay the upstream),
then measures each candidate with a fresh cache. Loopback only; every loop is bounded; everything
started is stopped. Run it through bench/run, which installs and builds what it needs.
"""
import argparse
import statistics
import asyncio
import hashlib
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

MB = 1024 * 1024
PROFILES = {
    # big image layers (MiB), fan-out blob (MiB), small images, small layer (MiB), tags, wrk seconds
    # reps: how many distinct big images are pulled cold (and warm), reported as the median
    "full": dict(big=[200, 100, 60, 40], reps=5, fanout=200, smalls=4, small_layer=1, tags=200, wrk=10),
    "quick": dict(big=[24, 12, 6, 4], reps=1, fanout=24, smalls=3, small_layer=1, tags=50, wrk=3),
    "smoke": dict(big=[2, 1], reps=1, fanout=2, smalls=2, small_layer=0.1, tags=10, wrk=1),
}
ACCEPT = ("application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, "
          "application/vnd.docker.distribution.manifest.v2+json, "
          "application/vnd.docker.distribution.manifest.list.v2+json")
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, limit):
    start = time.monotonic()
    host, port, path = split_url(url)
    while time.monotonic() - start < limit:
        try:
            c = http.client.HTTPConnection(host, port, timeout=2)
            c.request("GET", path)
            if c.getresponse().status == 200:
                return time.monotonic() - start
        except OSError:
            pass
        time.sleep(0.01)
    raise RuntimeError(f"{url} did not answer 200 within {limit}s")


def split_url(url):
    m = re.match(r"http://([^:/]+):(\d+)(/.*)?", url)
    return m.group(1), int(m.group(2)), m.group(3) or "/"


# ---------------------------------------------------------------- the relay in front of the upstream

class Relay:
    """A TCP relay on its own event loop: counts bytes coming from the upstream; modes pass, down
    (connections refused), hang (connections accepted, nothing answered), and per-request delay."""

    def __init__(self, target_port):
        self.target = target_port
        self.port = free_port()
        self.mode = "pass"
        self.delay = 0.0
        self.rate = 0.0  # bytes/s from the upstream, 0 = unlimited: one link shared by all connections
        self.link_free = 0.0
        self.bytes_down = 0
        self.server = None
        self.conns = set()
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self._call(self._listen())

    def _call(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(30)

    async def _listen(self):
        if self.server is None:
            self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port, backlog=512)

    async def _unlisten(self):
        if self.server is not None:
            self.server.close()
            self.server = None
        for w in list(self.conns):
            w.close()

    def set(self, mode, delay=0.0, rate=0.0):
        self.mode, self.delay, self.rate = mode, delay, rate
        self._call(self._unlisten() if mode == "down" else self._listen())
        if mode != "down":
            self._call(self._drop_idle())

    async def _drop_idle(self):
        # Pooled connections must see the new mode too: close them, clients reconnect.
        for w in list(self.conns):
            w.close()

    async def _handle(self, reader, writer):
        try:
            await self._relay(reader, writer)
        except asyncio.CancelledError:
            pass  # the relay is shutting down

    async def _relay(self, reader, writer):
        self.conns.add(writer)
        try:
            if self.mode == "hang":
                await asyncio.sleep(3600)
                return
            try:
                ur, uw = await asyncio.open_connection("127.0.0.1", self.target)
            except OSError:
                return
            self.conns.add(uw)

            async def pipe(src, dst, down):
                try:
                    while True:
                        data = await src.read(256 * 1024)
                        if not data:
                            break
                        if not down:
                            if self.mode == "hang":
                                await asyncio.sleep(3600)
                            if self.delay:
                                await asyncio.sleep(self.delay)
                        else:
                            self.bytes_down += len(data)
                            if self.rate:
                                now = self.loop.time()
                                self.link_free = max(now, self.link_free) + len(data) / self.rate
                                await asyncio.sleep(self.link_free - now)
                        dst.write(data)
                        await dst.drain()
                except (OSError, asyncio.CancelledError):
                    pass
                finally:
                    dst.close()

            await asyncio.gather(pipe(reader, uw, False), pipe(ur, writer, True))
            self.conns.discard(uw)
        finally:
            self.conns.discard(writer)
            writer.close()

    def close(self):
        self._call(self._unlisten())
        self._call(self._cancel_all())
        self.loop.call_soon_threadsafe(self.loop.stop)

    async def _cancel_all(self):
        for task in asyncio.all_tasks():
            if task is not asyncio.current_task():
                task.cancel()


# ---------------------------------------------------------------- processes

def descendants(pid):
    """Every process below pid (by parent pid in /proc/<pid>/stat)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    found, frontier = [], [pid]
    while frontier:
        children = [p for p, pp in parents.items() if pp in frontier]
        found += children
        frontier = children
    return found


class Process:
    def __init__(self, name, cmd, port, workdir, env=None):
        self.name, self.cmd, self.port, self.workdir = name, cmd, port, workdir
        self.url = f"http://127.0.0.1:{port}"
        self.log = open(os.path.join(workdir, f"{name}.log"), "wb")
        self.env = dict(os.environ, **(env or {}))
        self.proc = None

    def start(self, limit=60):
        t0 = time.monotonic()
        self.proc = subprocess.Popen(self.cmd, stdout=self.log, stderr=subprocess.STDOUT, env=self.env,
                                     cwd=self.workdir, start_new_session=True)
        wait_http(self.url + "/v2/", limit)
        return time.monotonic() - t0

    def peak_rss_mib(self):
        """VmHWM of the process plus that of its children (a launcher that starts the real server)."""
        total = 0
        for pid in [self.proc.pid] + descendants(self.proc.pid):
            try:
                with open(f"/proc/{pid}/status") as f:
                    for line in f:
                        if line.startswith("VmHWM:"):
                            total += int(line.split()[1]) / 1024
            except OSError:
                pass
        return total or None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.log.close()


# ---------------------------------------------------------------- seeding the upstream

def random_file(path, size):
    h = hashlib.sha256()
    with open(path, "wb") as f:
        left = size
        while left > 0:
            chunk = os.urandom(min(left, 4 * MB))
            f.write(chunk)
            h.update(chunk)
            left -= len(chunk)
    return "sha256:" + h.hexdigest()


def push_blob(port, repo, path=None, data=None):
    if data is not None:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        size = len(data)
    else:
        with open(path, "rb") as f:
            h = hashlib.sha256()
            for chunk in iter(lambda: f.read(4 * MB), b""):
                h.update(chunk)
        digest, size = "sha256:" + h.hexdigest(), os.path.getsize(path)
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    c.request("POST", f"/v2/{repo}/blobs/uploads/")
    r = c.getresponse()
    r.read()
    assert r.status == 202, f"POST upload: {r.status}"
    location = r.getheader("Location")
    location = re.sub(r"^https?://[^/]+", "", location)
    sep = "&" if "?" in location else "?"
    body = data if data is not None else open(path, "rb")
    try:
        c.request("PUT", f"{location}{sep}digest={digest}", body=body,
                  headers={"Content-Length": str(size), "Content-Type": "application/octet-stream"})
        r = c.getresponse()
        r.read()
        assert r.status == 201, f"PUT blob: {r.status}"
    finally:
        if data is None:
            body.close()
    return digest, size


def push_manifest(port, repo, ref, manifest):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request("PUT", f"/v2/{repo}/manifests/{ref}", body=manifest, headers={"Content-Type": OCI_MANIFEST})
    r = c.getresponse()
    r.read()
    assert r.status == 201, f"PUT manifest {repo}:{ref}: {r.status}"
    return "sha256:" + hashlib.sha256(manifest).hexdigest()


def push_image(port, repo, tags, layers):
    config = json.dumps({"architecture": "amd64", "os": "linux", "repo": repo}).encode()
    cd, cs = push_blob(port, repo, data=config)
    descs = [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": s} for d, s in layers]
    manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd,
                                      "size": cs},
                           "layers": descs}).encode()
    digest = None
    for t in tags:
        digest = push_manifest(port, repo, t, manifest)
    return digest


def seed(port, work, p):
    log(f"seeding upstream: big image {p['big']} MiB, fan-out blob {p['fanout']} MiB, "
        f"{p['smalls']} small images, {p['tags']} tags")
    bigs = []
    for rep in range(p["reps"] + 1):  # the last one is pulled over a bandwidth-limited upstream
        layers = []
        for i, mib in enumerate(p["big"]):
            path = os.path.join(work, f"big-{i}")
            random_file(path, int(mib * MB))
            layers.append(push_blob(port, f"library/big{rep}", path=path))
            os.remove(path)
        bigs.append((push_image(port, f"library/big{rep}", ["1"], layers), layers))
    path = os.path.join(work, "fanout")
    random_file(path, int(p["fanout"] * MB))
    fanout = push_blob(port, "library/fanout", path=path)
    os.remove(path)
    push_image(port, "library/fanout", ["1"], [fanout])
    smalls = []
    for i in range(p["smalls"]):
        ls = [push_blob(port, f"library/small{i}", data=os.urandom(int(p["small_layer"] * MB))) for _ in range(2)]
        tags = [f"t{k}" for k in range(p["tags"])] if i == 0 else ["1"]
        smalls.append(push_image(port, f"library/small{i}", tags, ls))
    return dict(bigs=bigs, big_layers=bigs[0][1], fanout=fanout, smalls=smalls)


# ---------------------------------------------------------------- measurements

def skopeo_pull(url, repo, ref, dest):
    shutil.rmtree(dest, ignore_errors=True)
    t0 = time.monotonic()
    r = subprocess.run(["skopeo", "--registries-conf", "/dev/null", "copy", "--src-tls-verify=false",
                        f"docker://{url[7:]}/{repo}:{ref}", f"dir:{dest}"], capture_output=True, timeout=600)
    took = time.monotonic() - t0
    if r.returncode != 0:
        raise RuntimeError(f"skopeo pull failed: {r.stderr.decode()[-500:]}")
    return took


def fetch_digest(url, path):
    host, port, _ = split_url(url)
    c = http.client.HTTPConnection(host, port, timeout=120)
    c.request("GET", path)
    return digest_of_response(c.getresponse())


def digest_of_response(r):
    """The status and the sha256 of a response's body, read in 1 MiB pieces."""
    h = hashlib.sha256()
    while True:
        chunk = r.read(MB)
        if not chunk:
            break
        h.update(chunk)
    return r.status, "sha256:" + h.hexdigest()


def fan_out(url, repo, digest, clients=16):
    t0 = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(lambda _: fetch_digest(url, f"/v2/{repo}/blobs/{digest}"), range(clients)))
    took = time.monotonic() - t0
    ok = all(s == 200 and d == digest for s, d in results)
    return took, ok


def get_bytes(url, path):
    host, port, _ = split_url(url)
    c = http.client.HTTPConnection(host, port, timeout=30)
    c.request("GET", path, headers={"Accept": ACCEPT})
    return c.getresponse().read()


def curl_throughput(urls):
    """Total MiB/s of concurrent curl downloads of the given URLs."""
    t0 = time.monotonic()
    procs = [subprocess.Popen(["curl", "-s", "-o", "/dev/null", "-w", "%{size_download} %{http_code}", u],
                              stdout=subprocess.PIPE) for u in urls]
    total = 0
    for p in procs:
        out, _ = p.communicate(timeout=300)
        size, code = out.decode().split()
        if code != "200":
            raise RuntimeError(f"curl got {code}")
        total += int(size)
    return total / MB / (time.monotonic() - t0)


def wrk(url, path_lua, seconds, work):
    script = os.path.join(work, "wrk.lua")
    with open(script, "w") as f:
        f.write(path_lua)
    r = subprocess.run(["wrk", "-t2", "-c32", f"-d{seconds}s", "--timeout", "5s", "--latency", "-s", script, url],
                       capture_output=True, timeout=seconds + 60)
    out = r.stdout.decode()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)] if p99 else None
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: .*timeout (\d+)", out)
    return dict(rps=rps, p99_ms=p99_ms, non2xx=int(non2xx.group(1)) if non2xx else 0,
                timeouts=int(errors.group(1)) if errors else 0)


def lua_fixed(path):
    return f'wrk.headers["Accept"] = "{ACCEPT}"\nrequest = function() return wrk.format("GET", "{path}") end\n'


def lua_paths(paths):
    """Rotates over static files (nginx serving the same manifest bytes)."""
    listed = ", ".join(f'"{x}"' for x in paths)
    return (f'wrk.headers["Accept"] = "{ACCEPT}"\nlocal paths = {{{listed}}}\nlocal i = 0\n'
            f'request = function() i = i % #paths + 1\n return wrk.format("GET", paths[i]) end\n')


def lua_tags(repo, count):
    return (f'wrk.headers["Accept"] = "{ACCEPT}"\nlocal i = 0\n'
            f'request = function() i = i + 1\n return wrk.format("GET", "/v2/{repo}/manifests/t" .. (i % {count})) end\n')


def timed_get(url, path, limit=30):
    host, port, _ = split_url(url)
    t0 = time.monotonic()
    try:
        c = http.client.HTTPConnection(host, port, timeout=limit)
        c.request("GET", path, headers={"Accept": ACCEPT})
        r = c.getresponse()
        r.read()
        return r.status, time.monotonic() - t0
    except OSError:
        return "timeout" if time.monotonic() - t0 >= limit - 0.5 else "error", time.monotonic() - t0


# ---------------------------------------------------------------- one candidate

def median_run(runs, key):
    return statistics.median(r[key] for r in runs)


def wrk_median(runs):
    """The run with the median rate of several, its p99 the median p99."""
    return dict(rps=median_run(runs, "rps"), p99_ms=median_run(runs, "p99_ms"), runs=runs)


class Profiler:
    """With --jfr DIR: a JFR recording (profile settings) of Hoard for each row, DIR/<row>.jfr."""

    def __init__(self, proc, out):
        self.proc, self.out, self.row = proc, out, None

    def row_starts(self, row):
        if not self.out or not self.proc.proc:
            return
        self.row_ends()
        self.row = row
        subprocess.run(["jcmd", str(self.proc.proc.pid), "JFR.start", f"name={row}", "settings=profile"],
                       capture_output=True, timeout=60)

    def row_ends(self):
        if self.out and self.row and self.proc.proc:
            subprocess.run(["jcmd", str(self.proc.proc.pid), "JFR.stop", f"name={self.row}",
                            f"filename={os.path.join(self.out, self.row + '.jfr')}"], capture_output=True, timeout=60)
        self.row = None


def measure(name, proc, relay, seeded, p, work, nginx=None, jfr=None):
    nginx_blob_url = nginx["blob_url"] if nginx else None
    res = {}
    log(f"{name}: starting")
    res["startup_s"] = proc.start()
    big_total = sum(s for _, s in seeded["big_layers"])
    profiler = Profiler(proc, jfr)
    profiler.row_starts("cold-warm-pulls")

    # Distinct images, each pulled cold then warm; the median of each is reported.
    colds, warms, cold_bytes, warm_bytes = [], [], 0, 0
    for rep in range(p["reps"]):
        relay.bytes_down = 0
        colds.append(skopeo_pull(proc.url, f"library/big{rep}", "1", os.path.join(work, f"pull-{name}")))
        cold_bytes += relay.bytes_down
        time.sleep(1)  # let asynchronous cache commits land
        relay.bytes_down = 0
        warms.append(skopeo_pull(proc.url, f"library/big{rep}", "1", os.path.join(work, f"pull-{name}")))
        warm_bytes += relay.bytes_down
    res["cold_pull_s"], res["cold_pull_runs"] = sorted(colds)[len(colds) // 2], colds
    res["warm_pull_s"], res["warm_pull_runs"] = sorted(warms)[len(warms) // 2], warms
    res["cold_pull_upstream_ratio"] = cold_bytes / big_total / p["reps"]
    res["warm_pull_upstream_ratio"] = warm_bytes / big_total / p["reps"]
    log(f"{name}: cold pulls {[round(c, 2) for c in colds]} s, upstream {res['cold_pull_upstream_ratio']:.2f}x; "
        f"warm {[round(w, 2) for w in warms]} s")
    # The same over an upstream link of 1 Gbit/s, as a data centre's link to Docker Hub might be:
    # here a registry that fetches each blob twice pays for it.
    profiler.row_starts("cold-pull-1gbit")
    relay.set("pass", rate=125 * 1000 * 1000)
    relay.bytes_down = 0
    res["cold_pull_1gbit_s"] = skopeo_pull(proc.url, f"library/big{p['reps']}", "1", os.path.join(work, f"pull-{name}"))
    res["cold_pull_1gbit_upstream_ratio"] = relay.bytes_down / big_total
    relay.set("pass")
    log(f"{name}: cold pull over a 1 Gbit/s upstream {res['cold_pull_1gbit_s']:.2f}s")
    shutil.rmtree(os.path.join(work, f"pull-{name}"), ignore_errors=True)

    relay.bytes_down = 0
    fanout_digest, fanout_size = seeded["fanout"]
    profiler.row_starts("fan-out")
    took, ok = fan_out(proc.url, "library/fanout", fanout_digest)
    res["fanout16_s"], res["fanout16_correct"] = took, ok
    res["fanout16_upstream_ratio"] = relay.bytes_down / fanout_size
    log(f"{name}: 16-way fan-out {took:.2f}s, correct={ok}, upstream {res['fanout16_upstream_ratio']:.2f}x")
    time.sleep(1)

    big_layer = seeded["big_layers"][0][0]
    blob_url = f"{proc.url}/v2/library/big0/blobs/{big_layer}"
    os.sync()  # no writeback of the fills above competing with the downloads below
    profiler.row_starts("warm-blobs")
    curl_throughput([blob_url])  # warm-up
    if nginx_blob_url:
        curl_throughput([nginx_blob_url])
    # Single downloads vary a lot on two shared cores: the median of five, interleaved with nginx's.
    ones, nginx_ones = [], []
    for _ in range(5):
        ones.append(curl_throughput([blob_url]))
        if nginx_blob_url:
            nginx_ones.append(curl_throughput([nginx_blob_url]))
    res["warm_1stream_mibs"], res["warm_1stream_runs"] = statistics.median(ones), ones
    res["nginx_1stream_runs"] = nginx_ones
    eights, nginx_eights = [], []
    for _ in range(3):
        eights.append(curl_throughput([blob_url] * 8))
        if nginx_blob_url:
            nginx_eights.append(curl_throughput([nginx_blob_url] * 8))
    res["warm_8stream_mibs"], res["warm_8stream_runs"] = statistics.median(eights), eights
    if nginx_blob_url:
        res["nginx_1stream_mibs"] = statistics.median(nginx_ones)
        res["nginx_8stream_mibs"], res["nginx_8stream_runs"] = statistics.median(nginx_eights), nginx_eights

    tag_repo = "library/small0"
    small_digest = seeded["smalls"][0]
    profiler.row_starts("manifests")
    tag_files = []
    for t in range(min(p["tags"], 400)):  # cache the tags first: steady state, not first pulls
        timed_get(proc.url, f"/v2/{tag_repo}/manifests/t{t}")
        if nginx:  # the same bytes as static files, for nginx
            tag_files.append(f"/tags/t{t}")
            with open(os.path.join(nginx["root"], "tags", f"t{t}"), "wb") as f:
                f.write(get_bytes(proc.url, f"/v2/{tag_repo}/manifests/t{t}"))
    by_digest = lua_fixed(f"/v2/{tag_repo}/manifests/{small_digest}")
    by_tag = lua_tags(tag_repo, p["tags"])
    # Hoard and nginx interleaved, three rounds each when nginx is there: the median of each.
    rounds = 3 if nginx else 1
    runs = {k: [] for k in ("digest", "tag", "nginx_digest", "nginx_tag")}
    for _ in range(rounds):
        runs["digest"].append(wrk(proc.url, by_digest, p["wrk"], work))
        if nginx:
            hexd = small_digest.split(":")[1]
            runs["nginx_digest"].append(wrk(nginx["url"], lua_fixed(f"/blobs/sha256/{hexd[:2]}/{hexd}/data"), p["wrk"], work))
        runs["tag"].append(wrk(proc.url, by_tag, p["wrk"], work))
        if nginx:
            runs["nginx_tag"].append(wrk(nginx["url"], lua_paths(tag_files), p["wrk"], work))
    res["manifest_digest"], res["manifest_tag"] = wrk_median(runs["digest"]), wrk_median(runs["tag"])
    if nginx:
        res["nginx_manifest_digest"], res["nginx_manifest_tag"] = wrk_median(runs["nginx_digest"]), wrk_median(runs["nginx_tag"])
    log(f"{name}: manifests by digest {res['manifest_digest']['rps']:.0f} rps, by tag {res['manifest_tag']['rps']:.0f} rps")

    profiler.row_starts("upstream-latency")
    relay.set("pass", delay=0.02)
    res["latency20_manifest_tag"] = wrk(proc.url, lua_tags(tag_repo, p["tags"]), p["wrk"], work)
    res["latency20_cold_small_pull_s"] = skopeo_pull(proc.url, "library/small1", "1", os.path.join(work, "s1"))
    relay.set("pass")
    log(f"{name}: with 20 ms upstream latency, by tag {res['latency20_manifest_tag']['rps']:.0f} rps")

    profiler.row_ends()
    for mode in ("down", "hang"):
        relay.set(mode)
        res[f"{mode}_by_tag"] = timed_get(proc.url, f"/v2/{tag_repo}/manifests/t1")
        res[f"{mode}_by_digest"] = timed_get(proc.url, f"/v2/{tag_repo}/manifests/{small_digest}")
        log(f"{name}: upstream {mode}: by tag {res[f'{mode}_by_tag']}, by digest {res[f'{mode}_by_digest']}")
    relay.set("pass")

    res["peak_rss_mib"] = proc.peak_rss_mib()
    proc.stop()
    return res


def footprint(name, proc, relay, seeded, p, work):
    """Peak RSS of a start with no JVM options at all (plain java -jar) through the fan-out and manifest rows."""
    log(f"{name}: starting")
    res = {"startup_s": proc.start()}
    fanout_digest, _ = seeded["fanout"]
    res["fanout16_s"], res["fanout16_correct"] = fan_out(proc.url, "library/fanout", fanout_digest)
    tag_repo = "library/small0"
    for t in range(min(p["tags"], 400)):
        timed_get(proc.url, f"/v2/{tag_repo}/manifests/t{t}")
    res["manifest_digest"] = wrk(proc.url, lua_fixed(f"/v2/{tag_repo}/manifests/{seeded['smalls'][0]}"), p["wrk"], work)
    res["manifest_tag"] = wrk(proc.url, lua_tags(tag_repo, p["tags"]), p["wrk"], work)
    res["peak_rss_mib"] = proc.peak_rss_mib()
    log(f"{name}: startup {res['startup_s']:.2f}s, peak RSS {res['peak_rss_mib']:.0f} MiB")
    proc.stop()
    return res


# ---------------------------------------------------------------- report

ROWS = [
    ("startup to first 200 (s)", lambda r: r["startup_s"], "lower", "≤ 1.5 s"),
    ("cold pull of big image, median (s)", lambda r: r["cold_pull_s"], "lower", "≤ 0.8 × distribution"),
    ("cold pull: upstream bytes / image", lambda r: r["cold_pull_upstream_ratio"], "lower", "1.0"),
    ("cold pull, upstream limited to 1 Gbit/s (s)", lambda r: r["cold_pull_1gbit_s"], "lower", ""),
    ("warm pull, median (s)", lambda r: r["warm_pull_s"], "lower", ""),
    ("warm pull: upstream bytes / image", lambda r: r["warm_pull_upstream_ratio"], "lower", "0"),
    ("16 concurrent cold fetches of one blob (s)", lambda r: r["fanout16_s"], "lower", ""),
    ("16 concurrent: all digests correct", lambda r: r["fanout16_correct"], "bool", "yes"),
    ("16 concurrent: upstream bytes / blob", lambda r: r["fanout16_upstream_ratio"], "lower", "1.0"),
    ("warm blob, 1 stream (MiB/s)", lambda r: r["warm_1stream_mibs"], "higher", "≥ 0.9 × nginx"),
    ("warm blob, 8 streams (MiB/s)", lambda r: r["warm_8stream_mibs"], "higher", ""),
    ("manifest by digest (req/s)", lambda r: r["manifest_digest"]["rps"], "higher", "≥ 2 × distribution"),
    ("manifest by digest p99 (ms)", lambda r: r["manifest_digest"]["p99_ms"], "lower", "≤ 0.5 × distribution"),
    ("manifest by tag (req/s)", lambda r: r["manifest_tag"]["rps"], "higher", "no upstream request in TTL"),
    ("manifest by tag p99 (ms)", lambda r: r["manifest_tag"]["p99_ms"], "lower", ""),
    ("by tag, upstream +20 ms (req/s)", lambda r: r["latency20_manifest_tag"]["rps"], "higher", ""),
    ("cold small pull, upstream +20 ms (s)", lambda r: r["latency20_cold_small_pull_s"], "lower", ""),
    ("upstream stopped: by tag", lambda r: r["down_by_tag"], "status", "200"),
    ("upstream stopped: by digest", lambda r: r["down_by_digest"], "status", "200"),
    ("upstream hung: by tag", lambda r: r["hang_by_tag"], "status", "200"),
    ("upstream hung: by digest", lambda r: r["hang_by_digest"], "status", "200"),
    ("peak RSS (MiB)", lambda r: r["peak_rss_mib"], "lower", "≤ 256"),
]

# Hoard against nginx serving the same bytes as static files (sendfile), measured in the same run.
NGINX_ROWS = [
    ("warm blob, 1 stream (MiB/s)", "warm_1stream_mibs", "nginx_1stream_mibs", "higher", "≥ 0.95 × nginx"),
    ("warm blob, 8 streams (MiB/s)", "warm_8stream_mibs", "nginx_8stream_mibs", "higher", "≥ 0.95 × nginx"),
    ("manifest by digest (req/s)", ("manifest_digest", "rps"), ("nginx_manifest_digest", "rps"), "higher", "≥ 1 × nginx"),
    ("manifest by digest p99 (ms)", ("manifest_digest", "p99_ms"), ("nginx_manifest_digest", "p99_ms"), "lower", "< 5 ms"),
    ("manifest by tag (req/s)", ("manifest_tag", "rps"), ("nginx_manifest_tag", "rps"), "higher", "≥ 1 × nginx"),
    ("manifest by tag p99 (ms)", ("manifest_tag", "p99_ms"), ("nginx_manifest_tag", "p99_ms"), "lower", "< 5 ms"),
]


def pick(r, key):
    return r[key[0]][key[1]] if isinstance(key, tuple) else r[key]


def fmt(v):
    if isinstance(v, bool):
        return "yes" if v else "NO"
    if isinstance(v, tuple):
        return f"{v[0]} in {v[1]:.2f} s"
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) < 10 else f"{v:.0f}" if abs(v) >= 1000 else f"{v:.1f}"
    return str(v)


def table(results):
    h, d = results["hoard"], results["distribution"]
    lines = ["| measure | Hoard | distribution 2.8 | Hoard / distribution | target |", "|---|---|---|---|---|"]
    for label, get, kind, target in ROWS:
        try:
            hv, dv = get(h), get(d)
        except (KeyError, TypeError):
            continue
        ratio = ""
        if kind in ("lower", "higher") and isinstance(hv, (int, float)) and isinstance(dv, (int, float)) and dv:
            ratio = f"{hv / dv:.2f}"
        lines.append(f"| {label} | {fmt(hv)} | {fmt(dv)} | {ratio} | {target} |")
    if "nginx_1stream_mibs" in h:
        lines += ["", "| measure | Hoard | nginx | Hoard / nginx | target |", "|---|---|---|---|---|"]
        for label, hk, nk, kind, target in NGINX_ROWS:
            try:
                hv, nv = pick(h, hk), pick(h, nk)
            except (KeyError, TypeError):
                continue
            lines.append(f"| {label} | {fmt(hv)} | {fmt(nv)} | {hv / nv:.2f} | {target} |")
    cluster = results.get("cluster")
    if cluster:
        ch, cd = cluster["hoard"], cluster["distribution"]
        lines += ["", f"| 2 instances on one S3Proxy bucket, 8 clients pull a {cluster['blob_mib']} MiB blob cold "
                  "| Hoard (Redis) | distribution 2.8 | Hoard / distribution | target |", "|---|---|---|---|---|",
                  f"| time to the last byte (s) | {fmt(ch['cold_cluster_s'])} | {fmt(cd['cold_cluster_s'])} | "
                  f"{ch['cold_cluster_s'] / cd['cold_cluster_s']:.2f} | (loopback upstream: bytes are free) |",
                  f"| upstream bytes (MiB) | {fmt(ch['cluster_upstream_mib'])} | {fmt(cd['cluster_upstream_mib'])} | "
                  f"{(ch['cluster_upstream_mib'] / cd['cluster_upstream_mib']) if cd['cluster_upstream_mib'] else 0:.2f} "
                  f"| one blob for the cluster |",
                  f"| {cluster['slow_blob_mib']} MiB blob, upstream link {cluster['slow_blob_mib'] / 1.5:.1f} MiB/s: "
                  f"time to the last byte (s) | {fmt(ch['cold_cluster_slow_s'])} | {fmt(cd['cold_cluster_slow_s'])} | "
                  f"{ch['cold_cluster_slow_s'] / cd['cold_cluster_slow_s']:.2f} | ≤ 0.5 |",
                  f"| its upstream bytes (MiB) | {fmt(ch['cluster_slow_upstream_mib'])} | "
                  f"{fmt(cd['cluster_slow_upstream_mib'])} | "
                  f"{(ch['cluster_slow_upstream_mib'] / cd['cluster_slow_upstream_mib']) if cd['cluster_slow_upstream_mib'] else 0:.2f}"
                  f" | one blob for the cluster |"]
    plain = results.get("hoard_plain_jar")
    if plain:
        lines += ["", "| plain `java -jar hoard.jar`, no JVM options | value | target |", "|---|---|---|",
                  f"| startup to first 200 (s) | {fmt(plain['startup_s'])} | ≤ 1.0 s |",
                  f"| peak RSS through fan-out and manifest rows (MiB) | {fmt(plain['peak_rss_mib'])} | ≤ 256 |"]
    return "\n".join(lines)


def start_nginx(work, blob_root, blob_digest):
    """nginx over Hoard's blob files (/blobs/...) and manifest copies written later (/tags/...)."""
    port = free_port()
    root = os.path.join(work, "nginx-root")
    os.makedirs(os.path.join(root, "tags"), exist_ok=True)
    os.makedirs(blob_root, exist_ok=True)
    if not os.path.exists(os.path.join(root, "blobs")):
        os.symlink(blob_root, os.path.join(root, "blobs"))
    conf = os.path.join(work, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""user root;
worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 256; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  server {{ listen 127.0.0.1:{port}; root {root}; }}
}}
""")
    proc = subprocess.Popen(["nginx", "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    hexd = blob_digest.split(":")[1]
    info = dict(url=f"http://127.0.0.1:{port}", root=root, blob_url=f"http://127.0.0.1:{port}/blobs/sha256/{hexd[:2]}/{hexd}/data")
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return proc, info
        except OSError:
            time.sleep(0.02)
    return proc, None



# ---------------------------------------------------------------- a cluster on object storage

def wait_port(port, limit=60):
    start = time.monotonic()
    while time.monotonic() - start < limit:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port} after {limit}s")


def fetch_following(url, path):
    """GET that follows one redirect (an s3-backed registry sends clients to a presigned URL)."""
    host, port, _ = split_url(url)
    c = http.client.HTTPConnection(host, port, timeout=300)
    c.request("GET", path)
    r = c.getresponse()
    if r.status in (301, 302, 303, 307, 308):
        r.read()
        location = r.getheader("Location")
        lhost, lport, lpath = split_url(location)
        c = http.client.HTTPConnection(lhost, lport, timeout=300)
        c.request("GET", location[location.index("/", 8):])
        r = c.getresponse()
    return digest_of_response(r)


def cluster_row(args, p, work, relay, seeded):
    """Two instances of each product on one S3Proxy bucket each: 8 clients (4 per instance) pull the
    fan-out blob cold at once. Hoard's instances coordinate through Redis; distribution's cannot."""
    cp_file = args.s3proxy_classpath
    if not cp_file or not os.path.exists(cp_file) or not shutil.which("redis-server"):
        log("cluster row skipped: no S3Proxy classpath or no redis-server")
        return None
    with open(cp_file) as f:
        cp = f.read().strip()
    cdir = os.path.join(work, "cluster")
    s3dir = os.path.join(cdir, "s3")
    for bucket in ("hoard", "dist"):
        os.makedirs(os.path.join(s3dir, bucket))
    s3port, redis_port = free_port(), free_port()
    props = os.path.join(cdir, "s3proxy.properties")
    with open(props, "w") as f:
        f.write(f"s3proxy.endpoint=http://127.0.0.1:{s3port}\ns3proxy.authorization=aws-v2-or-v4\n"
                f"s3proxy.identity=bench\ns3proxy.credential=bench-secret-key\njclouds.provider=filesystem\n"
                f"jclouds.filesystem.basedir={s3dir}\n")
    logs = open(os.path.join(cdir, "peers.log"), "wb")
    peers = [subprocess.Popen([args.java, "-cp", cp, "org.gaul.s3proxy.Main", "--properties", props], stdout=logs,
                              stderr=subprocess.STDOUT, start_new_session=True),
             subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", cdir], stdout=logs, stderr=subprocess.STDOUT,
                              start_new_session=True)]
    size = seeded["fanout"][1]
    slow_mib = seeded["bigs"][-1][1][0][1] / MB
    out = {}
    try:
        wait_port(s3port)
        wait_port(redis_port)
        s3 = (f"{{accesskey: bench, secretkey: bench-secret-key, region: us-east-1, "
              f"regionendpoint: 'http://127.0.0.1:{s3port}', secure: false, rootdirectory: /registry, bucket: ")
        for name in ("hoard", "distribution"):
            procs = []
            try:
                out[name] = cluster_pull(args, name, procs, cdir, s3, redis_port, relay, seeded["fanout"],
                                         (f"library/big{p['reps']}", seeded["bigs"][-1][1][0]))
            finally:
                for proc in procs:
                    proc.stop()
    finally:
        for peer in peers:
            os.killpg(peer.pid, signal.SIGTERM)
            peer.wait(10)
        logs.close()
    out["blob_mib"] = round(size / MB, 1)
    out["slow_blob_mib"] = round(slow_mib, 1)
    return out


def cluster_pull(args, name, procs, cdir, s3, redis_port, relay, fanout, limited):
    """Starts two instances of `name` (appended to procs) and times 8 cold pulls over them."""
    for i in range(2):
        port = free_port()
        cfg = os.path.join(cdir, f"{name}-{i}.yml")
        with open(cfg, "w") as f:
            if name == "hoard":
                f.write(f"version: 0.1\nlog: {{level: warn, accesslog: {{disabled: true}}}}\n"
                        f"storage: {{s3: {s3}hoard}}, cache: {{blobdescriptor: redis}}}}\n"
                        f"http: {{addr: 127.0.0.1:{port}, secret: bench-cluster}}\n"
                        f"redis: {{addr: '127.0.0.1:{redis_port}'}}\n"
                        f"proxy: {{remoteregistries: [{{url: 'http://127.0.0.1:{relay.port}'}}], ttl: 1h}}\n")
                cmd = [args.java, *os.environ.get("HOARD_JAVA_OPTS", "").split(), "-jar", args.jar, "serve", cfg]
                env = None
            else:
                f.write(f"version: 0.1\nlog: {{level: error, accesslog: {{disabled: true}}}}\n"
                        f"storage: {{s3: {s3}dist}}}}\n"
                        f"http: {{addr: 127.0.0.1:{port}, secret: bench-cluster}}\n"
                        f"proxy: {{remoteurl: 'http://127.0.0.1:{relay.port}'}}\n")
                cmd = ["docker-registry", "serve", cfg]
                env = {"AWS_CA_BUNDLE": ""}
            proc = Process(f"{name}-cluster-{i}", cmd, port, cdir, env)
            if env is not None:
                proc.env.pop("AWS_CA_BUNDLE", None)
        procs.append(proc)
        proc.start()
    # A running cluster has served before: each instance pulls a small image first (a fresh JVM
    # would otherwise pay its class loading and compilation inside the measured pull).
    for i, proc in enumerate(procs):
        manifest = json.loads(get_bytes(proc.url, f"/v2/library/small{i}/manifests/{'t0' if i == 0 else '1'}"))
        if "layers" not in manifest:
            raise RuntimeError(f"{name} answered {manifest} for library/small{i}:1")
        for layer in manifest["layers"]:
            fetch_following(proc.url, f"/v2/library/small{i}/blobs/{layer['digest']}")
    out = {}
    for label, repo, (blob, size), rate in (("", "library/fanout", fanout, 0.0),
                                            ("_slow", limited[0], limited[1], limited[1][1] / 1.5)):
        relay.set("pass", rate=rate)
        relay.bytes_down = 0
        t0 = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            got = list(pool.map(lambda k: fetch_following(procs[k % 2].url, f"/v2/{repo}/blobs/{blob}"), range(8)))
        took = time.monotonic() - t0
        relay.set("pass")
        log(f"{name}: 2-instance cold fan-out on S3{' over a slow upstream' if rate else ''} {took:.2f}s, "
            f"upstream {relay.bytes_down / MB:.1f} MiB")
        out[f"cold_cluster{label}_s"] = round(took, 2)
        out[f"cluster{label}_upstream_mib"] = round(relay.bytes_down / MB, 1)
        out[f"cluster{label}_correct"] = all(st == 200 and d == blob for st, d in got)
    out["cluster_correct"] = out["cluster_correct"] and out["cluster_slow_correct"]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--java", required=True)
    ap.add_argument("--jar", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--out", default=None, help="directory for results.json and results.md")
    ap.add_argument("--s3proxy-classpath", default=None, help="file with S3Proxy's classpath (for the cluster row)")
    ap.add_argument("--jfr", default=None, help="directory for a JFR recording of Hoard per row (slower; not for numbers)")
    args = ap.parse_args()
    profile = "smoke" if args.smoke else "quick" if args.quick else "full"
    p = PROFILES[profile]
    work = tempfile.mkdtemp(prefix="hoard-bench-")
    out = args.out or os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
    os.makedirs(out, exist_ok=True)
    started = []
    t_start = time.monotonic()
    try:
        up_port = free_port()
        up_dir = os.path.join(work, "upstream")
        os.makedirs(up_dir)
        with open(os.path.join(up_dir, "config.yml"), "w") as f:
            f.write(f"version: 0.1\nlog: {{level: error, accesslog: {{disabled: true}}}}\n"
                    f"storage: {{filesystem: {{rootdirectory: {up_dir}/data}}}}\nhttp: {{addr: 127.0.0.1:{up_port}}}\n")
        upstream = Process("upstream", ["docker-registry", "serve", os.path.join(up_dir, "config.yml")], up_port, up_dir)
        started.append(upstream)
        upstream.start()
        seeded = seed(up_port, work, p)
        relay = Relay(up_port)

        results = {}
        for name in ("hoard", "distribution"):
            cdir = os.path.join(work, name)
            os.makedirs(cdir)
            port = free_port()
            if name == "hoard":
                with open(os.path.join(cdir, "config.yml"), "w") as f:
                    f.write(f"version: 0.1\nlog: {{level: warn, accesslog: {{disabled: true}}}}\n"
                            f"storage: {{filesystem: {{rootdirectory: {cdir}/data}}}}\n"
                            f"http: {{addr: 127.0.0.1:{port}}}\n"
                            f"proxy: {{remoteregistries: [{{url: 'http://127.0.0.1:{relay.port}'}}], ttl: 1h, timeout: 3s}}\n")
                cmd = [args.java, *os.environ.get("HOARD_JAVA_OPTS", "").split(),
                       "-jar", args.jar, "serve", os.path.join(cdir, "config.yml")]
                # As installed: the class-data archive exists before the measured start (first runs write it).
                warm = Process("hoard-warmup", cmd[:-1] + [os.path.join(cdir, "warmup.yml")], free_port(), cdir)
                with open(os.path.join(cdir, "warmup.yml"), "w") as f:
                    f.write(f"storage: {{inmemory: {{}}}}\nhttp: {{addr: 127.0.0.1:{warm.port}}}\n"
                            f"log: {{level: warn}}\n")
                warm.start()
                warm.stop()
            else:
                with open(os.path.join(cdir, "config.yml"), "w") as f:
                    f.write(f"version: 0.1\nlog: {{level: error, accesslog: {{disabled: true}}}}\n"
                            f"storage: {{filesystem: {{rootdirectory: {cdir}/data}}}}\n"
                            f"http: {{addr: 127.0.0.1:{port}}}\n"
                            f"proxy: {{remoteurl: 'http://127.0.0.1:{relay.port}'}}\n")
                cmd = ["docker-registry", "serve", os.path.join(cdir, "config.yml")]
            proc = Process(name, cmd, port, cdir)
            started.append(proc)
            nginx_info = None
            nginx = None
            if name == "hoard":
                nginx, nginx_info = start_nginx(work, f"{cdir}/data/docker/registry/v2/blobs", seeded["big_layers"][0][0])
            try:
                jfr = None
                if args.jfr and name == "hoard":
                    jfr = os.path.abspath(args.jfr)
                    os.makedirs(jfr, exist_ok=True)
                results[name] = measure(name, proc, relay, seeded, p, work, nginx_info, jfr)
            finally:
                if nginx:
                    os.killpg(nginx.pid, signal.SIGTERM)
                    nginx.wait(10)
            if name == "hoard":
                # What a plain `java -jar` costs, with no options from any script: a fresh cache.
                pdir = os.path.join(work, "hoard-plain")
                os.makedirs(pdir)
                pport = free_port()
                with open(os.path.join(pdir, "config.yml"), "w") as f:
                    f.write(f"version: 0.1\nlog: {{level: warn, accesslog: {{disabled: true}}}}\n"
                            f"storage: {{filesystem: {{rootdirectory: {pdir}/data}}}}\n"
                            f"http: {{addr: 127.0.0.1:{pport}}}\n"
                            f"proxy: {{remoteregistries: [{{url: 'http://127.0.0.1:{relay.port}'}}], ttl: 1h, timeout: 3s}}\n")
                plain = Process("hoard-plain", [args.java, "-jar", args.jar, "serve", os.path.join(pdir, "config.yml")],
                                pport, pdir)
                started.append(plain)
                results["hoard_plain_jar"] = footprint("hoard (plain java -jar)", plain, relay, seeded, p, work)
        cluster = cluster_row(args, p, work, relay, seeded)
        if cluster:
            results["cluster"] = cluster
        relay.close()

        meta = dict(date=time.strftime("%Y-%m-%d %H:%M %Z"), profile=profile, machine=platform.machine(),
                    cpus=os.cpu_count(), kernel=platform.release(), sizes=p,
                    seconds=round(time.monotonic() - t_start, 1))
        results["meta"] = meta
        with open(os.path.join(out, "results.json"), "w") as f:
            json.dump(results, f, indent=2, default=str)
        md = table(results)
        with open(os.path.join(out, "results.md"), "w") as f:
            f.write(f"Run {meta['date']}, profile {profile}, {meta['cpus']} CPUs, {meta['seconds']} s\n\n{md}\n")
        print(md)
        log(f"done in {meta['seconds']} s; results in {out}/results.json and results.md")
        ok = results["hoard"]["fanout16_correct"] and results["distribution"]["fanout16_correct"]
        if cluster:
            ok = ok and cluster["hoard"]["cluster_correct"] and cluster["distribution"]["cluster_correct"]
        return 0 if ok else 1
    finally:
        for proc in started:
            proc.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
