"""Rewrite one marked section of docs/benchmarks.md, leaving the others alone.

Each benchmark script owns the text between its own ``<!-- NAME:start -->`` and
``<!-- NAME:end -->`` markers.
"""

from __future__ import annotations

import os
import pathlib


def write_section(path: pathlib.Path, section: str, start_marker: str, end_marker: str) -> None:
    """Replace (or append) the section between the markers; atomic."""
    if path.is_file():
        text = path.read_text()
        start, end = text.find(start_marker), text.find(end_marker)
        if start == -1 and end == -1:
            text = text.rstrip("\n") + "\n\n" + section
        elif start != -1 and end > start:
            text = text[:start] + section.rstrip("\n") + text[end + len(end_marker):]
            if not text.endswith("\n"):
                text += "\n"
        else:
            raise SystemExit(f"{path}: unmatched {start_marker} / {end_marker} markers; "
                             "fix the file by hand")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = "# Benchmarks\n\n" + section
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text)
    os.replace(temporary, path)
