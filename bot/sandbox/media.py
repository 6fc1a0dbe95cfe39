"""File ids, stored files and the PhotoSize lists Telegram derives from an uploaded photo."""

from __future__ import annotations

import base64
import itertools
import secrets
import struct
from typing import Literal

from bot.sandbox.models import Json, StoredFile

FileKind = Literal["photo", "document"]

# Real file ids start with a type-specific header; mimicking it keeps logs realistic.
_FILE_ID_PREFIX = {"photo": "AgACAgUAAxkBAAI", "document": "BQACAgUAAxkBAAI"}
_PHOTO_SIDES = (90, 320, 800, 1280)
_DEFAULT_SIZE = (1280, 960)
# A 1x1 transparent PNG: what a simulated user's photo contains unless a test supplies bytes.
TINY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


class FileStore:
    """Every file the emulator knows, by file_id."""

    def __init__(self) -> None:
        self._files: dict[str, StoredFile] = {}
        self._photo_sizes: dict[str, list[Json]] = {}
        self._counter = itertools.count(1)

    def get(self, file_id: str) -> StoredFile | None:
        """The stored file for a file_id, if known."""
        return self._files.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        """The stored file served at ``file_path`` under the file download URL."""
        return next((f for f in self._files.values() if f.file_path == file_path), None)

    def add(
        self,
        content: bytes,
        kind: FileKind,
        *,
        filename: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile:
        """Store bytes under a fresh file_id and return the record."""
        number = next(self._counter)
        token = base64.urlsafe_b64encode(number.to_bytes(4, "big") + secrets.token_bytes(30))
        file_id = _FILE_ID_PREFIX[kind] + token.decode().rstrip("=")
        unique = "AQAD" + base64.urlsafe_b64encode(number.to_bytes(4, "big")).decode().rstrip("=")
        extension = _extension(filename, kind)
        folder = "photos" if kind == "photo" else "documents"
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=unique,
            content=content,
            file_path=f"{folder}/file_{number}{extension}",
            filename=filename,
            mime_type=mime_type,
        )
        self._files[file_id] = stored
        return stored

    def add_photo(self, content: bytes) -> list[Json]:
        """Store a photo and return its PhotoSize list, smallest first, like Telegram."""
        width, height = image_size(content) or _DEFAULT_SIZE
        if width <= 0 or height <= 0:
            width, height = _DEFAULT_SIZE
        sizes: list[Json] = []
        for side in _PHOTO_SIDES:
            scale = min(1.0, side / max(width, height))
            scaled = (max(1, round(width * scale)), max(1, round(height * scale)))
            if sizes and (sizes[-1]["width"], sizes[-1]["height"]) == scaled:
                continue
            stored = self.add(content, "photo", mime_type="image/jpeg")
            sizes.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_size": len(content),
                    "width": scaled[0],
                    "height": scaled[1],
                }
            )
        for size in sizes:
            self._photo_sizes[size["file_id"]] = sizes
        return sizes

    def photo_sizes(self, file_id: str) -> list[Json] | None:
        """The PhotoSize list a photo file_id belongs to, or None for non-photos."""
        return self._photo_sizes.get(file_id)


def _extension(filename: str | None, kind: FileKind) -> str:
    if filename and "." in filename:
        return "." + filename.rsplit(".", 1)[1]
    return ".jpg" if kind == "photo" else ""


def image_size(content: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG image, or None for anything else."""
    if content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    if content[:6] in (b"GIF87a", b"GIF89a") and len(content) >= 10:
        width, height = struct.unpack("<HH", content[6:10])
        return int(width), int(height)
    if content.startswith(b"\xff\xd8"):
        return _jpeg_size(content)
    return None


def _jpeg_size(content: bytes) -> tuple[int, int] | None:
    index = 2
    while index + 9 < len(content):
        if content[index] != 0xFF:
            return None
        marker = content[index + 1]
        (segment_length,) = struct.unpack(">H", content[index + 2 : index + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", content[index + 5 : index + 9])
            return int(width), int(height)
        index += 2 + segment_length
    return None
