"""A cached module page under gunicorn next to a bare Flask hello-world, same settings, same run.

    .venv/bin/python benchmarks/module_page.py [--duration 10] [--connections 8] [--workers 2] [--rounds 2]

Sets up a throw-away SQLite database with the real curriculum and one trainee, signs in, then
alternates wrk runs against hello-world and the module section page, and prints requests/s,
p95 latency and the ratio of medians. Needs `wrk` (Debian package; installed if missing and root).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
PASSWORD = "benchmark password"
LUA = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.1f p95_us=%d errors=%d\\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(95),
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 20) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except Exception:
            time.sleep(0.2)
    raise SystemExit(f"server at {url} did not start")


def gunicorn(app: str, port: int, env: dict, args) -> subprocess.Popen:
    return subprocess.Popen(
        [str(VENV / "gunicorn"), "--workers", str(args.workers), "--threads", str(args.threads), "--bind",
         f"127.0.0.1:{port}", "--log-level", "warning", app],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wrk(url: str, cookie: str | None, duration: int, connections: int, lua: Path) -> dict:
    cmd = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "-s", str(lua), url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: session={cookie}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    match = re.search(r"RESULT rps=([\d.]+) p95_us=(\d+) errors=(\d+)", out)
    return {"rps": float(match.group(1)), "p95_ms": int(match.group(2)) / 1000, "errors": int(match.group(3))}


def sign_in(base: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"email": "bench@example.org", "password": PASSWORD, "csrf_token": token}).encode()
    opener.open(f"{base}/login", data=data)
    return next(c.value for c in jar if c.name == "session")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        if os.geteuid() != 0:
            raise SystemExit("wrk is needed: apt-get install wrk")
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True)

    tmp = Path(tempfile.mkdtemp(prefix="thb-bench-"))
    env = dict(os.environ, FLASK_APP="app", SECRET_KEY="benchmark-secret",
               DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}")
    processes = []
    try:
        flask = [str(VENV / "flask")]
        for cmd in (["db", "upgrade"], ["curricula", "load"],
                    ["academies", "create", "--slug", "bench", "--name", "Bench academy", "--country", "AL"]):
            subprocess.run(flask + cmd, cwd=ROOT, env=env, check=True, capture_output=True)
        subprocess.run(flask + ["users", "create", "--email", "bench@example.org", "--name", "Bench Trainee", "--role",
                                "trainee", "--country", "AL", "--academy", "bench", "--category", "police",
                                "--language", "en", "--password-stdin"],
                       cwd=ROOT, env=env, check=True, capture_output=True, input=PASSWORD + "\n", text=True)
        with sqlite3.connect(tmp / "bench.sqlite3") as conn:
            slug = conn.execute("SELECT m.slug FROM module m JOIN course c ON c.id = m.course_id "
                                "WHERE c.prong = 'police' AND m.retired = 0 ORDER BY m.position LIMIT 1").fetchone()[0]
        lua = tmp / "p95.lua"
        lua.write_text(LUA)
        hello_port, app_port = free_port(), free_port()
        processes.append(gunicorn("benchmarks.hello_app:app", hello_port, env, args))
        processes.append(gunicorn("app:create_app()", app_port, env, args))
        wait_for(f"http://127.0.0.1:{hello_port}/")
        wait_for(f"http://127.0.0.1:{app_port}/login")
        cookie = sign_in(f"http://127.0.0.1:{app_port}")
        module_url = f"http://127.0.0.1:{app_port}/learn/modules/{slug}/sections/1"
        check = urllib.request.Request(module_url, headers={"Cookie": f"session={cookie}"})
        body = urllib.request.urlopen(check).read().decode()
        assert "Section 1 of" in body, "the module page did not render for the signed-in trainee"

        hello_url = f"http://127.0.0.1:{hello_port}/"
        wrk(hello_url, None, 2, args.connections, lua)  # warm-up
        wrk(module_url, cookie, 2, args.connections, lua)
        hello, module = [], []
        for _ in range(args.rounds):
            hello.append(wrk(hello_url, None, args.duration, args.connections, lua))
            module.append(wrk(module_url, cookie, args.duration, args.connections, lua))
        h_rps = statistics.median(r["rps"] for r in hello)
        m_rps = statistics.median(r["rps"] for r in module)
        print(f"gunicorn --workers {args.workers} --threads {args.threads} (sync), wrk -t2 -c{args.connections} "
              f"-d{args.duration}s, {args.rounds} alternating rounds, medians; {os.cpu_count()} cores")
        print(f"{'':<14}{'req/s':>10}{'p95 ms':>10}{'errors':>8}")
        print(f"{'hello-world':<14}{h_rps:>10.0f}{statistics.median(r['p95_ms'] for r in hello):>10.1f}"
              f"{sum(r['errors'] for r in hello):>8}")
        print(f"{'module page':<14}{m_rps:>10.0f}{statistics.median(r['p95_ms'] for r in module):>10.1f}"
              f"{sum(r['errors'] for r in module):>8}")
        ratio = m_rps / h_rps
        print(f"ratio module/hello: {ratio:.2f} (goal >= 0.50: {'met' if ratio >= 0.5 else 'not met'})")
    finally:
        for p in processes:
            p.terminate()
        for p in processes:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
