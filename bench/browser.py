"""`python -m bench browser` (also `python -m bench.browser`, `make bench-browser`): the layout,
weight, Lighthouse and axe targets of issue 9, measured in Debian's chromium; exit 1 on a miss.

1. The sandbox (demo seed) in a process of its own; a throwaway database (a SQLite file, or a
   PostgreSQL database next to DATABASE_URL's when it names one), migrated and seeded with
   `seed_demo`; collectstatic into a temporary directory (WhiteNoise's compressed, hashed files).
2. gunicorn with gunicorn.conf.py and the production settings, as `make load` runs it (load/):
   DEBUG off, fresh secrets, HTTPS expected from a proxy, so every request the browsers make
   carries `X-Forwarded-Proto: https`, as that proxy would add.
3. Playwright signs in as the demo agency (agency / agency). The inbox and each list must show
   at least MIN_ROWS rows; if one shows fewer, the sandbox makes more and `sync_bookings` reads
   them. Then, at 390x844 (a phone) and 1280x800 (a desk), each page is loaded and its rows
   measured: how many are wholly on the first screen (inside the viewport and not covered by
   anything fixed), where the first one starts, and each row's outerHTML in bytes.
4. The first load of the inbox in a fresh phone context: every response's bytes on the wire
   (CDP's `Network.loadingFinished` encodedDataLength, headers included), summed.
5. Lighthouse (mobile, its defaults) on every page, one after another, with the session cookie
   passed as an extra header; a page that answers 404 is reported as missing.
6. axe-core on the inbox with a dialog open (the first action button of a row tapped), on the
   phone and the desk, in a context that bypasses the CSP so that axe can be injected.

Lighthouse and axe-core come from npm, pinned in bench/package.json and package-lock.json and
installed with `npm ci` into var/node/ on first use. The logs of the sandbox and gunicorn and
every Lighthouse report (JSON) are left in var/bench/browser/. kB here are 1,000 bytes, as in
Chrome's DevTools and Lighthouse.
"""

import argparse
import base64
import gzip
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess  # nosec B404  # runs our own manage.py, sandbox, npm and Lighthouse, see calls
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from bench.report import Figure, load_average, print_table, progress
from chromium import CHROMIUM, CHROMIUM_ARGS, chromium_installed

BASE_DIR = Path(__file__).resolve().parent.parent
LOGS = BASE_DIR / "var" / "bench" / "browser"
NODE_DIR = BASE_DIR / "var" / "node"  # npm ci's node_modules, outside git (/var/ is ignored)
PACKAGE_FILES = ("package.json", "package-lock.json")

LIGHTHOUSE_CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu"
LIGHTHOUSE_CATEGORIES = ("performance", "accessibility", "best-practices")
LIGHTHOUSE_RUNS_ON_MISS = 3  # a page whose performance misses is run again, the median counts
LIGHTHOUSE_TRIES = 3  # a run that fails (no scores) is tried again, at most this many times
LIGHTHOUSE_SECONDS = 180  # one page's run, at most, before it is stopped and reported failed
TIMEOUT_MS = 30_000  # a page load or an expectation in Playwright

# A booking: a card on a phone, a table row at a desk (templates/bookings/rows.html).
ROW_SELECTOR = "[data-booking-row]"
# What opens a dialog from a row: an action's link, whose form static/js/app.js fetches into
# the page's #sheet dialog.
DIALOG_OPENER = f"{ROW_SELECTOR} .c-act a"

# What the reverse proxy that ends HTTPS adds to every request (README, "Running it for real").
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
USERNAME = PASSWORD = "agency"  # nosec B105  # the demo sign-in of seed_demo, bin/run-demo
MIN_ROWS = 12  # on the inbox and every list, or the counts would mean little

SIZES: dict[str, dict[str, Any]] = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 3,
    },
    "desk": {"viewport": {"width": 1280, "height": 800}},
}
SIZE_TITLES = {"phone": "phone 390x844", "desk": "desk 1280x800"}

INBOX = "/bookings/"
LISTS = {
    "/bookings/webcam/received/": "webcam received",
    "/bookings/webcam/made/": "webcam made",
    "/bookings/phonechat/received/": "phonechat received",
    "/bookings/phonechat/made/": "phonechat made",
}
ROW_PAGES = {INBOX: "inbox", **LISTS}
SIGN_IN = "/sign-in/"
LIGHTHOUSE_PAGES = {
    **ROW_PAGES,
    "/bookings/calendar/": "calendar",
    "/bookings/earnings/": "earnings",
    "/accounts/": "accounts",
    "/settings/": "settings",
    "/bookings/audit/": "audit log",
    SIGN_IN: "sign-in",
}

# Targets (issue 9).
PHONE_MIN_WHOLE = 3
PHONE_MAX_FIRST_TOP = 200  # px from the top of the viewport
DESK_MIN_WHOLE = 10
MAX_ROW_BYTES = 1_000
MAX_FIRST_LOAD_BYTES = 60_000
MIN_SCORES = {"performance": 95, "accessibility": 100, "best-practices": 100}
CATEGORY_NAMES = {
    "performance": "performance",
    "accessibility": "accessibility",
    "best-practices": "best practices",
}

