"""What every format reader shares: its limits, the way it says why it could not
read a file, and the tidying of the text it found."""
from __future__ import annotations

import re
import time


class Unreadable(Exception):
    """A reader's short reason for reading nothing ("encrypted", "no-text", …)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Output:
    """The lines a reader has found, within the limits of characters and time."""

    def __init__(self, max_chars: int, timeout: float):
        self.max_chars = max_chars
        self.deadline = time.monotonic() + timeout
        self.lines: list[str] = []
        self.size = 0
        self.truncated = False

    def add(self, line: str) -> bool:
        """Keep a line; False once there are enough characters or time is up."""
        self.lines.append(line)
        self.size += len(line) + 1
        return self.room()

    def room(self) -> bool:
        if self.size > self.max_chars or time.monotonic() > self.deadline:
            self.truncated = True
        return not self.truncated

    def remaining(self) -> float:
        return max(self.deadline - time.monotonic(), 0.1)

    def text(self) -> str:
        return "\n".join(self.lines)


# Han characters, CJK and full-width punctuation, and the quotes and dashes set
# among them: what a line of Chinese text is made of.
CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u2018-\u201f\u2014\u2026\u00b7"
_LINE_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# Control and format characters, private-use glyphs (symbol fonts), lone
# surrogates and the replacement character: never text.
_JUNK = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\ufeff\ufff0-\ufffd\ue000-\uf8ff\ud800-\udfff]"
)
_SPACES = re.compile("[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_TABLE_ROW = re.compile(r"^\|(.*)\|$")


def tidy(text: str) -> str:
    """One paragraph a line, spaces collapsed, no control characters, no blank lines."""
    text = _JUNK.sub("", _LINE_BREAKS.sub("\n", text))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def untable(line: str) -> str:
    """`|cell   |cell   |` (antiword) or `cell|cell|` (striprtf) as `cell cell`."""
    if line.endswith("|"):
        inner = _TABLE_ROW.match(line)
        cells = (inner.group(1) if inner else line[:-1]).split("|")
        return " ".join(cell.strip() for cell in cells if cell.strip())
    return line


def cut(text: str, max_chars: int) -> str:
    """At most max_chars characters, ending at a line's end where one is near."""
    if len(text) <= max_chars:
        return text
    head = text[:max_chars]
    end = head.rfind("\n")
    return head[:end] if end > max_chars // 2 else head
