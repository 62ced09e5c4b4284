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
from contextlib import suppress

import jinja2
from jinja2.bccache import Bucket

from wsdgen.cache.inputs import code_digest
from wsdgen.cache.pagecache import CacheFolder

FOLDER = "sjablonen"
MAX_CODE_BYTES = 16 * 1024 * 1024


class SignedTemplateCode(jinja2.BytecodeCache):
    def __init__(self, folder: CacheFolder) -> None:
        self.folder = folder
        self.version = code_digest()

    def name_of(self, bucket: Bucket) -> str:
        return hashlib.sha256(f"{self.version}\0{bucket.key}".encode()).hexdigest()

    def load_bytecode(self, bucket: Bucket) -> None:
        name = self.name_of(bucket)
        data = self.folder.read_signed((FOLDER,), name, f"template-code:{name}", MAX_CODE_BYTES)
        if data is not None:
            bucket.bytecode_from_string(data)  # Jinja checks the template's checksum

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep a compiled template; failing to write only costs the next build time."""
        name = self.name_of(bucket)
        with suppress(OSError):
            self.folder.write_signed(
                (FOLDER,), name, f"template-code:{name}", bucket.bytecode_to_string()
            )
