"""File answers from one open descriptor: size, dates, ETag and bytes all of one version.

The site's writers replace files with a rename over the old name (shared/files.py). Answering
by path — stat it, then open it to send — can pair one version's Content-Length and ETag with
another version's bytes: a short or overlong answer. Opening first and taking everything from
the descriptor cannot: it keeps the version it opened, whatever the path names meanwhile.
"""

import os
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import BinaryIO

import anyio
from starlette.responses import FileResponse
from starlette.types import Receive, Scope, Send


class OpenFileResponse(FileResponse):
    """A FileResponse whose headers and bytes come from `file`, opened before it was built."""

    def __init__(self, path: str | Path, file: BinaryIO, status_code: int = 200) -> None:
        self.file = file
        super().__init__(path, status_code, stat_result=os.fstat(file.fileno()))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the answer, then close the file (also for HEAD, which reads nothing)."""
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.file.close()

    @asynccontextmanager
    async def _open_file(self) -> AsyncIterator[anyio.AsyncFile[bytes]]:
        """The file already open (FileResponse's own would open the path again); __call__
        closes it."""
        yield anyio.wrap_file(self.file)


def open_file_response(path: str | Path, status_code: int = 200) -> OpenFileResponse | None:
    """An answer from `path` opened now, or None if it is not there or not a regular file."""
    try:
        # Non-blocking: a FIFO put in place of a page must not hang the open.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except (FileNotFoundError, NotADirectoryError):
        return None
    file = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        file.close()
        return None
    return OpenFileResponse(path, file, status_code)
