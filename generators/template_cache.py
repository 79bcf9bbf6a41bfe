"""Compiled Jinja2 templates kept on disk between builds.

Compiling templates is a fixed cost of every build: about 0.1 s for the site's page
templates and Sphinx's HTML theme together, on a project of 1,000 needs. Jinja2 can keep
the compiled code in a folder (a bytecode cache). It checks the template's source before
using an entry, and the folder name used here also covers the environment's settings
and the Jinja2 and Python versions, so an entry compiled for other settings is not used.
"""

from __future__ import annotations

import hashlib
import sys
import types
from pathlib import Path

import jinja2

CACHE_FOLDER = "iso27035-templates"
"""Folder of compiled templates, inside Sphinx's doctree folder."""


def settings_key(environment: jinja2.Environment) -> str:
    """Return a short digest of the settings that shape ``environment``'s compiled code."""
    autoescape = environment.autoescape
    settings = (
        jinja2.__version__, sys.version_info[:2], type(environment).__qualname__,
        environment.block_start_string, environment.block_end_string,
        environment.variable_start_string, environment.variable_end_string,
        environment.comment_start_string, environment.comment_end_string,
        environment.line_statement_prefix, environment.line_comment_prefix,
        environment.trim_blocks, environment.lstrip_blocks, environment.newline_sequence,
        environment.keep_trailing_newline, environment.optimized, environment.is_async,
        sorted(environment.extensions),
        getattr(autoescape, "__qualname__", autoescape),
    )
    return hashlib.sha256(repr(settings).encode("utf-8")).hexdigest()[:16]


def use_cache(environment: jinja2.Environment, folder: Path, name: str) -> None:
    """Keep ``environment``'s compiled templates in ``folder/name-KEY``.

    The cache is an optimization only: when the folder cannot be created, templates
    are compiled as before.
    """
    directory = folder / f"{name}-{settings_key(environment)}"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    environment.bytecode_cache = _FolderCache(str(directory))


class _FolderCache(jinja2.FileSystemBytecodeCache):
    """A bytecode cache that skips an entry it cannot read back or write.

    A damaged entry (a disk error, a file edited or truncated by hand) is compiled
    again, because Jinja2 guards only part of the reading.
    """

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # any damage: unpickling and unmarshalling raise many kinds
            bucket.reset()
            return
        if bucket.code is not None and not isinstance(bucket.code, types.CodeType):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass
