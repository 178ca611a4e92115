"""Send-to-screen latency between two real browsers (headless Chromium via Playwright).

    .venv/bin/python bench/browser_latency.py [--messages 50]

Starts TaskFlow as in production (bench/stack.py), logs two users into one room, and times
each message from the Enter key in the sender's page to the moment it is in the receiver's
DOM (both pages share one browser process, so they share one clock)."""

import argparse
import statistics

from playwright.sync_api import sync_playwright
from stack import TaskFlow


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=50)
    args = parser.parse_args()
    with TaskFlow(users=2, worker=False) as app:
        users = app.seed["users"]
        print(measure(app.url, users, app.seed["room"], args.messages))


def measure(base: str, users: list[dict], room: int, count: int) -> str:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        sender, receiver = (login(browser, base, u["username"], u["password"]) for u in users)
        for page in (sender, receiver):
            page.goto(f"/rooms/{room}")
        for page in (sender, receiver):
            page.wait_for_function("document.body.dataset.socket === 'open'")
        receiver.evaluate("""() => {
            window.arrivals = {};
            new MutationObserver(() => {
              for (const el of document.querySelectorAll('.message-body')) {
                if (!(el.textContent in window.arrivals))
                  window.arrivals[el.textContent] = performance.timeOrigin + performance.now();
              }
            }).observe(document.getElementById('messages'), {childList: true, subtree: true});
        }""")
        # The clock starts when the Enter key reaches the sender's page.
        sender.evaluate("""() => {
            window.sentAt = {};
            document.addEventListener('keydown', (e) => {
              if (e.key === 'Enter')
                window.sentAt[e.target.value] = performance.timeOrigin + performance.now();
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
