#!/usr/bin/env python3
"""`make bench`: inference, viewer and search benchmarks of jupyterlab-bioimage.

Prints ONE JSON object on stdout (progress on stderr) and saves it to
bench-results/latest.json. Everything runs on loopback:

- the fixture model (unet2d_nuclei_broad: fixed 1x1x512x512 input, halo 32) on a
  2048x2048 float32 image, tiled with 512x512 blocks (25 tiles):
  (a) our pipeline in headless Chromium, wasm, 1 thread (page not isolated);
  (b) the same, 2 threads, page cross-origin isolated (server with
      c.BioImageCache.cross_origin_isolation = True);
  (c) WebGPU and (c') WebNN: used when real, else why not;
  (d) the Node CLI (1 thread), or the pipeline called from Node when the CLI
      is not built;
  (e) Python onnxruntime, same preprocessing, same 25 tiles, 1 and 2 threads;
- raw onnxruntime-web inference per tile (the worker's `bench` request), the
  pipeline overhead, the 2-vs-1-thread speed-up, cold start, peak memory of a
  4096x4096 run, bytes downloaded for inference;
- viewer: contrast re-render of a 2048x2048 uint16 plane (Node), and in
  headless Chromium the redraw of a real viewer after a contrast change and
  after a colour-map change for both renderers (software 2-D canvas and
  WebGL2; WebGL2 here is SwiftShader on the CPU, there is no GPU); first
  plane of a 100 MB multi-page TIFF; zoo search per keystroke on 5,000 entries.

This machine is shared and slow, so besides wall times the CPU time of the
process doing the work is recorded: CPU time does not grow when other
processes take the cores, wall time does. Overheads are given both ways.

Options: --raw-runs N (5), --pipeline-runs N (1), --cold-starts N (3),
--skip-memory, --webgpu-fallback-run (one ~minute-long run on the software
adapter), --viewer-only (only the browser viewer redraws, about a minute),
--keep (keep the temporary directory).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
FIXTURES = Path(os.environ.get("BIOIMAGE_FIXTURES", ROOT.parent / "shared" / "fixtures"))
MODEL_DIR = FIXTURES / "models" / "unet2d_nuclei_broad"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
VENV_BIN = Path(sys.executable).parent
BLOCK = 512
HALO = 32
STARTED = time.monotonic()


def log(*args: Any) -> None:
    print(f"[bench {time.monotonic() - STARTED:6.0f}s]", *args, file=sys.stderr, flush=True)


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def median(xs: list[float]) -> float:
    return float(statistics.median(xs))


def mps(pixels: int, ms: float) -> float:
    """Megapixels per second."""
    return round(pixels / 1e6 / (ms / 1000), 4)


def rnd(x: Any) -> Any:
    """Round floats for the report: 3 decimals below 10, else 1."""
    if isinstance(x, float):
        return round(x, 3) if abs(x) < 10 else round(x, 1)
    if isinstance(x, dict):
        return {k: rnd(v) for k, v in x.items()}
    if isinstance(x, list):
        return [rnd(v) for v in x]
    return x


# ----------------------------------------------------------------------------- machine


def cmd_output(args: list[str]) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=60).stdout.strip()
    except Exception as e:  # noqa: BLE001
        return f"unavailable ({e})"


def machine_info() -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    import onnxruntime

    def pkg_version(path: Path) -> str:
        try:
            return json.loads(path.read_text())["version"]
        except Exception:  # noqa: BLE001
            return "unknown"

    try:
        import jupyterlab

        lab = jupyterlab.__version__
    except Exception:  # noqa: BLE001
        lab = "unknown"
    return {
        "cpuModel": cpu,
        "logicalCores": os.cpu_count(),
        "ramGiB": round(mem_kb / 1024**2, 1),
        "kernel": platform.release(),
        "chromium": cmd_output([CHROMIUM, "--version"]).splitlines()[0]
        if Path(CHROMIUM).exists()
        else "missing",
        "node": cmd_output(["node", "--version"]),
        "python": platform.python_version(),
        "onnxruntimePython": onnxruntime.__version__,
        "onnxruntimeWeb": pkg_version(ROOT / "node_modules" / "onnxruntime-web" / "package.json"),
        "playwright": pkg_version(
            ROOT / "ui-tests" / "node_modules" / "@playwright" / "test" / "package.json"
        ),
        "jupyterlab": lab,
        "numpy": np.__version__,
        "loadAverageAtStart": loadavg(),
    }


# ----------------------------------------------------------------------------- data


def make_data(tmp: Path) -> dict[str, Path]:
    root = tmp / "root"
    (root / "unet").mkdir(parents=True)
    for f in MODEL_DIR.iterdir():
        if f.is_file():
            shutil.copy(f, root / "unet" / f.name)
    rng = np.random.default_rng(0)
    img2048 = root / "img2048.npy"
    np.save(img2048, rng.uniform(100, 4000, (2048, 2048)).astype("float32"))
    img4096 = root / "img4096.npy"
    np.save(img4096, rng.uniform(100, 4000, (4096, 4096)).astype("float32"))
    import tifffile

    tiff = tmp / "stack_200x512x512_uint16.tif"
    tifffile.imwrite(tiff, rng.integers(0, 4096, (200, 512, 512), dtype=np.uint16))
    return {"root": root, "img2048": img2048, "img4096": img4096, "tiff": tiff}


# ----------------------------------------------------------------------------- Python ORT


def tile_starts(size: int, inner: int) -> list[int]:
    """Inner starts 0, inner, 2*inner, ..., the last clamped to size - inner (as ours)."""
    starts = list(range(0, max(1, size - inner + 1), inner))
    if starts[-1] + inner < size:
        starts.append(size - inner)
    return starts


def python_pipeline(session: Any, image: np.ndarray) -> tuple[np.ndarray, int]:
    """The same pipeline as ours: preprocessing on the whole sample, 512 blocks with a
    32 px halo, reflect padding, stitching of the inner regions, sigmoid."""
    x = image.astype("float32")
    x = ((x - x.mean()) / (x.std() + 1e-6)).astype("float32")  # zero_mean_unit_variance
    inner = BLOCK - 2 * HALO
    padded = np.pad(x, HALO, mode="reflect")
    out = np.empty_like(x)
    name = session.get_inputs()[0].name
    tiles = 0
    for y0 in tile_starts(x.shape[0], inner):
        for x0 in tile_starts(x.shape[1], inner):
            block = padded[y0 : y0 + BLOCK, x0 : x0 + BLOCK][None, None]
            y = session.run(None, {name: np.ascontiguousarray(block)})[0]
            out[y0 : y0 + inner, x0 : x0 + inner] = y[0, 0, HALO : HALO + inner, HALO : HALO + inner]
            tiles += 1
    return (1 / (1 + np.exp(-out))).astype("float32"), tiles


def python_ort(image_path: Path, threads: int, raw_runs: int, pipeline_runs: int) -> dict[str, Any]:
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    t = time.perf_counter()
    session = ort.InferenceSession(
        str(MODEL_DIR / "weights.onnx"), so, providers=["CPUExecutionProvider"]
    )
    open_ms = (time.perf_counter() - t) * 1000
    name = session.get_inputs()[0].name
    feed = {name: np.random.default_rng(1).uniform(-1, 1, (1, 1, BLOCK, BLOCK)).astype("float32")}

    def timed(fn: Any) -> tuple[float, float]:
        c, w = time.process_time(), time.perf_counter()
        fn()
        return (time.perf_counter() - w) * 1000, (time.process_time() - c) * 1000

    warm = timed(lambda: session.run(None, feed))
    raw = [timed(lambda: session.run(None, feed)) for _ in range(raw_runs)]
    image = np.load(image_path)
    runs = []
    for _ in range(pipeline_runs):
        c, w = time.process_time(), time.perf_counter()
        _, tiles = python_pipeline(session, image)
        runs.append(
            {
                "milliseconds": (time.perf_counter() - w) * 1000,
                "cpuMs": (time.process_time() - c) * 1000,
                "tiles": tiles,
            }
        )
    ms = median([r["milliseconds"] for r in runs])
    return {
        "threads": threads,
        "openMs": open_ms,
        "raw": {
            "warmupMs": warm[0],
            "runMs": [r[0] for r in raw],
            "medianMs": median([r[0] for r in raw]),
            "cpuMsPerRun": median([r[1] for r in raw]),
        },
        "pipeline": runs,
        "pipelineMedianMs": ms,
        "tiles": runs[0]["tiles"],
        "megapixelsPerSecond": mps(image.size, ms),
    }


# ----------------------------------------------------------------------------- helpers


def run_json(args: list[str], label: str, timeout: float, env: dict | None = None) -> Any:
    log(f"{label}: {' '.join(str(a) for a in args[:6])} ...")
    proc = subprocess.run(
        [str(a) for a in args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=None,  # progress goes straight to our stderr
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{label} failed with exit code {proc.returncode}")
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip().startswith("{")]
    return json.loads(lines[-1])


def node_task(task: str, config: dict, tmp: Path, timeout: float = 900) -> Any:
    cfg = tmp / f"node-{task}-{time.monotonic_ns()}.json"
    cfg.write_text(json.dumps(config))
    return run_json(
        ["node", "--import", "./bench/node/register.mjs", "bench/node/node-bench.mjs", task, cfg],
        f"node {task}",
        timeout,
    )


def browser_task(scenario: str, config: dict, tmp: Path, timeout: float = 900) -> Any:
    cfg = tmp / f"browser-{scenario}.json"
    cfg.write_text(json.dumps({**config, "chromium": CHROMIUM}))
    out = run_json(["node", "bench/browser.mjs", scenario, cfg], f"browser {scenario}", timeout)
    raw = ROOT / "bench-results" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    (raw / f"browser-{scenario}.json").write_text(json.dumps(out, indent=1))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def jupyter_server(root: Path, isolation: bool, tmp: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "BIOIMAGE_BENCH_PORT": str(port),
        "BIOIMAGE_BENCH_ROOT": str(root),
        "BIOIMAGE_BENCH_ISOLATION": "1" if isolation else "0",
        "JUPYTER_CONFIG_DIR": str(tmp / f"jupyter-config-{port}"),
    }
    logfile = open(tmp / f"server-{port}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [str(VENV_BIN / "jupyter"), "lab", "--config", str(BENCH / "jupyter_bench_config.py")],
        cwd=root,
        env=env,
        stdout=logfile,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited ({proc.returncode}); see {logfile.name}")
            try:
                with urllib.request.urlopen(f"{url}/lab", timeout=5) as r:
                    headers = dict(r.headers)
                    break
            except Exception:  # noqa: BLE001
                if time.monotonic() > deadline:
                    raise RuntimeError("jupyter lab did not answer within 120 s") from None
                time.sleep(0.5)
        coop = headers.get("Cross-Origin-Opener-Policy")
        log(f"server on {url} (isolation={isolation}, COOP={coop})")
        if isolation and coop != "same-origin":
            raise RuntimeError("the server does not send COOP/COEP; is the server extension enabled?")
        yield url
    finally:
        # Stop the server we started (its own session: SIGTERM to its group).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        logfile.close()


def time_v(args: list[str]) -> dict[str, Any]:
    """Run under /usr/bin/time -v: wall seconds, max RSS, exit code, stderr tail."""
    proc = subprocess.run(
        ["/usr/bin/time", "-v", *[str(a) for a in args]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    info: dict[str, Any] = {"exitCode": proc.returncode}
    for line in proc.stderr.splitlines():
        line = line.strip()
        if line.startswith("Maximum resident set size"):
            info["maxRssMB"] = int(line.rsplit(":", 1)[1]) / 1024
        elif line.startswith("Elapsed (wall clock) time"):
            parts = line.rsplit(" ", 1)[1].split(":")
            info["wallMs"] = sum(float(p) * 60**i for i, p in enumerate(reversed(parts))) * 1000
        elif line.startswith("User time"):
            info["userMs"] = float(line.rsplit(":", 1)[1]) * 1000
        elif line.startswith("System time"):
            info["systemMs"] = float(line.rsplit(":", 1)[1]) * 1000
    info["stdoutTail"] = proc.stdout.strip().splitlines()[-3:]
    if proc.returncode != 0:
        info["stderrTail"] = [ln for ln in proc.stderr.splitlines() if ln.strip()][-8:]
    return info


def cli_status() -> dict[str, Any]:
    """Is the Node CLI built and does it have `predict` (and `--threads`)?"""
    bin_js = ROOT / "bin" / "jupyterlab-bioimage.js"
    if not bin_js.exists():
        return {"available": False, "reason": "bin/jupyterlab-bioimage.js does not exist yet"}
    proc = subprocess.run(
        ["node", str(bin_js), "predict", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    text = proc.stdout + proc.stderr
    if proc.returncode != 0 or "predict" not in text:
        return {
            "available": False,
            "reason": "the CLI does not run `predict --help`: "
            + " ".join(text.strip().splitlines()[-2:])[:300],
        }
    return {"available": True, "threadsOption": "--threads" in text}


def cli_predict(model: Path, image: Path, out: Path, has_threads: bool) -> dict[str, Any]:
    args = ["node", "bin/jupyterlab-bioimage.js", "predict", model, image, "-o", out, "--tile", "512,512"]
    if has_threads:
        args += ["--threads", "1"]
    info = time_v(args)
    info["command"] = " ".join(str(a) for a in args[1:])
    return info


# ----------------------------------------------------------------------------- viewer redraws

VIEWER_BENCH = {"viewerSize": 2048, "viewerIterations": 15}


def viewer_summary(r: dict[str, Any]) -> dict[str, Any]:
    """The browser viewer benchmark (bench/browser.mjs 'viewer') for the report."""
    out: dict[str, Any] = {
        "what": "a real viewer widget in headless Chromium: model change -> widget update (controls + frame) "
        "-> frame finished (WebGL2: until the GPU work is done, a 1-pixel read-back); page compositing "
        "not included. drawOnlyMs: the renderer's draw alone. Medians of "
        f"{r['iterations']} changes after 3 warm-ups.",
        "image": f"{r['size']}x{r['size']} {r['dtype']}, 1 channel",
        "target": "< 16 ms for a contrast or colour-map change",
        "autoChoice": r["auto"],
        "caveat": "no GPU on this machine: WebGL2 is ANGLE on SwiftShader, a CPU rasteriser sharing the 2 "
        "(loaded) cores, so its times measure the CPU, not a GPU; 'auto' does not use it for that reason. "
        "On a real GPU the same draw is one full-screen triangle over a 4-megapixel texture.",
    }
    for x in r["results"]:
        out[x["asked"]] = {
            "renderer": x["renderer"],
            "reason": x["reason"],
            "glRenderer": x.get("glRenderer"),
            "contrastChangeMs": x["contrast"]["medianMs"],
            "contrastChangeMinMs": x["contrast"]["minMs"],
            "contrastDrawOnlyMs": x["contrast"]["medianDrawMs"],
            "colormapChangeMs": x["colormap"]["medianMs"],
            "colormapChangeMinMs": x["colormap"]["minMs"],
            "colormapDrawOnlyMs": x["colormap"]["medianDrawMs"],
            "firstDrawMs": x["firstDrawMs"],
            "uploadsDuringChanges": x["uploadsDuringChanges"],
            "meetsTarget": max(x["contrast"]["medianMs"], x["colormap"]["medianMs"]) < 16,
        }
    return out


def viewer_only(opts: argparse.Namespace) -> int:
    """`bench/run.py --viewer-only`: the browser viewer redraws alone."""
    tmp = Path(tempfile.mkdtemp(prefix="bioimage-bench-"))
    result: dict[str, Any] = {"benchmark": "jupyterlab-bioimage (viewer only)", "date": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    try:
        result["machine"] = machine_info()
        root = tmp / "root"
        root.mkdir()
        load = {"start": loadavg()}
        with jupyter_server(root, False, tmp) as url:
            r = browser_task("viewer", {**VIEWER_BENCH, "baseURL": url}, tmp)
        load["end"] = loadavg()
        result["loadAverage"] = load
        result["viewer"] = {"redraw2048Uint16Browser": viewer_summary(r)}
        result["elapsedSeconds"] = round(time.monotonic() - STARTED)
    finally:
        if not opts.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    result = rnd(result)
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "viewer.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    log(f"done in {result['elapsedSeconds']} s; saved bench-results/viewer.json")
    return 0


# ----------------------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--raw-runs", type=int, default=5)
    ap.add_argument("--pipeline-runs", type=int, default=1)
    ap.add_argument("--cold-starts", type=int, default=3)
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--webgpu-fallback-run", action="store_true")
    ap.add_argument("--viewer-only", action="store_true")
    ap.add_argument("--keep", action="store_true")
    opts = ap.parse_args()
    if opts.viewer_only:
        return viewer_only(opts)

    if not MODEL_DIR.exists():
        log(f"fixture model missing: {MODEL_DIR}")
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="bioimage-bench-"))
    result: dict[str, Any] = {"benchmark": "jupyterlab-bioimage", "date": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    notes: list[str] = []
    try:
        result["machine"] = machine_info()
        log("machine:", json.dumps(result["machine"]))
        data = make_data(tmp)
        px2048 = 2048 * 2048
        model_rel = "unet/bioimageio.yaml"
        common = {
            "model": model_rel,
            "image2048": "img2048.npy",
            "image4096": "img4096.npy",
            "rawRuns": opts.raw_runs,
            "rawWarmup": 3,
            "predictRuns": opts.pipeline_runs,
            "coldStarts": opts.cold_starts,
            "memoryThreads": 2,
            "webgpuFallbackRun": opts.webgpu_fallback_run,
        }
        load: dict[str, list[float]] = {}

        # ---- (a) + cold start + downloads, (c) WebGPU, (c') WebNN: page not isolated
        with jupyter_server(data["root"], False, tmp) as url:
            load["browserThreads1"] = loadavg()
            plain = browser_task("plain", {**common, "baseURL": url}, tmp)
            load["viewerBrowser"] = loadavg()
            viewer_browser = browser_task("viewer", {**VIEWER_BENCH, "baseURL": url}, tmp)
            load["webgpuProbe"] = loadavg()
            try:
                webgpu = browser_task("webgpu", {**common, "baseURL": url}, tmp)
            except Exception as e:  # noqa: BLE001
                webgpu = {"error": str(e)}
                notes.append(f"the WebGPU probe failed: {e}")
        # ---- (b) 2 threads and the 4096² memory run: page cross-origin isolated
        node_mem_thread = None
        node_mem: dict[str, Any] = {}
        with jupyter_server(data["root"], True, tmp) as url:
            load["browserThreads2"] = loadavg()
            isolated = browser_task("isolated", {**common, "baseURL": url}, tmp)
            threads_ok = isolated["threads2Check"]["ok"]
            if not threads_ok:
                common["memoryThreads"] = 1
                notes.append(
                    "threaded wasm does not run in the browser build (see b_chromiumWasm2ThreadsIsolated); "
                    "the Chromium 4096² memory run used 1 thread"
                )
            memory = None
            if not opts.skip_memory:
                load["memory"] = loadavg()
                # The Node 4096² run measures only memory: run it alongside the browser's.
                cli = cli_status()

                def node_memory() -> None:
                    try:
                        if cli["available"]:
                            node_mem["cli"] = cli_predict(
                                MODEL_DIR, data["img4096"], tmp / "out4096.npy", cli["threadsOption"]
                            )
                        if not cli["available"] or node_mem["cli"]["exitCode"] != 0:
                            cfg = tmp / "node-mem.json"
                            cfg.write_text(
                                json.dumps({"model": str(MODEL_DIR), "image": str(data["img4096"]), "threads": 1})
                            )
                            node_mem["direct"] = time_v(
                                ["node", "--import", "./bench/node/register.mjs", "bench/node/node-bench.mjs", "pipeline", cfg]
                            )
                    except Exception as e:  # noqa: BLE001
                        node_mem["error"] = str(e)

                node_mem_thread = threading.Thread(target=node_memory)
                node_mem_thread.start()
                try:
                    memory = browser_task("memory", {**common, "baseURL": url}, tmp, timeout=1200)
                except Exception as e:  # noqa: BLE001
                    memory = {"error": str(e)}
                    notes.append(f"the Chromium 4096² memory run failed: {e}")
        if node_mem_thread:
            node_mem_thread.join()

        # ---- (d) Node: the CLI (1 thread) and the pipeline called directly (breakdown)
        load["node"] = loadavg()
        cli = cli_status()
        node_threads2 = node_task(
            "pipeline",
            {"model": str(MODEL_DIR), "image": str(data["img2048"]), "threads": 2, "rawRuns": opts.raw_runs, "predictRuns": 0},
            tmp,
        )
        node_direct = node_task(
            "pipeline",
            {
                "model": str(MODEL_DIR),
                "image": str(data["img2048"]),
                "threads": 1,
                "rawRuns": opts.raw_runs,
                "predictRuns": opts.pipeline_runs,
            },
            tmp,
        )
        cli_run = None
        if cli["available"]:
            cli_run = cli_predict(MODEL_DIR, data["img2048"], tmp / "out2048.npy", cli["threadsOption"])
            if cli_run["exitCode"] != 0:
                notes.append("the Node CLI's predict failed; (d) uses the pipeline called from Node")

        # ---- (e) Python onnxruntime
        load["python"] = loadavg()
        log("python onnxruntime, 1 thread")
        py1 = python_ort(data["img2048"], 1, opts.raw_runs, opts.pipeline_runs)
        log(f"  {py1['pipelineMedianMs']:.0f} ms, raw {py1['raw']['medianMs']:.0f} ms/tile")
        log("python onnxruntime, 2 threads")
        py2 = python_ort(data["img2048"], 2, opts.raw_runs, opts.pipeline_runs)
        log(f"  {py2['pipelineMedianMs']:.0f} ms, raw {py2['raw']['medianMs']:.0f} ms/tile")

        # ---- viewer and search
        load["viewer"] = loadavg()
        render = node_task("render", {"size": 2048, "channels": 1, "iterations": 15, "repeats": 3}, tmp)
        tiff = node_task("tiff", {"file": str(data["tiff"]), "repeats": 3}, tmp)
        search = node_task("search", {"entries": 5000}, tmp)
        load["end"] = loadavg()

        # ------------------------------------------------------------------ assemble
        t1 = plain["threads1"]
        t2 = isolated.get("threads2")

        def pipeline_summary(r: dict[str, Any], threads: int) -> dict[str, Any]:
            ms = median([p["milliseconds"] for p in r["predict"]])
            tiles = r["predict"][0]["tiles"]
            raw_ms = r["raw"]["medianMs"]
            cpu_pipe = median([p["cpuMs"] for p in r["cpu"]["predict"]])
            cpu_raw = r["cpu"]["rawCpuMsPerRun"]
            return {
                "backend": r["open"]["backend"],
                # What the worker reports the session ran with (older builds: as asked).
                "threads": r["raw"].get("threads", threads),
                "crossOriginIsolated": r["crossOriginIsolated"],
                "image": "2048x2048 float32",
                "blockShape": [BLOCK, BLOCK],
                "tiles": tiles,
                "pipelineMs": ms,
                "pipelineRunsMs": [p["milliseconds"] for p in r["predict"]],
                "megapixelsPerSecond": mps(px2048, ms),
                "rawTileMs": raw_ms,
                "rawTileRunsMs": r["raw"]["runMs"],
                "rawWarmupMs": r["raw"]["warmupMs"],
                "pipelineOverheadPercent": round((ms - tiles * raw_ms) / (tiles * raw_ms) * 100, 1),
                "cpuTime": {
                    "note": "renderer-process CPU ms (page + worker + wasm threads); not inflated by other load",
                    "pipelineCpuMs": cpu_pipe,
                    "rawTileCpuMs": cpu_raw,
                    "pipelineOverheadPercent": round((cpu_pipe - tiles * cpu_raw) / (tiles * cpu_raw) * 100, 1)
                    if cpu_raw > 0
                    else None,
                    "rawParallelism": round(r["cpu"]["rawParallelism"], 2),
                },
            }

        a = pipeline_summary(t1, 1)
        if threads_ok:
            b = pipeline_summary(t2, 2)
            b["crossOriginIsolatedPage"] = isolated["facts"]["crossOriginIsolated"]
        else:
            check = isolated["threads2Check"]
            b = {
                "available": False,
                "crossOriginIsolatedPage": isolated["facts"]["crossOriginIsolated"],
                "reason": "onnxruntime-web with numThreads 2 did not run in the extension's worker: "
                + check.get("error", "no error given"),
                "workerProbe": check.get("workerProbe"),
                "failedRequests": check.get("failedRequests", []),
            }

        # WebGPU / WebNN
        gfacts = webgpu.get("facts") or {"webgpu": {"available": False, "reason": webgpu.get("error")}, "webnn": {}}
        webgpu.setdefault("workerProbe", {"webgpu": None, "webnn": None})
        webgpu.setdefault("autoBackend", None)
        adapter = gfacts["webgpu"].get("adapter")
        if gfacts["webgpu"].get("available"):
            c_webgpu = {"available": True, "adapter": adapter, "note": "a hardware adapter exists: time it with backend 'webgpu'"}
        else:
            reason = gfacts["webgpu"].get("reason") or "only a fallback adapter"
            c_webgpu = {
                "available": False,
                "reason": (
                    "no hardware adapter: with --enable-unsafe-webgpu Chromium offers only a software "
                    f"fallback adapter ({adapter.get('vendor') or '?'} / {adapter.get('architecture') or '?'}, "
                    "isFallbackAdapter: true; SwiftShader on the CPU). backends.ts never picks it for 'auto' "
                    "(it computes correctly but far slower than wasm); it is used only when 'webgpu' is forced."
                    if adapter
                    else reason
                ),
                "withoutFlag": plain["facts"]["webgpu"],
                "withUnsafeWebgpuFlag": gfacts["webgpu"],
                "workerProbe": webgpu["workerProbe"]["webgpu"],
                "autoPicked": webgpu["autoBackend"],
            }
            if "fallbackRun" in webgpu:
                c_webgpu["fallbackAdapterRawTileMs"] = webgpu["fallbackRun"]["ms"]
                c_webgpu["fallbackAdapterBackend"] = webgpu["fallbackRun"]["backend"]
        wn = plain["facts"]["webnn"]
        c_webnn = (
            {"available": True, "note": "a WebNN context was created: time it with backend 'webnn'"}
            if wn.get("available")
            else {
                "available": False,
                "reason": wn.get("reason"),
                "withUnsafeWebgpuFlag": gfacts["webnn"],
                "workerProbe": webgpu["workerProbe"]["webnn"],
            }
        )

        # Node
        nd = node_direct["predict"]
        nd_ms = median([p["milliseconds"] for p in nd])
        d_direct = {
            "how": "pipeline.ts predict() called from Node on onnxruntime-web's Node build (bench/node/node-bench.mjs)",
            "threads": 1,
            "tiles": nd[0]["tiles"],
            "pipelineMs": nd_ms,
            "megapixelsPerSecond": mps(px2048, nd_ms),
            "rawTileMs": node_direct["raw"]["medianMs"],
            "pipelineOverheadPercent": round(
                (nd_ms - nd[0]["tiles"] * node_direct["raw"]["medianMs"])
                / (nd[0]["tiles"] * node_direct["raw"]["medianMs"])
                * 100,
                1,
            ),
            "insidePipeline": {
                "sessionRunSumMs": nd[0]["sessionRunSumMs"],
                "sessionRunMedianMs": nd[0]["sessionRunMedianMs"],
                "outsideSessionRunMs": nd[0]["outsideRunMs"],
                "outsideSessionRunPercent": round(nd[0]["outsideRunMs"] / nd[0]["sessionRunSumMs"] * 100, 2),
            },
            "openMs": node_direct["openMs"],
        }
        if cli_run and cli_run["exitCode"] == 0:
            d = {
                "how": f"node {cli_run['command']} (wall clock of the whole command: start-up, load, decode, predict, save)",
                "threads": 1,
                "wallMs": cli_run["wallMs"],
                "cpuMs": cli_run.get("userMs", 0) + cli_run.get("systemMs", 0),
                "megapixelsPerSecondWall": mps(px2048, cli_run["wallMs"]),
                "maxRssMB": cli_run.get("maxRssMB"),
                "pipelineCalledDirectly": d_direct,
            }
        else:
            d = {**d_direct, "cli": cli if not cli_run else {"available": False, "run": cli_run}}
            if not cli.get("available"):
                notes.append(f"(d) Node CLI not available: {cli.get('reason')}; measured the pipeline called from Node")

        # Python
        e = {
            "how": "onnxruntime (Python) CPUExecutionProvider, same zero-mean-unit-variance, 25 reflect-padded 512 blocks, stitch, sigmoid",
            "threads1": py1,
            "threads2": py2,
        }

        ratios = {
            "note": "megapixels/s ours divided by megapixels/s Python onnxruntime (1.0 = as fast)",
            "browserThreads1OverPython1": round(a["megapixelsPerSecond"] / py1["megapixelsPerSecond"], 3),
            "browserThreads2OverPython2": round(b["megapixelsPerSecond"] / py2["megapixelsPerSecond"], 3)
            if threads_ok
            else "unavailable: 2 threads do not run in the browser",
            "nodeThreads1OverPython1": round(d_direct["megapixelsPerSecond"] / py1["megapixelsPerSecond"], 3),
            "rawTile": {
                "browser1OverPython1": round(py1["raw"]["medianMs"] / a["rawTileMs"], 3),
                "browser2OverPython2": round(py2["raw"]["medianMs"] / b["rawTileMs"], 3) if threads_ok else None,
                "node2OverPython2": round(py2["raw"]["medianMs"] / node_threads2["raw"]["medianMs"], 3),
                "browserCpu1OverPythonCpu1": round(py1["raw"]["cpuMsPerRun"] / a["cpuTime"]["rawTileCpuMs"], 3),
            },
        }

        raw1_iso = isolated["raw1Isolated"]
        node_raw1 = node_direct["raw"]["medianMs"]
        node_raw2 = node_threads2["raw"]["medianMs"]
        speedup: dict[str, Any] = {
            "target": ">= 1.7",
            "rawTile1ThreadIsolatedPageMs": raw1_iso["medianMs"],
            "pythonRawTile2over1": round(py1["raw"]["medianMs"] / py2["raw"]["medianMs"], 2),
            "nodeOnnxruntimeWebRawTile2over1": round(node_raw1 / node_raw2, 2),
            "nodeRawTileMs": {"threads1": node_raw1, "threads2": node_raw2},
        }
        if threads_ok:
            speedup.update(
                {
                    "pipeline2over1": round(a["pipelineMs"] / b["pipelineMs"], 2),
                    "rawTile2over1": round(a["rawTileMs"] / b["rawTileMs"], 2),
                    "rawTile2over1SameIsolatedPage": round(raw1_iso["medianMs"] / b["rawTileMs"], 2),
                    "rawParallelism2Threads": b["cpuTime"]["rawParallelism"],
                }
            )
            pairs = isolated.get("threadPairs") or []
            if pairs:
                speedup["interleaved"] = {
                    "how": "raw session.run, 1 and 2 threads alternated in fresh workers of one isolated page "
                    f"({len(pairs)} pairs x {opts.raw_runs} runs): the like-for-like ratio under drifting load",
                    "rawTile2over1Median": round(median([p["ratio"] for p in pairs]), 2),
                    "ratios": [round(p["ratio"], 2) for p in pairs],
                    "threads1MedianMs": [p["threads1"]["medianMs"] for p in pairs],
                    "threads2MedianMs": [p["threads2"]["medianMs"] for p in pairs],
                    "cpuParallelism2Threads": [round(p["threads2"]["cpuParallelism"], 2) for p in pairs],
                }
            speedup["meetsTarget"] = (
                speedup["interleaved"]["rawTile2over1Median"]
                if pairs
                else speedup["rawTile2over1SameIsolatedPage"]
            ) >= 1.7
        else:
            speedup["browser"] = "unavailable: 2 threads did not run in the browser (see b)"
            speedup["meetsTarget"] = False
            speedup["note"] = "the same onnxruntime-web wasm in Node gives the Node ratio above"

        overhead = {
            "target": "<= 10 %",
            "formula": "(pipeline ms - tiles x raw tile ms) / (tiles x raw tile ms)",
            "browserThreads1Percent": a["pipelineOverheadPercent"],
            "browserThreads2Percent": b.get("pipelineOverheadPercent"),
            "byCpuTimeThreads1Percent": a["cpuTime"]["pipelineOverheadPercent"],
            "byCpuTimeThreads2Percent": b["cpuTime"]["pipelineOverheadPercent"] if threads_ok else None,
            "nodePercent": d_direct["pipelineOverheadPercent"],
            "nodeOutsideSessionRunPercent": d_direct["insidePipeline"]["outsideSessionRunPercent"],
        }
        overhead["meetsTargetByCpuTime"] = (
            max([x for x in (overhead["byCpuTimeThreads1Percent"], overhead["byCpuTimeThreads2Percent"]) if x is not None] or [1e9])
            <= 10
        )

        cold = plain["coldStart"]
        cold_start = {
            "what": "open on a fresh page (new browser context, empty HTTP cache): fetch the description and weights, "
            "sha256, import onnxruntime-web, fetch + compile its wasm, create the session (worker's own timer)",
            "openMs": median([c["openMs"] for c in cold]),
            "openRunsMs": [c["openMs"] for c in cold],
            "workerStartMs": median([c["workerStartMs"] for c in cold]),
            "workerStartPlusOpenMs": median([c["workerStartMs"] + c["openWallMs"] for c in cold]),
            "firstInferenceMs": median([c["firstRunMs"] for c in cold]),
            "sameWorkerTimingsAfterWarmPage": {
                "threads1OpenMs": t1["open"]["milliseconds"],
                "threads2OpenMs": t2["open"]["milliseconds"] if threads_ok else None,
            },
        }

        mem: dict[str, Any] = {"image": "4096x4096 float32, blocks 512 (100 tiles)"}
        if memory and "error" in memory:
            mem["chromium"] = {"error": memory["error"]}
        elif memory:
            procs = memory["processes"]
            renderers = [p for p in procs if p["type"] == "renderer"]
            mem["chromium"] = {
                "threads": common["memoryThreads"],
                "tiles": memory["predict"]["tiles"],
                "pipelineMs": memory["predict"]["milliseconds"],
                "rendererPeakRssMB": max((p["hwmMB"] for p in renderers), default=None),
                "rendererRssBeforeRunMB": max(
                    (p["rssMB"] for p in memory["processesBefore"] if p["type"] == "renderer"), default=None
                ),
                "allProcessesPeakRssMB": {p["type"]: p["hwmMB"] for p in sorted(procs, key=lambda p: p["hwmMB"])},
                "how": "VmHWM of Chromium's renderer process (page + inference worker + wasm threads) from /proc",
                "performanceMemoryMaxUsedJSHeapBytes": memory["jsHeapMaxBytes"],
                "measureUserAgentSpecificMemoryMaxBytes": memory["uaSpecificMemoryMaxBytes"],
                "measureUserAgentSpecificMemorySamples": memory["uaSpecificMemorySamples"],
                "measureUserAgentSpecificMemoryError": memory["uaSpecificMemoryError"],
            }
        else:
            mem["chromium"] = {"skipped": True}
        if node_mem.get("cli"):
            mem["nodeCli"] = {
                "maxRssMB": node_mem["cli"].get("maxRssMB"),
                "exitCode": node_mem["cli"]["exitCode"],
                "command": node_mem["cli"].get("command"),
                "how": "/usr/bin/time -v maximum resident set size",
                **({"stderrTail": node_mem["cli"]["stderrTail"]} if node_mem["cli"]["exitCode"] else {}),
            }
        if node_mem.get("direct"):
            mem["nodePipelineDirect"] = {
                "maxRssMB": node_mem["direct"].get("maxRssMB"),
                "exitCode": node_mem["direct"]["exitCode"],
                "how": "/usr/bin/time -v of the pipeline called from Node (CLI not available)",
            }
        if node_mem.get("error"):
            mem["nodeError"] = node_mem["error"]
        mem["note"] = "the Node and Chromium 4096² runs ran at the same time (memory only; their times are not benchmarks)"

        downloads = plain["downloads"]
        result.update(
            {
                "loadAverage": {
                    "note": "1/5/15-minute load averages when each part started; this 2-core machine is shared, "
                    "wall times above ~2 load are inflated (CPU times are not)",
                    **load,
                },
                "fixture": {
                    "model": "unet2d_nuclei_broad (ONNX, input 1x1x512x512, halo 32)",
                    "image": "2048x2048 float32 uniform(100, 4000)",
                    "tiles": a["tiles"],
                },
                "a_chromiumWasm1Thread": a,
                "b_chromiumWasm2ThreadsIsolated": b,
                "c_webgpu": c_webgpu,
                "c2_webnn": c_webnn,
                "d_node": d,
                "e_pythonOnnxruntime": e,
                "ratiosOursOverPython": ratios,
                "pipelineOverhead": overhead,
                "threadSpeedup": speedup,
                "coldStart": cold_start,
                "peakMemory4096": mem,
                "inferenceDownloads": {
                    "what": "bytes fetched after JupyterLab had loaded, when a model first ran (uncompressed: "
                    "the Jupyter server does not gzip .wasm)",
                    **downloads,
                },
                "viewer": {
                    "contrastRerender2048Uint16": {
                        "medianMs": render["medianRenderMs"],
                        "minMs": render["minRenderMs"],
                        "autoContrastMs": render["autoContrastMs"],
                        "memoryBoundFloorMs": render["baselineMs"],
                        "where": "Node (same code as the browser)",
                    },
                    "redraw2048Uint16Browser": viewer_summary(viewer_browser),
                    "tiffFirstPlane": {
                        "file": f"{tiff['planeCount']} pages {tiff['planeShape']} {tiff['dtype']}, {tiff['fileBytes'] / 1e6:.1f} MB",
                        "medianMs": tiff["medianTotalMs"],
                        "medianReadFileMs": tiff["medianReadFileMs"],
                        "medianOpenImageMs": tiff["medianOpenImageMs"],
                        "medianReadPlaneMs": tiff["medianReadPlaneMs"],
                        "firstColdMs": tiff["firstColdMs"],
                        "where": "Node: fs.readFile + openImage + readPlane(0); browser viewer not timed",
                    },
                },
                "zooSearch": search
                if not search.get("available")
                else {"available": True, "entries": search["entries"], **search["result"]},
                "notes": notes,
            }
        )
        result["elapsedSeconds"] = round(time.monotonic() - STARTED)
    finally:
        if opts.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    result = rnd(result)
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    log(f"done in {result['elapsedSeconds']} s; saved bench-results/latest.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
