"""moto's server with one fix: deleting a delete marker by version ID.

moto 5.2 answers `DeleteObjects` naming a delete marker's version with a 500
(`'FakeDeleteMarker' object has no attribute 'dispose'`), so the AWS provider
retries `force_destroy` of a versioned bucket for ever. A delete marker holds
no data to dispose of; giving it a no-op `dispose` is the whole fix. Everything
else is `moto.server.main` as `moto_server` runs it.
"""

from __future__ import annotations

import sys

from moto.s3.models import FakeDeleteMarker
from moto.server import main


def _dispose(self: FakeDeleteMarker, garbage: bool = False) -> None:
    del self, garbage


if not hasattr(FakeDeleteMarker, "dispose"):
    FakeDeleteMarker.dispose = _dispose  # type: ignore[attr-defined]

if __name__ == "__main__":
    main(sys.argv[1:])
