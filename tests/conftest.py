"""Every test run caches parsed HCL in a folder of its own, never in the user's cache."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("CHECKER_CACHE_DIR", tempfile.mkdtemp(prefix="checker-test-cache-"))
