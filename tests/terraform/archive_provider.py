"""A stand-in for `hashicorp/archive`'s `archive_file` data source, for tests only.

The real provider is not in our machines' Terraform mirror, and the network is
closed. This implements the one data source the stacks use, on the `tf`
provider framework (plugin protocol 6), with the real provider's schema: the
arguments `type`, `source_content`, `source_content_filename`, `source_file`,
`source_dir`, `excludes`, `exclude_symlink_directories`, `output_path`,
`output_file_mode` and `source { content, filename }` blocks, and the computed
`output_size`, `output_sha`, `output_sha256`, `output_base64sha256`,
`output_sha512`, `output_base64sha512`, `output_md5` and `id` (the SHA-1, as the
real provider sets it). The zip it writes is deterministic: entries sorted, a
fixed timestamp, fixed permissions unless `output_file_mode` says otherwise.

`python -m tests.terraform.archive_provider` is the plugin executable the test
harness installs into a filesystem mirror as `registry.terraform.io/hashicorp/archive`.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import zipfile
from pathlib import Path
from typing import Any

from tf import blocks, schema, types
from tf import provider as framework
from tf.iface import Config, ReadDataContext, State
from tf.runner import run_provider
from tf.utils import Diagnostics

VERSION = "2.7.1"
FIXED_TIME = (2049, 1, 1, 0, 0, 0)  # the real provider's pinned timestamp is also far from "now"
COMPUTED = (
    "output_size",
    "output_sha",
    "output_sha256",
    "output_base64sha256",
    "output_sha512",
    "output_base64sha512",
    "output_md5",
    "id",
)


def archive_entries(config: dict[str, Any]) -> list[tuple[str, bytes]]:
    """(name in the zip, content) of every file the configuration packs, sorted by name."""
    entries: dict[str, bytes] = {}
    if config.get("source_content") is not None:
        name = config.get("source_content_filename") or "content"
        entries[name] = str(config["source_content"]).encode()
    if config.get("source_file"):
        path = Path(config["source_file"])
        entries[path.name] = path.read_bytes()
    if config.get("source_dir"):
        root = Path(config["source_dir"])
        excludes = {os.path.normpath(e) for e in config.get("excludes") or []}
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root).as_posix()
            if path.is_file() and os.path.normpath(relative) not in excludes:
                entries[relative] = path.read_bytes()
    for block in config.get("source") or []:
        entries[block["filename"]] = str(block["content"]).encode()
    return sorted(entries.items())


def zip_bytes(entries: list[tuple[str, bytes]], mode: str | None) -> bytes:
    buffer = io.BytesIO()
    permissions = int(mode, 8) if mode else 0o644
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o100000 | permissions) << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def digests(data: bytes) -> dict[str, Any]:
    """The computed attributes of the real provider for these bytes."""
    sha256 = hashlib.sha256(data).digest()
    sha512 = hashlib.sha512(data).digest()
    sha1 = hashlib.sha1(data).hexdigest()
    return {
        "output_size": len(data),
        "output_sha": sha1,
        "output_sha256": sha256.hex(),
        "output_base64sha256": base64.b64encode(sha256).decode(),
        "output_sha512": sha512.hex(),
        "output_base64sha512": base64.b64encode(sha512).decode(),
        "output_md5": hashlib.md5(data).hexdigest(),
        "id": sha1,
    }


class ArchiveFile(framework.DataSource):
    @classmethod
    def get_name(cls) -> str:
        return "file"

    @classmethod
    def get_schema(cls) -> schema.Schema:
        def optional(name: str, kind: Any) -> schema.Attribute:
            return schema.Attribute(name, kind, optional=True)

        return schema.Schema(
            attributes=[
                schema.Attribute("type", types.String(), required=True),
                optional("source_content", types.String()),
                optional("source_content_filename", types.String()),
                optional("source_file", types.String()),
                optional("source_dir", types.String()),
                optional("excludes", types.Set(types.String())),
                optional("exclude_symlink_directories", types.Bool()),
                schema.Attribute("output_path", types.String(), required=True),
                optional("output_file_mode", types.String()),
                *(
                    schema.Attribute(
                        name,
                        types.Number() if name == "output_size" else types.String(),
                        computed=True,
                    )
                    for name in COMPUTED
                ),
            ],
            block_types=[
                blocks.SetNestedBlock(
                    "source",
                    schema.Block(
                        attributes=[
                            schema.Attribute("content", types.String(), required=True),
                            schema.Attribute("filename", types.String(), required=True),
                        ]
                    ),
                )
            ],
        )

    def __init__(self, *args: Any) -> None:
        pass

    def read(self, ctx: ReadDataContext, config: Config) -> State | None:
        if config.get("type") != "zip":
            ctx.diagnostics.add_error("this stand-in of hashicorp/archive writes zip archives only")
            return None
        data = zip_bytes(archive_entries(config), config.get("output_file_mode"))
        output = Path(config["output_path"])
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)
        return {**config, **digests(data)}


class ArchiveProvider(framework.Provider):
    def full_name(self) -> str:
        return "registry.terraform.io/hashicorp/archive"

    def get_model_prefix(self) -> str:
        return "archive_"

    def get_provider_schema(self, diags: Diagnostics) -> schema.Schema:
        return schema.Schema()

    def validate_config(self, diags: Diagnostics, config: Config) -> None:
        pass

    def configure_provider(self, diags: Diagnostics, config: Config) -> None:
        pass

    def get_data_sources(self) -> list[type[framework.DataSource]]:
        return [ArchiveFile]

    def get_resources(self) -> list[type[framework.Resource]]:
        return []


if __name__ == "__main__":
    run_provider(ArchiveProvider())
