"""The build this process runs: the git commit its code comes from."""

import functools
import re
import subprocess
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
COMMIT = re.compile(r"[0-9a-f]{40}")


@functools.cache
def commit() -> str | None:
    """The full commit id: BUILD_COMMIT (set where the code is deployed without its .git),
    else the checkout's HEAD; None when neither says."""
    if settings.BUILD_COMMIT:
        return settings.BUILD_COMMIT
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return None
    return head if COMMIT.fullmatch(head) else None
