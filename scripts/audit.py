"""`make audit`: the Python and npm dependencies checked against known vulnerabilities.

Python: pip-audit over the installed environment, asking PyPI's JSON API (the registry this
project installs from) for each package's advisories. npm: `npm audit`, asking the npm
registry. A vulnerability found fails the audit (exit 1) and is listed, with the version that
fixes it: pin that version in pyproject.toml or package.json.

A package the service cannot answer for (a registry mirror that does not serve advisories) is
not a vulnerability, but neither is it checked: each is counted and named, and with
AUDIT_STRICT=1 (for a machine that reaches the real registries) that fails the audit too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STRICT = os.environ.get("AUDIT_STRICT") == "1"


def python() -> tuple[list[str], list[str]]:
    venv = Path(sys.executable).parent
    result = subprocess.run(  # noqa: S603 - our own virtualenv's pip-audit, fixed arguments
        [str(venv / "pip-audit"), "-s", "pypi", "-f", "json", "--progress-spinner", "off"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    try:
        report = json.loads(result.stdout)
    except ValueError:
        return [], [f"pip-audit did not answer: {result.stderr.strip()[-300:]}"]
    found, unchecked = [], []
    for dep in report.get("dependencies", []):
        if dep.get("skip_reason"):
            unchecked.append(f"{dep['name']}: {dep['skip_reason']}")
        for vuln in dep.get("vulns", []):
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
            found.append(f"{dep['name']} {dep.get('version')}: {vuln['id']} (fixed in {fixed})")
    return found, unchecked


def npm() -> tuple[list[str], list[str]]:
    result = subprocess.run(  # noqa: S603 - fixed arguments
        ["npm", "audit", "--json"],  # noqa: S607 - npm from PATH, as `make install` uses it
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    try:
        report = json.loads(result.stdout)
    except ValueError:
        return [], [f"npm audit did not answer: {result.stderr.strip()[-300:]}"]
    if "vulnerabilities" not in report:
        return [], [f"npm audit could not ask the registry: {report.get('message', '?')}"]
    found = [
        f"{name}: {item.get('severity')} ({item.get('range', '?')})"
        for name, item in report["vulnerabilities"].items()
    ]
    return found, []


def main() -> int:
    failed = False
    for label, check in (("Python", python), ("npm", npm)):
        found, unchecked = check()
        print(f"{label}: {len(found)} known vulnerabilit{'y' if len(found) == 1 else 'ies'}")
        for line in found:
            print(f"  {line}")
        if unchecked:
            print(f"{label}: {len(unchecked)} not checked (the registry gave no advisories):")
            for line in unchecked[:50]:
                print(f"  {line}")
        failed = failed or bool(found) or (STRICT and bool(unchecked))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
