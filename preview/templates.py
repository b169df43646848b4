"""Compiled templates kept between passes.

Every pass makes new generators and each generator a new Jinja environment, so
without this every pass compiles the theme again (about a tenth of a pass on
1,000 articles). Jinja checks each template's source against the kept code, so
an edited template is compiled afresh; the pages are the same either way.
"""

from __future__ import annotations

import threading

from jinja2.bccache import Bucket, BytecodeCache


class MemoryBytecodeCache(BytecodeCache):
    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def load_bytecode(self, bucket: Bucket) -> None:
        with self._lock:
            code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        code = bucket.bytecode_to_string()
        with self._lock:
            self._code[bucket.key] = code

    def clear(self) -> None:
        with self._lock:
            self._code.clear()
