"""Compiled templates kept in the --cache folder, so a warm build does not compile every
template again (a third of a second on the real site).

A compiled template is code that wsdgen runs, and Jinja reads it with pickle and
marshal: whoever can write the cache folder (another branch's CI run) must not be able
to make wsdgen run code of theirs. So every file is signed with the cache key
(``WSDGEN_CACHE_KEY``, which is not in the folder, as for the pages: cache/pagecache.py)
over its name and bytes, and nothing unsigned, signed otherwise or made by another
version of wsdgen (its code, the sandbox and the libraries: ``code_digest``) is given
to Jinja. Without a key nothing is kept.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

from wsdgen.cache.inputs import code_digest
from wsdgen.cache.pagecache import (
    USABLE,
    key_in_folder,
    opened_folder,
    read_file,
    sign,
    write_new,
)

FOLDER = "sjablonen"
SIGNATURE_BYTES = 64  # hexadecimal sha256
MAX_CODE_BYTES = 16 * 1024 * 1024


class SignedTemplateCode(jinja2.BytecodeCache):
    def __init__(self, cache_dir: Path, key: bytes | None) -> None:
        self.root = cache_dir
        self.key = key if USABLE and not key_in_folder(cache_dir) else None
        self.version = code_digest()

    def name_of(self, bucket: Bucket) -> str:
        return hashlib.sha256(f"{self.version}\0{bucket.key}".encode()).hexdigest()

    def signature(self, name: str, data: bytes) -> bytes:
        assert self.key is not None
        return sign(self.key, "template-code", name.encode(), data).encode()

    def load_bytecode(self, bucket: Bucket) -> None:
        if self.key is None:
            return
        name = self.name_of(bucket)
        try:
            with opened_folder(self.root, (FOLDER,), create=False) as folder:
                stored = read_file(folder, name, MAX_CODE_BYTES)
        except OSError:
            return
        if stored is None or len(stored) < SIGNATURE_BYTES:
            return
        signature, data = stored[:SIGNATURE_BYTES], stored[SIGNATURE_BYTES:]
        if hmac.compare_digest(signature, self.signature(name, data)):
            bucket.bytecode_from_string(data)  # Jinja checks the template's checksum

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep a compiled template; failing to write only costs the next build time."""
        if self.key is None:
            return
        name = self.name_of(bucket)
        data = bucket.bytecode_to_string()
        try:
            with opened_folder(self.root, (FOLDER,), create=True) as folder:
                write_new(folder, name, self.signature(name, data) + data)
        except OSError:
            return
