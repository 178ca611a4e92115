"""Send-to-screen latency between two real browsers (headless Chromium via Playwright).

    .venv/bin/python bench/browser_latency.py [--messages 50]

Starts TaskFlow as in production (gunicorn + gevent, embedded Redis, fresh SQLite) in a
temporary folder, logs two users into one room, and times each message from the Enter key
in the sender's page to the moment it is in the receiver's DOM (both pages share one
browser process, so they share one clock)."""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=50)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = dict(
            os.environ,
            TASKFLOW_INSTANCE=folder,
            SECRET_KEY="bench",
            MESSAGE_RATE_LIMIT="1000 per second",
        )
        env.pop("REDIS_URL", None)
        env.pop("DATABASE_URL", None)
        flask = [str(BIN / "flask"), "--app", "taskflow"]
        subprocess.run([*flask, "db", "upgrade"], env=env, check=True, capture_output=True)
        seed = subprocess.run(
            [*flask, "seed-demo"], env=env, check=True, capture_output=True, text=True
        ).stdout
        passwords = dict(line.split() for line in seed.splitlines()[1:])
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "-c",
                "gunicorn.conf.py",
                "-b",
                f"127.0.0.1:{args.port}",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{args.port}"
        try:
            wait_for(base)
            print(measure(base, passwords, args.messages))
        finally:
            server.terminate()
            server.wait()
            subprocess.run(
                [*flask, "shell"],
                env=env,
                input="from taskflow import embedded_redis;"
                "from pathlib import Path;"
                f"embedded_redis.stop(Path({folder!r}))",
                text=True,
                capture_output=True,
            )


def wait_for(base: str) -> None:
    for _ in range(100):
        try:
            if requests.get(f"{base}/healthz", timeout=2).ok:
                return
        except requests.RequestException:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def measure(base: str, passwords: dict, count: int) -> str:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        sender, receiver = (login(browser, base, u, passwords[u]) for u in ("alice", "bob"))
        sender.goto("/boards/1/rooms/new")
        sender.fill("#name", "bench")
        sender.check("text=bob")
        sender.click("text=Create room")
        receiver.goto(sender.url)
        for page in (sender, receiver):
            page.wait_for_function("document.body.dataset.socket === 'open'")
        receiver.evaluate("""() => {
            window.arrivals = {};
            new MutationObserver(() => {
              for (const el of document.querySelectorAll('.message-body')) {
                if (!(el.textContent in window.arrivals)) window.arrivals[el.textContent] = performance.timeOrigin + performance.now();
              }
            }).observe(document.getElementById('messages'), {childList: true, subtree: true});
        }""")
        # The clock starts when the Enter key reaches the sender's page.
        sender.evaluate("""() => {
            window.sentAt = {};
            document.addEventListener('keydown', (e) => {
              if (e.key === 'Enter') window.sentAt[e.target.value] = performance.timeOrigin + performance.now();
            }, true);
        }""")
        latencies = []
        for i in range(count):
            text = f"latency probe {i}"
            sender.locator("#composer-input").fill(text)
            sender.locator("#composer-input").press("Enter")
            receiver.wait_for_function(f"window.arrivals[{text!r}] !== undefined")
            arrived = receiver.evaluate(f"window.arrivals[{text!r}]")
            latencies.append(arrived - sender.evaluate(f"window.sentAt[{text!r}]"))
        browser.close()
    latencies.sort()
    return (
        f"{count} messages, browser to browser: median {statistics.median(latencies):.1f} ms,"
        f" p90 {latencies[int(0.9 * count) - 1]:.1f} ms, max {latencies[-1]:.1f} ms"
    )


def login(browser, base: str, username: str, password: str):
    page = browser.new_page(base_url=base)
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/boards")
    return page


if __name__ == "__main__":
    main()
