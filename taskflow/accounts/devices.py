"""A session's device in words ("Chrome on Linux"), from the User-Agent its login sent.

A few ordered patterns rather than a parsing library: the account page names the browser and
the system, never versions or device models, and these tokens have been stable for years
(ua-parser's full rule set, with its data file, would do much more than we show). The order
matters: Edge, Opera and Samsung Internet say "Chrome" too, Chrome says "Safari", Android
says "Linux" and iOS says "like Mac OS X"."""

import re

UNKNOWN = "Unknown browser"

BROWSERS = (
    (re.compile(r"\bEdg(?:e|A|iOS)?/"), "Edge"),
    (re.compile(r"\bOPR/|\bOpera\b"), "Opera"),
    (re.compile(r"\bSamsungBrowser/"), "Samsung Internet"),
    (re.compile(r"\bVivaldi/"), "Vivaldi"),
    (re.compile(r"\bFirefox/|\bFxiOS/"), "Firefox"),
    (re.compile(r"\bChromium/"), "Chromium"),
    (re.compile(r"Chrome/|\bCriOS/"), "Chrome"),  # HeadlessChrome/ too
    (re.compile(r"\bVersion/[\d.]+.*\bSafari/|\bAppleWebKit/.*\bMobile/"), "Safari"),
    (re.compile(r"\bMSIE |\bTrident/"), "Internet Explorer"),
    (re.compile(r"^curl/"), "curl"),
)

SYSTEMS = (
    (re.compile(r"\bWindows\b"), "Windows"),
    (re.compile(r"\biPhone\b|\biPad\b|\biPod\b"), "iOS"),
    (re.compile(r"\bAndroid\b"), "Android"),
    (re.compile(r"\bCrOS\b"), "ChromeOS"),
    (re.compile(r"\bMac OS X\b|\bMacintosh\b"), "macOS"),
    (re.compile(r"\bLinux\b|\bX11\b"), "Linux"),
)


def _first(rules: tuple[tuple[re.Pattern, str], ...], agent: str) -> str | None:
    return next((name for pattern, name in rules if pattern.search(agent)), None)


def describe(user_agent: str | None) -> str:
    """ "Chrome on Linux", "Safari on iOS", "Firefox" (no system said), "A browser on
    Windows" (an unknown browser), or "Unknown browser"."""
    agent = (user_agent or "").strip()
    browser, system = _first(BROWSERS, agent), _first(SYSTEMS, agent)
    if browser and system:
        return f"{browser} on {system}"
    if system:
        return f"A browser on {system}"
    return browser or UNKNOWN
