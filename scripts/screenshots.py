"""Pictures of the built docs site, to look at before a release: the home page, a rule page, the
scorecard page (with its chart) and the chart alone, rendered in headless Chromium.

Run after ``make docs``: .venv/bin/python scripts/screenshots.py [--site build/site]
[--out build/screenshots]   (needs Chromium: Debian's ``chromium`` package)
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAGES = {
    "home.png": ("index.html", 1280, 1400),
    "rule-RB101.png": ("rules/RB101/index.html", 1280, 1600),
    "scorecard.png": ("reference/scorecard/index.html", 1280, 2600),
    "burndown-chart.png": ("assets/burndown-example.svg", 920, 480),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--site", type=Path, default=REPO / "build" / "site")
    parser.add_argument("--out", type=Path, default=REPO / "build" / "screenshots")
    args = parser.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("screenshots: no chromium on the PATH (apt-get install chromium)", file=sys.stderr)
        return 2
    if not (args.site / "index.html").is_file():
        print(f"screenshots: no site in {args.site}: run make docs first", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for name, (page, width, height) in PAGES.items():
        target = args.out / name
        done = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             f"--window-size={width},{height}", f"--screenshot={target}",
             (args.site / page).resolve().as_uri()],
            capture_output=True, text=True, check=False, timeout=120,
        )  # fmt: skip
        if done.returncode != 0 or not target.is_file():
            print(f"screenshots: {page} failed: {done.stderr[-500:]}", file=sys.stderr)
            return 1
        print(f"{target.relative_to(REPO) if target.is_relative_to(REPO) else target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