# Each row on the page, in document order: where it is, whether it is on the first screen
# whole, and whether anything (a fixed bar, a toast) covers it there.
MEASURE_ROWS = """
(selector) => {
  const width = document.documentElement.clientWidth;
  const height = document.documentElement.clientHeight;
  const slack = 0.5;
  return [...document.querySelectorAll(selector)]
    .filter((row) => row.checkVisibility())
    .map((row) => {
      const box = row.getBoundingClientRect();
      const inside = box.top >= -slack && box.left >= -slack &&
        box.bottom <= height + slack && box.right <= width + slack;
      let covered = false;
      if (inside) {
        const x = box.left + box.width / 2;
        for (const y of [box.top + 2, box.top + box.height / 2, box.bottom - 2]) {
          const hit = document.elementFromPoint(x, y);
          if (hit && !row.contains(hit)) covered = true;
        }
      }
      return {
        id: row.id, top: box.top, bottom: box.bottom, inside, covered,
        bytes: new TextEncoder().encode(row.outerHTML).length,
      };
    });
}
"""

AXE_RUN = """
async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return {
    version: axe.version,
    violations: result.violations.map((v) => ({
      id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(" ")),
    })),
  };
}
"""


# ---------------------------------------------------------------------------------------------
# Entry points


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.browser`: this benchmark alone, with its own table."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.browser", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--no-lighthouse",
        action="store_true",
        help="skip the Lighthouse runs (about 3 of the 4 minutes), for working on the layout",
    )
    options = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    started = time.perf_counter()
    try:
        sections = run(lighthouse=not options.no_lighthouse)
    except KeyboardInterrupt:
        print("\nInterrupted: everything stopped, the temporary files removed.", file=sys.stderr)
        return 130
    print(f"{'Python:':<10}{sys.version.split()[0]}")
    print(f"{'CPUs:':<10}{os.cpu_count()}")
    print(f"{'Load:':<10}{load_average('at the end')}")
    print(f"{'Run:':<10}{time.perf_counter() - started:.0f} s\n")
    print_table(sections)
    missed = [f.name for _, group in sections for f in group if f.met is False]
    print(f"\n{len(missed)} target(s) missed." if missed else "\nEvery target met.")
    return 1 if missed else 0


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def run(*, lighthouse: bool = True) -> list[tuple[str, list[Figure]]]:
    """Everything above, from start to stop; the table's sections. It needs no Django of its
    own: the site, the seeding and the syncs run in processes of their own."""
    LOGS.mkdir(parents=True, exist_ok=True)
    for old in [*LOGS.glob("*.log"), *LOGS.glob("lighthouse-*.json"), *LOGS.glob("*.png")]:
        old.unlink()
    if not chromium_installed():
        return _not_run(f"Debian's chromium is not at {CHROMIUM}: run `make browser` as root.")
    workdir = Path(tempfile.mkdtemp(prefix="aw-bench-browser-"))
    try:
        with ExitStack() as stack:
            progress("Browser: starting the sandbox and a throwaway database ...")
            sandbox_url = stack.enter_context(sandbox(LOGS / "sandbox.log"))
            database_url = stack.enter_context(throwaway_database(workdir))
            from load import processes

            port = processes.free_port()
            site_url = f"http://127.0.0.1:{port}"
            env = site_environment(database_url, sandbox_url, port, workdir / "static")
            progress("Browser: migrating, seeding the demo, collecting static files ...")
            manage(env, "migrate", "--noinput")
            manage(env, "collectstatic", "--noinput")
            manage({**env, "DEBUG": "true"}, "seed_demo", "--sandbox-url", sandbox_url)
            workers = env.get("WEB_CONCURRENCY", "3")
            progress(f"Browser: starting gunicorn ({workers} processes) ...")
            stack.enter_context(site(port, env, LOGS / "gunicorn.log", workdir / "gunicorn.ctl"))
            return measure(site_url, sandbox_url, env, workdir, lighthouse=lighthouse)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _not_run(why: str) -> list[tuple[str, list[Figure]]]:
    return [("browser", [Figure("browser benchmark", "not run", met=False, note=why)])]


# ---------------------------------------------------------------------------------------------
# The site and what it runs on


@contextmanager
def sandbox(log: Path) -> Iterator[str]:
    """The sandbox with its demo data in a process of its own; yields its address."""
    from load import processes

    command = [sys.executable, "-m", "sandbox", "--port", "0", "--seed", "demo"]
    command.append("--allow-without-debug")  # the sandbox is the stand-in, never the site
    with processes.running(command, log=log, stop_seconds=10) as process:
        deadline = time.monotonic() + 30
        while not (found := re.search(r"serving at (http://\S+)", log.read_text())):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the sandbox did not start:\n{processes.tail(log)}")
            time.sleep(0.05)
        yield found.group(1)


@contextmanager
def site(port: int, env: dict[str, str], log: Path, control_socket: Path) -> Iterator[str]:
    """gunicorn as load.processes.site starts it (gunicorn.conf.py, loopback, a control socket
    of its own), but more patient at start: on a busy machine its first answer, which imports
    the views, can take longer than the 5 s that one allows."""
    from load import processes

    command = [sys.executable, "-m", "gunicorn", "dashboard.wsgi", "-c", "gunicorn.conf.py"]
    command += ["--bind", f"127.0.0.1:{port}", "--control-socket", str(control_socket)]
    with processes.running(command, log=log, env=env, stop_seconds=45) as process:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped at start:\n{processes.tail(log)}")
            try:
                answer = requests.get(f"{url}{SIGN_IN}", headers=PROXY_HEADERS, timeout=30)
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"gunicorn did not answer within 120 s:\n{processes.tail(log)}"
                    ) from None
                time.sleep(0.2)
                continue
            if answer.status_code != 200:
                raise RuntimeError(f"the sign-in page answered {answer.status_code}")
            break
        yield url


@contextmanager
def throwaway_database(workdir: Path) -> Iterator[str]:
    """A PostgreSQL database next to DATABASE_URL's when it names PostgreSQL (created and
    dropped by load.database), else a SQLite file in `workdir`; yields its DATABASE_URL."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://", "pgsql://")):
        from load import database

        with database.throwaway_database(url) as database_url:
            yield database_url
    else:
        yield f"sqlite:///{workdir / 'browser.sqlite3'}"


def site_environment(
    database_url: str, sandbox_url: str, port: int, static_root: Path
) -> dict[str, str]:
    """load's production environment. The browsers speak plain HTTP to gunicorn and send the
    `X-Forwarded-Proto: https` a proxy would add; their Origin is then the http:// one, which
    CSRF must trust as well as the https:// one for the sign-in form to work. No redirect to
    HTTPS, which only the service worker's script would meet (below)."""
    from load.__main__ import production_environment

    https_origin = f"https://127.0.0.1:{port}"
    env = production_environment(
        database_url=database_url,
        sandbox_url=sandbox_url,
        origin=https_origin,
        static_root=static_root,
    )
    env["CSRF_TRUSTED_ORIGINS"] = f"{https_origin},http://127.0.0.1:{port}"
    # The header reaches gunicorn only with what the page asks (Playwright's and Lighthouse's
    # extra headers); chromium fetches the service worker's script without it, and a worker's
    # script may not be redirected, as HTTPS would be here. Behind the real proxy every request
    # is HTTPS already; loopback is a secure context for the worker without it.
    env["SECURE_SSL_REDIRECT"] = "False"
    env["LOG_LEVEL"] = "WARNING"  # the site's own log; gunicorn's access log stays
    return env


def manage(env: dict[str, str], *args: str) -> None:
    """`python manage.py ...` with `env`; its output goes to var/bench/browser/manage.log."""
    log = LOGS / "manage.log"
    with log.open("ab") as output:
        output.write(f"\n$ manage.py {' '.join(args)}\n".encode())
        output.flush()
        finished = subprocess.run(  # nosec B603  # our manage.py, fixed argv
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            timeout=600,
            check=False,
        )
    if finished.returncode != 0:
        from load.processes import tail

        raise RuntimeError(f"manage.py {args[0]} failed:\n{tail(log)}")


# ---------------------------------------------------------------------------------------------
# Measuring


@dataclass
class Layout:
    rows: int = 0  # rendered rows on the page
    whole: int = 0  # of them wholly on the first screen, nothing over them
    covered: int = 0  # inside the first screen but partly under something fixed
    first_top: float | None = None
    row_bytes: list[int] = field(default_factory=list)
    status: int = 200


@dataclass
class Wire:
    """The first load of a page: every response, its bytes on the wire, and what they would be
    were the uncompressed text responses gzipped (as a proxy with `gzip on` would)."""

    accept_encoding: str = ""
    responses: list[dict[str, Any]] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return sum(r["wire"] for r in self.responses)

    @property
    def compressed(self) -> int:
        return sum(r["compressed"] for r in self.responses)


def measure(
    site_url: str, sandbox_url: str, env: dict[str, str], workdir: Path, *, lighthouse: bool
) -> list[tuple[str, list[Figure]]]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        chromium = browser.version
        try:
            progress("Browser: signing in as the agency ...")
            cookie = sign_in(browser, site_url)
            counts = ensure_rows(browser, site_url, cookie, sandbox_url, env)
            layouts: dict[str, dict[str, Layout]] = {}
            for size in SIZES:
                progress(f"Browser: rows on the {SIZE_TITLES[size]} ...")
                layouts[size] = {
                    path: layout(browser, site_url, cookie, size, path) for path in ROW_PAGES
                }
            progress("Browser: the first load of the inbox ...")
            wire = first_load(browser, site_url, cookie)
            axe_results: dict[str, dict[str, Any]] = {}
            axe_script = NODE_DIR / "node_modules" / "axe-core" / "axe.min.js"
            node_problem = install_node_packages()
            if node_problem is None:
                for size in SIZES:
                    progress(f"Browser: axe-core with a dialog open, {SIZE_TITLES[size]} ...")
                    axe_results[size] = run_axe(browser, site_url, cookie, size, axe_script)
        finally:
            browser.close()
    lighthouse_results: dict[str, dict[str, Any]] | None = None
    if lighthouse and node_problem is None:
        lighthouse_results = run_lighthouse_pages(site_url, cookie, workdir)
    return figures(counts, layouts, wire, axe_results, lighthouse_results, node_problem, chromium)


def new_context(browser, site_url: str, size: str, cookie: dict | None = None, **options: Any):
    context = browser.new_context(
        **SIZES[size],
        base_url=site_url,
        locale="en-GB",
        timezone_id="Europe/London",
        extra_http_headers=PROXY_HEADERS,
        **options,
    )
    context.set_default_timeout(TIMEOUT_MS)
    if cookie is not None:
        context.add_cookies([cookie])
    return context


def sign_in(browser, site_url: str) -> dict:
    """Signs in through the form; the session cookie, for other contexts and Lighthouse."""
    context = new_context(browser, site_url, "desk")
    try:
        page = context.new_page()
        page.goto(SIGN_IN)
        page.fill("#id_username", USERNAME)
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit]")
        cookies = {c["name"]: c for c in context.cookies()}
        if "sessionid" not in cookies or SIGN_IN in page.url:
            raise RuntimeError(f"signing in as {USERNAME} failed: still at {page.url}")
        return {"name": "sessionid", "value": cookies["sessionid"]["value"], "url": site_url}
    finally:
        context.close()


def open_page(page, path: str) -> int:
    """Loads `path` and waits until it has settled (network idle, fonts); its status."""
    response = page.goto(path, wait_until="load")
    with suppress(Exception):  # a page that keeps polling never idles; its load is enough
        page.wait_for_load_state("networkidle", timeout=5_000)
    page.evaluate("document.fonts.ready.then(() => true)")
    return response.status if response is not None else 0


def count_rows(browser, site_url: str, cookie: dict) -> dict[str, int]:
    context = new_context(browser, site_url, "desk", cookie)
    try:
        page = context.new_page()
        counts = {}
        for path in ROW_PAGES:
            open_page(page, path)
            counts[path] = page.locator(ROW_SELECTOR).count()
        return counts
    finally:
        context.close()


def ensure_rows(
    browser, site_url: str, cookie: dict, sandbox_url: str, env: dict[str, str]
) -> dict[str, int]:
    """At least MIN_ROWS rows on the inbox and every list: the sandbox makes what is short
    (pending requests for the inbox, a mix of bookings for a list) and a full sync reads them."""
    from sandbox.control import SandboxControl

    counts = count_rows(browser, site_url, cookie)
    short = {path: n for path, n in counts.items() if n < MIN_ROWS}
    if not short:
        return counts
    progress(f"Browser: topping up {', '.join(ROW_PAGES[p] for p in short)} in the sandbox ...")
    control = SandboxControl(sandbox_url, timeout=30)
    # The agency's own connections (seed_demo): their rows carry action buttons for it.
    users = {u["Nickname"]: u["UserID"] for u in control.users()}
    performers = [users["JadeMoon"], users["RubyLace"]]
    for path, found in short.items():
        missing = MIN_ROWS - found + 4
        if path == INBOX:
            for index in range(missing):
                control.add_request(
                    performer_id=performers[index % 2],
                    service=("webcam", "phonechat")[index % 2],
                    accept_within_minutes=60 + 5 * index,
                    session_in_minutes=180 + 15 * index,
                )
        else:
            service, direction = path.strip("/").split("/")[1:3]
            for user_id in performers:
                control.generate(
                    user_id=user_id, service=service, direction=direction, count=missing
                )
    manage(env, "sync_bookings", "--full")
    return count_rows(browser, site_url, cookie)


def layout(browser, site_url: str, cookie: dict, size: str, path: str) -> Layout:
    context = new_context(browser, site_url, size, cookie)
    try:
        page = context.new_page()
        status = open_page(page, path)
        rows = page.evaluate(MEASURE_ROWS, ROW_SELECTOR)
        # What was measured, for a look: the first screen only.
        page.screenshot(path=LOGS / f"{size}-{_slug(ROW_PAGES[path])}.png")
        return Layout(
            rows=len(rows),
            whole=sum(r["inside"] and not r["covered"] for r in rows),
            covered=sum(r["inside"] and r["covered"] for r in rows),
            first_top=rows[0]["top"] if rows else None,
            row_bytes=[r["bytes"] for r in rows],
            status=status,
        )
    finally:
        context.close()


def first_load(browser, site_url: str, cookie: dict) -> Wire:
    """The inbox in a fresh phone context (empty cache): every response it loads until the
    network is idle, with CDP's count of its bytes on the wire."""
    context = new_context(browser, site_url, "phone", cookie)
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        seen: dict[str, dict[str, Any]] = {}

        def received(event: dict) -> None:
            response = event["response"]
            seen[event["requestId"]] = {
                "url": response["url"],
                "status": response["status"],
                "type": event.get("type", ""),
                "mime": response.get("mimeType", ""),
                "encoding": {k.lower(): v for k, v in response["headers"].items()}.get(
                    "content-encoding", ""
                ),
            }

        def finished(event: dict) -> None:
            if event["requestId"] in seen:
                seen[event["requestId"]]["wire"] = int(event["encodedDataLength"])

        asked: list[str] = []  # the Accept-Encoding chromium sent

        def sent(event: dict) -> None:
            headers = {k.lower(): v for k, v in event.get("headers", {}).items()}
            if not asked and "accept-encoding" in headers:
                asked.append(headers["accept-encoding"])

        cdp.on("Network.responseReceived", received)
        cdp.on("Network.loadingFinished", finished)
        cdp.on("Network.requestWillBeSentExtraInfo", sent)
        cdp.send("Network.enable")
        open_page(page, INBOX)
        wire = Wire(accept_encoding=asked[0] if asked else "")
        for request_id, response in seen.items():
            if "wire" not in response:
                continue  # still loading when the network went idle: a poll, say
            response["compressed"] = response["wire"]
            if not response["encoding"] and _is_text(response["mime"]):
                body = cdp.send("Network.getResponseBody", {"requestId": request_id})
                raw = (
                    base64.b64decode(body["body"])
                    if body["base64Encoded"]
                    else body["body"].encode()
                )
                saved = len(raw) - len(gzip.compress(raw, compresslevel=6))
                response["compressed"] = response["wire"] - max(saved, 0)
            wire.responses.append(response)
        return wire
    finally:
        context.close()


def _is_text(mime: str) -> bool:
    return mime.startswith("text/") or mime in {
        "application/javascript",
        "application/json",
        "image/svg+xml",
    }


def run_axe(browser, site_url: str, cookie: dict, size: str, script: Path) -> dict[str, Any]:
    """axe-core on the inbox with the first row's first action dialog open. The CSP forbids
    the inline script add_script_tag makes, so this context bypasses it (and only this one)."""
    context = new_context(browser, site_url, size, cookie, bypass_csp=True)
    try:
        page = context.new_page()
        open_page(page, INBOX)
        openers = page.locator(f"{DIALOG_OPENER} >> visible=true")
        if not openers.count():
            return {"error": f"nothing to open a dialog with ({DIALOG_OPENER})"}
        button = openers.first
        label = " ".join(button.inner_text().split())
        button.click()
        try:
            page.wait_for_selector("dialog[open]", timeout=10_000)
        except Exception:
            return {"error": f"tapping {label!r} opened no dialog within 10 s"}
        page.wait_for_timeout(400)  # the sheet's opening transition
        page.add_script_tag(path=str(script))
        return {"dialog": label, **page.evaluate(AXE_RUN)}
    finally:
        context.close()


# ---------------------------------------------------------------------------------------------
# Lighthouse and axe-core from npm


def install_node_packages() -> str | None:
    """`npm ci` of bench/package-lock.json into var/node/ unless already there; None when
    ready, else why not."""
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        return "node and npm are needed for Lighthouse and axe-core (Node 18.16 or newer)"
    here = Path(__file__).resolve().parent
    wanted = (here / "package-lock.json").read_bytes()
    installed = NODE_DIR / "node_modules" / ".package-lock.json"
    current = NODE_DIR / "package-lock.json"
    if installed.exists() and current.exists() and current.read_bytes() == wanted:
        return None
    progress("Browser: npm ci of Lighthouse and axe-core into var/node/ ...")
    NODE_DIR.mkdir(parents=True, exist_ok=True)
    LOGS.mkdir(parents=True, exist_ok=True)
    for name in PACKAGE_FILES:
        shutil.copyfile(here / name, NODE_DIR / name)
    log = LOGS / "npm.log"
    with log.open("ab") as output:
        finished = subprocess.run(  # nosec B603  # npm ci of our pinned lock file
            [npm, "ci", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund"],
            cwd=BASE_DIR,
            stdout=output,
            stderr=subprocess.STDOUT,
            timeout=600,
            check=False,
        )
    if finished.returncode != 0:
        current.unlink(missing_ok=True)  # try again next time
        return f"npm ci failed (see {log.relative_to(BASE_DIR)})"
    return None


def run_lighthouse_pages(site_url: str, cookie: dict, workdir: Path) -> dict[str, dict[str, Any]]:
    # Files, not arguments, so that the session's cookie is not on every process list
    # (workdir is mkdtemp's, readable by its owner only).
    signed_in = workdir / "signed-in-headers.json"
    signed_out = workdir / "signed-out-headers.json"
    signed_in.write_text(json.dumps({**PROXY_HEADERS, "Cookie": f"sessionid={cookie['value']}"}))
    signed_out.write_text(json.dumps(PROXY_HEADERS))
    results = {}
    for number, (path, name) in enumerate(LIGHTHOUSE_PAGES.items(), start=1):
        headers = signed_out if path == SIGN_IN else signed_in
        status = _status(site_url + path, headers)
        if status == 404:
            results[path] = {"missing": True}
            continue
        if status != 200:
            results[path] = {"error": f"the page answered {status}"}
            continue
        progress(f"Browser: Lighthouse {number}/{len(LIGHTHOUSE_PAGES)}, {name} ...")
        runs = [_lighthouse_run(site_url + path, headers, LOGS / f"lighthouse-{_slug(name)}.json")]
        if _performance(runs[0]) < MIN_SCORES["performance"] <= 100:
            # The performance score is a timing, and the machine may be busy: on a miss, the
            # median of LIGHTHOUSE_RUNS_ON_MISS runs decides.
            for again in range(2, LIGHTHOUSE_RUNS_ON_MISS + 1):
                progress(f"Browser: Lighthouse {number}/{len(LIGHTHOUSE_PAGES)}, {name}, again ...")
                report = LOGS / f"lighthouse-{_slug(name)}-{again}.json"
                runs.append(_lighthouse_run(site_url + path, headers, report))
        results[path] = _median_run(runs)
    return results


def _lighthouse_run(url: str, headers_file: Path, report: Path) -> dict[str, Any]:
    """One Lighthouse run that gave scores, tried up to LIGHTHOUSE_TRIES times: now and then
    chromium's trace of a load misses its start ("NO_NAVSTART"), and Lighthouse says to run it
    again; the last failure is reported."""
    for _ in range(LIGHTHOUSE_TRIES):
        result = lighthouse(url, headers_file, report)
        if "error" not in result:
            break
    return result


def _performance(result: dict[str, Any]) -> float:
    """A run's performance score, -1 for a run that failed or gave none."""
    score = result.get("scores", {}).get("performance")
    return -1 if score is None else score


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median performance score, noting the others' scores."""
    if len(runs) == 1:
        return runs[0]
    ordered = sorted(runs, key=_performance)
    median = dict(ordered[len(ordered) // 2])
    scores = ", ".join("failed" if _performance(r) < 0 else str(_performance(r)) for r in runs)
    median["runs"] = f"the median of {len(runs)} runs ({scores})"
    return median


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _status(url: str, headers_file: Path) -> int:
    answer = requests.get(
        url, headers=json.loads(headers_file.read_text()), allow_redirects=False, timeout=30
    )
    return answer.status_code


def lighthouse(url: str, headers_file: Path, report: Path) -> dict[str, Any]:
    """One Lighthouse run (mobile, simulated throttling: its defaults); the scores (0-100) and,
    for a category short of its target, the audits that cost it."""
    cli = NODE_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
    command = [
        shutil.which("node") or "node",
        str(cli),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(LIGHTHOUSE_CATEGORIES)}",
        f"--chrome-flags={LIGHTHOUSE_CHROME_FLAGS}",
        f"--extra-headers={headers_file}",
        "--max-wait-for-load=60000",
    ]
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    log = LOGS / "lighthouse.log"
    with log.open("ab") as output:
        output.write(f"\n$ lighthouse {url}\n".encode())
        output.flush()
        process = subprocess.Popen(  # nosec B603  # node running Lighthouse's CLI
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its chromium too, stopped together below
        )
        try:
            process.wait(timeout=LIGHTHOUSE_SECONDS)
        except subprocess.TimeoutExpired:
            return {"error": f"Lighthouse did not finish within {LIGHTHOUSE_SECONDS} s"}
        finally:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # a chromium it may have left behind
            process.wait(timeout=10)
    if process.returncode != 0 or not report.exists():
        return {"error": f"Lighthouse failed (status {process.returncode}; see {log.name})"}
    result = json.loads(report.read_text())
    if result.get("runtimeError"):
        return {"error": f"Lighthouse: {result['runtimeError'].get('message', 'runtime error')}"}
    return {
        "version": result.get("lighthouseVersion", ""),
        "scores": {
            name: (
                None
                if result["categories"][name]["score"] is None
                else round(result["categories"][name]["score"] * 100)
            )
            for name in LIGHTHOUSE_CATEGORIES
        },
        "costs": {name: _costs(result, name) for name in LIGHTHOUSE_CATEGORIES},
        # Lighthouse's measure of the machine's speed during the run (a busy machine scores low).
        "benchmark": result.get("environment", {}).get("benchmarkIndex"),
    }


def _costs(result: dict[str, Any], category: str) -> str:
    """What took points off a category: the metrics for performance, the failed audits for
    the others."""
    audits = result["audits"]
    if category == "performance":
        metrics = {
            "first-contentful-paint": "FCP",
            "largest-contentful-paint": "LCP",
            "total-blocking-time": "TBT",
            "cumulative-layout-shift": "CLS",
            "speed-index": "SI",
        }
        return ", ".join(
            f"{short} {audits[key]['displayValue']}"
            for key, short in metrics.items()
            if key in audits and audits[key].get("displayValue")
        )
    failed = [
        ref["id"]
        for ref in result["categories"][category]["auditRefs"]
        if ref.get("weight", 0) > 0
        and audits.get(ref["id"], {}).get("score") is not None
        and audits[ref["id"]]["score"] < 1
    ]
    return ", ".join(failed)


# ---------------------------------------------------------------------------------------------
# The table


def figures(
    counts: dict[str, int],
    layouts: dict[str, dict[str, Layout]],
    wire: Wire,
    axe_results: dict[str, dict[str, Any]],
    lighthouse_results: dict[str, dict[str, Any]] | None,
    node_problem: str | None,
    chromium: str,
) -> list[tuple[str, list[Figure]]]:
    sections = [
        (
            f"browser: {SIZE_TITLES['phone']}, rows at load, Chromium {chromium}",
            phone_figures(layouts["phone"], counts),
        ),
        (f"browser: {SIZE_TITLES['desk']}, rows at load", desk_figures(layouts["desk"])),
        ("browser: weight (1 kB = 1,000 B)", weight_figures(layouts, wire)),
    ]
    if lighthouse_results is not None or node_problem is not None:
        versions = {r["version"] for r in (lighthouse_results or {}).values() if "version" in r}
        sections.append(
            (
                f"browser: Lighthouse {', '.join(sorted(versions))}, mobile (its defaults)",
                lighthouse_figures(lighthouse_results or {}, node_problem),
            )
        )
    versions = {r["version"] for r in axe_results.values() if "version" in r}
    sections.append(
        (
            f"browser: axe-core {', '.join(sorted(versions))} on the inbox, a dialog open",
            axe_figures(axe_results, node_problem),
        )
    )
    return sections


def _layout_note(size: str, path: str, found: Layout, counts: dict[str, int] | None = None) -> str:
    parts = []
    if found.status != 200:
        parts.append(f"the page answered {found.status}")
    if found.covered:
        parts.append(f"{found.covered} more inside the screen but partly under something fixed")
    if counts is not None and counts.get(path, MIN_ROWS) < MIN_ROWS:
        parts.append(f"only {counts[path]} rows on the page, fewer than the {MIN_ROWS} wanted")
    return f"{SIZE_TITLES[size]}, {ROW_PAGES[path]}: " + "; ".join(parts) if parts else ""


def phone_figures(layouts: dict[str, Layout], counts: dict[str, int]) -> list[Figure]:
    rows = []
    for path, found in layouts.items():
        name = ROW_PAGES[path]
        rows.append(
            Figure(
                f"{name}: whole bookings on the first screen",
                f"{found.whole} of {found.rows}",
                "rows",
                f">= {PHONE_MIN_WHOLE}",
                found.whole >= PHONE_MIN_WHOLE,
                note=_layout_note("phone", path, found, counts),
            )
        )
        top = found.first_top
        rows.append(
            Figure(
                f"{name}: top of the first booking",
                "no rows" if top is None else f"{top:.0f}",
                "px",
                f"<= {PHONE_MAX_FIRST_TOP}",
                top is not None and top <= PHONE_MAX_FIRST_TOP,
            )
        )
    return rows


def desk_figures(layouts: dict[str, Layout]) -> list[Figure]:
    rows = []
    for path, found in layouts.items():
        name = ROW_PAGES[path]
        rows.append(
            Figure(
                f"{name}: whole bookings on the first screen",
                f"{found.whole} of {found.rows}",
                "rows",
                f">= {DESK_MIN_WHOLE}",
                found.whole >= DESK_MIN_WHOLE,
                note=_layout_note("desk", path, found),
            )
        )
        top = found.first_top
        rows.append(
            Figure(
                f"{name}: top of the first booking",
                "no rows" if top is None else f"{top:.0f}",
                "px",
            )
        )
    return rows


def weight_figures(layouts: dict[str, dict[str, Layout]], wire: Wire) -> list[Figure]:
    rows = []
    for path in ROW_PAGES:
        # The same HTML at either size; both, in case a layout renders rows of its own.
        sizes = [n for size in SIZES for n in layouts[size][path].row_bytes]
        largest = max(sizes, default=None)
        mean = sum(sizes) / len(sizes) if sizes else None
        rows.append(
            Figure(
                f"{ROW_PAGES[path]}: HTML per booking row, largest"
                + ("" if mean is None else f" (mean {mean:,.0f})"),
                "no rows" if largest is None else f"{largest:,}",
                "B",
                f"<= {MAX_ROW_BYTES:,}",
                largest is not None and largest <= MAX_ROW_BYTES,
            )
        )
    by_kind: dict[str, int] = {}
    for response in wire.responses:
        kind = response["type"].lower() or "other"
        by_kind[kind] = by_kind.get(kind, 0) + response["compressed"]
    plain = [
        f"{_short_url(r['url'])} ({r['wire'] / 1000:.1f} kB)"
        for r in wire.responses
        if not r["encoding"] and _is_text(r["mime"])
    ]
    breakdown = ", ".join(f"{kind} {size / 1000:.1f} kB" for kind, size in sorted(by_kind.items()))
    encodings: dict[str, int] = {}
    for response in wire.responses:
        encoding = response["encoding"] or "none"
        encodings[encoding] = encodings.get(encoding, 0) + 1
    encoded = ", ".join(f"{name} {count}" for name, count in sorted(encodings.items()))
    rows.append(
        Figure(
            "first load of the inbox, compressed",
            f"{wire.compressed / 1000:.1f}",
            "kB",
            f"<= {MAX_FIRST_LOAD_BYTES / 1000:.0f}",
            wire.compressed <= MAX_FIRST_LOAD_BYTES,
            note=(
                f"{len(wire.responses)} responses on a phone with an empty cache, headers "
                f"included (CDP encodedDataLength): {breakdown}; Content-Encoding {encoded}."
                + _brotli_note(wire)
                + (
                    f" Sent uncompressed by the site, counted here at their gzip -6 size as a "
                    f"proxy with gzip on would send them: {', '.join(plain)}."
                    if plain
                    else ""
                )
            ),
        )
    )
    rows.append(
        Figure("first load of the inbox, as the site sent it", f"{wire.sent / 1000:.1f}", "kB")
    )
    return rows


def _brotli_note(wire: Wire) -> str:
    """Why nothing came brotli-compressed although chromium asked for it, if so."""
    encodings = {r["encoding"] for r in wire.responses}
    if "br" not in wire.accept_encoding or "br" in encodings or "gzip" not in encodings:
        return ""
    why = (
        "WhiteNoise makes .br files only when the brotli package is installed, and it is not "
        "(whitenoise[brotli] would add it)"
        if importlib.util.find_spec("brotli") is None
        else "WhiteNoise has no .br files for them"
    )
    return (
        f" Chromium offered br ({wire.accept_encoding}), yet the static files came gzipped: {why}."
    )


def _short_url(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def lighthouse_figures(
    results: dict[str, dict[str, Any]], node_problem: str | None
) -> list[Figure]:
    if node_problem is not None:
        return [Figure("Lighthouse", "not run", met=False, note=node_problem)]
    rows = []
    for path, name in LIGHTHOUSE_PAGES.items():
        result = results.get(path, {"error": "not run"})
        if result.get("missing") or "error" in result:
            rows.append(
                Figure(
                    f"{name} ({path})",
                    "missing" if result.get("missing") else "failed",
                    "",
                    "every category",
                    False,
                    note="" if result.get("missing") else f"{name}: {result['error']}",
                )
            )
            continue
        for category in LIGHTHOUSE_CATEGORIES:
            score = result["scores"][category]
            minimum = MIN_SCORES[category]
            met = score is not None and score >= minimum
            said = []
            if not met and result["costs"][category]:
                said.append(result["costs"][category])
            if category == "performance" and result.get("runs"):
                said.append(result["runs"])
            if category == "performance" and said and result.get("benchmark"):
                said.append(f"benchmarkIndex {result['benchmark']:.0f}")
            rows.append(
                Figure(
                    f"{name}: {CATEGORY_NAMES[category]}",
                    "none" if score is None else str(score),
                    "",
                    f">= {minimum}" if minimum < 100 else "100",
                    met,
                    note=f"{name}, {CATEGORY_NAMES[category]}: {'; '.join(said)}" if said else "",
                )
            )
    return rows


def axe_figures(results: dict[str, dict[str, Any]], node_problem: str | None) -> list[Figure]:
    if node_problem is not None:
        return [Figure("axe-core", "not run", met=False, note=node_problem)]
    rows = []
    for size, result in results.items():
        if "error" in result:
            rows.append(
                Figure(
                    f"{SIZE_TITLES[size]}: violations",
                    "not run",
                    "",
                    "0",
                    False,
                    note=f"{SIZE_TITLES[size]}: {result['error']}",
                )
            )
            continue
        violations = result["violations"]
        detail = "; ".join(
            f"{v['id']} ({v['impact']}) at {', '.join(v['targets'][:3])}"
            + (f" and {len(v['targets']) - 3} more" if len(v["targets"]) > 3 else "")
            for v in violations
        )
        rows.append(
            Figure(
                f"{SIZE_TITLES[size]}: violations, {result['dialog']!r} dialog open",
                str(len(violations)),
                "",
                "0",
                not violations,
                note=f"axe-core, {SIZE_TITLES[size]}: {detail}" if violations else "",
            )
        )
    return rows


if __name__ == "__main__":
    sys.exit(main())
