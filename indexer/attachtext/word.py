"""Word documents: .docx (python-docx), old binary .doc and .wps (Debian's antiword,
else catdoc, in a subprocess with a timeout), and RTF (striprtf), which is what
many sites' `.doc` files really are."""
from __future__ import annotations

import io
import shutil
import struct
import subprocess
import tempfile

import docx
import olefile
from docx.table import Table
from striprtf.striprtf import rtf_to_text

from .base import Output, Unreadable, untable
from .detect import OLE_MAGIC


def read_docx(data: bytes, out: Output) -> str:
    document = docx.Document(io.BytesIO(data))
    for block in document.iter_inner_content():
        rows = _table_rows(block) if isinstance(block, Table) else [block.text]
        if not all(out.add(row) for row in rows):
            break
    return out.text()


def _table_rows(table: Table) -> list[str]:
    rows = []
    for row in table.rows:
        seen, cells = set(), []
        for cell in row.cells:  # a merged cell comes once for each column it spans
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                cells.append(cell.text.replace("\n", " "))
        rows.append(" ".join(cells))
    return rows


# Tried in this order: antiword keeps field codes (HYPERLINK "…") out of the text,
# one paragraph a line (-w 0); catdoc, which leaves them in, is the fallback for a
# file antiword refuses or a machine without it. Both write UTF-8 with these options.
DOC_TOOLS = (
    ("antiword", "-w", "0", "-m", "UTF-8.txt"),
    ("catdoc", "-w", "-d", "utf-8"),
)


def read_doc(data: bytes, out: Output) -> str:
    if not data.startswith(OLE_MAGIC):  # catdoc prints junk for what is not a Word file
        raise Unreadable("corrupt")
    if _word_encrypted(data):
        raise Unreadable("encrypted")
    tools = [tool for tool in DOC_TOOLS if shutil.which(tool[0])]
    if not tools:
        raise Unreadable("tool-missing")
    reason = "corrupt"
    with tempfile.NamedTemporaryFile(suffix=".doc") as file:
        file.write(data)
        file.flush()
        for tool in tools:
            try:
                done = subprocess.run([*tool, file.name], stdin=subprocess.DEVNULL, capture_output=True,
                                      timeout=out.remaining())
            except subprocess.TimeoutExpired:
                raise Unreadable("too-large") from None
            text = done.stdout.decode("utf-8", "replace")
            if done.returncode == 0 and text.strip():
                for line in text.splitlines():
                    out.add(untable(line.strip()))
                return out.text()
            if b"ncrypt" in done.stderr:
                reason = "encrypted"
            elif done.returncode == 0:
                reason = "no-text"
    raise Unreadable(reason)


def _word_encrypted(data: bytes) -> bool:
    """The fEncrypted bit of the Word 97+ file header (FibBase)."""
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            head = ole.openstream("WordDocument").read(12)
        return len(head) == 12 and bool(struct.unpack_from("<H", head, 10)[0] & 0x0100)
    except Exception:
        return False


def read_rtf(data: bytes, out: Output) -> str:
    # RTF is 7-bit: its code page (\ansicpg936) and \uN escapes are read by striprtf.
    for line in rtf_to_text(data.decode("latin-1"), errors="ignore").splitlines():
        if not out.add(untable(line.strip())):
            break
    return out.text()
