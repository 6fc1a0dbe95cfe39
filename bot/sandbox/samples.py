"""The sample photos a sandbox user can send (drawn for the sandbox, shipped as package data)."""

from __future__ import annotations

from importlib import resources

SAMPLE_PHOTOS = ("leak", "lamp", "crack", "bins")


def sample_photo(name: str) -> bytes:
    """The JPEG bytes of a sample photo; ValueError for an unknown name."""
    if name not in SAMPLE_PHOTOS:
        choices = ", ".join(SAMPLE_PHOTOS)
        raise ValueError(f"unknown sample photo {name!r}; choose one of {choices}")
    folder = resources.files("bot.sandbox.web") / "static" / "samples"
    return (folder / f"{name}.jpg").read_bytes()
