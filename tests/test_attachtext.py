"""indexer.attachtext: an attachment's bytes as text, on real files.

The demo site's own attachments (its `.doc` files are RTF, as many sites' are),
documents the libraries write themselves with Chinese text, PDFs made the ways
real ones are (a CID font that is not embedded, as Acrobat and report servers
make; Chromium's "save as PDF"), and Word/Excel/PowerPoint 97 files saved by
LibreOffice 7.4 (kept below, compressed, since nothing in Python writes them).
Then what must never happen: an exception, on any bytes.
"""
from __future__ import annotations

import base64
import datetime
import functools
import io
import lzma
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import olefile
import openpyxl
import pptx
import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from indexer.attachtext import ERRORS, AttachmentText, attachment_text, word
from indexer.attachtext.base import tidy

ROOT = Path(__file__).resolve().parent.parent
DEMO_FILES = sorted((ROOT / "data" / "demo-site" / "files").iterdir())
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffd]")


def _blob(text: str) -> bytes:
    return lzma.decompress(base64.b85decode("".join(text.split())))


def _has(tool: str) -> bool:
    return shutil.which(tool) is not None


# ---------------------------------------------------------------- the demo site's files

@pytest.mark.parametrize("path", [p for p in DEMO_FILES if p.suffix == ".pdf"], ids=lambda p: p.name)
def test_demo_pdfs(path):
    data = path.read_bytes()
    expected = re.search(rb"\((.*?)\) Tj", data).group(1).decode()  # the one string the page shows
    assert attachment_text(data, path.name) == AttachmentText(expected, "pdf")


@pytest.mark.parametrize("path", [p for p in DEMO_FILES if p.suffix == ".doc"], ids=lambda p: p.name)
def test_demo_docs_are_rtf_and_read_as_such(path):
    data = path.read_bytes()
    assert data.startswith(b"{\\rtf")  # named .doc, served as .doc, but RTF: the bytes decide
    body = data.decode("ascii").split("\\fs24 ", 1)[1].rsplit("\\par", 1)[0]
    expected = re.sub(r"\\u(-?\d+)\?", lambda m: chr(int(m.group(1)) % 65536), body)
    assert re.search(r"[\u4e00-\u9fff]{4}", expected)
    result = attachment_text(data, path.name, "application/msword")
    assert result == AttachmentText(expected, "rtf")


def test_rtf_in_a_chinese_code_page():
    # Word writes Chinese RTF as GBK bytes under \ansicpg936, not as \u escapes.
    def escaped(text):
        return "".join(f"\\'{byte:02x}" for byte in text.encode("gbk"))
    data = ("{\\rtf1\\ansi\\ansicpg936{\\fonttbl{\\f0\\fcharset134 SimSun;}}\\f0 "
            + escaped("关于招生计划的通知") + "\\par " + escaped("教务处") + "\\par}").encode("ascii")
    assert attachment_text(data, "a.rtf") == AttachmentText("关于招生计划的通知\n教务处", "rtf")


# ---------------------------------------------------------------- PDFs with Chinese text

def _cid_pdf(lines, *, encoding="GBK-EUC-H", ordering="GB1", spacing=0.0, twice=False) -> bytes:
    """A one-page PDF of (x, y, text) lines in STSong-Light, a CID font PDF viewers
    must supply (not embedded), every glyph 12 points wide."""
    codec = "gbk" if encoding == "GBK-EUC-H" else "utf-16-be"
    shows = []
    for x, y, text in lines:
        for shift in ((0, 0.4) if twice else (0,)):
            shows.append(f"BT /F1 12 Tf {spacing} Tc 1 0 0 1 {x + shift} {y} Tm <{text.encode(codec).hex()}> Tj ET")
    content = "\n".join(shows).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /%s /DescendantFonts [6 0 R] >>"
        % encoding.encode(),
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /DW 1000 /FontDescriptor 7 0 R"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (%s) /Supplement 2 >> >>" % ordering.encode(),
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880]"
        b" /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# A notice as a word processor lays it out: a title; a paragraph indented two
# characters whose first two lines run to the right margin (x = 292) and break
# mid-sentence; a short line; a date set with spaces around its figures.
NOTICE_LINES = [
    (40, 780, "关于开展教师教学能力比赛的通知"),
    (64, 750, "各二级学院：为提高教师教学水平，学校决"),
    (40, 735, "定举办比赛，请各单位认真组织教师报名参"),
    (40, 720, "加。"),
    (64, 705, "联系人：张老师"),
    (40, 690, "2023 年 3 月 15 日"),
]
NOTICE_TEXT = [
    "关于开展教师教学能力比赛的通知",
    "各二级学院：为提高教师教学水平，学校决定举办比赛，请各单位认真组织教师报名参加。",
    "联系人：张老师",
    "2023年3月15日",
]


@pytest.mark.parametrize("encoding", ["GBK-EUC-H", "UniGB-UCS2-H"])
def test_pdf_lines_become_paragraphs(encoding):
    result = attachment_text(_cid_pdf(NOTICE_LINES, encoding=encoding), "通知.pdf")
    assert result.error is None and result.kind == "pdf"
    assert result.text.splitlines() == NOTICE_TEXT


def test_pdf_letter_spaced_and_fake_bold_lines():
    spaced = attachment_text(_cid_pdf([(40, 780, "教务处关于期末补考安排的通知")], spacing=5), "a.pdf")
    assert spaced.text == "教务处关于期末补考安排的通知"  # not "教 务 处 关 于 …"
    bold = attachment_text(_cid_pdf([(40, 780, "关于期末补考安排的通知")], twice=True), "a.pdf")
    assert bold.text == "关于期末补考安排的通知"  # not "关关于于…"


def test_pdf_keeps_a_break_where_a_sentence_ends_or_a_table_row_is():
    lines = [
        (40, 780, "一、招生专业共计三十二个，计划招生五千人。"),   # runs to the margin, ends a sentence
        (40, 765, "二、报名时间为三月一日至三月十五日，逾期不"),
        (40, 750, "予受理。"),
        (40, 735, "专业名称 计划人数"),
        (40, 720, "大数据技术 120"),
    ]
    assert attachment_text(_cid_pdf(lines), "a.pdf").text.splitlines() == [
        "一、招生专业共计三十二个，计划招生五千人。",
        "二、报名时间为三月一日至三月十五日，逾期不予受理。",
        "专业名称 计划人数",
        "大数据技术 120",
    ]


CHROMIUM_NOTICE = """<html><head><meta charset="utf-8"><style>
body { font-family: "WenQuanYi Micro Hei"; font-size: 16px; width: 500px }
td { border: 1px solid #000 }</style></head><body>
<h1>关于2023年招生计划的通知</h1>
<p>各二级学院、各部门：根据四川省教育厅关于做好2023年普通高等学校招生工作的有关要求，结合我校办学条件和
人才培养实际，经学校研究决定，现将2023年招生计划有关事项通知如下。请各单位认真组织学习，推进“三教”改革。</p>
<table><tr><td>专业名称</td><td>计划人数</td></tr><tr><td>大数据技术</td><td>120</td></tr></table>
<p style="text-align:right">宜宾职业技术学院招生就业处<br>2023年3月15日</p></body></html>"""


@pytest.mark.skipif(not _has("chromium") or not Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc").exists(),
                    reason="needs Debian's chromium and fonts-wqy-microhei (`make browser`)")
def test_pdf_printed_by_chromium(tmp_path):
    # Chromium embeds a subset of the font with a Unicode map, as Word's and WPS's "save as PDF" do;
    # its quotes come from another font, drawn after the line they sit in.
    page = tmp_path / "notice.html"
    page.write_text(CHROMIUM_NOTICE.replace("和\n", "和"), encoding="utf-8")
    pdf = tmp_path / "notice.pdf"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", page.as_uri()], capture_output=True, timeout=120, check=True)
    lines = attachment_text(pdf.read_bytes(), "notice.pdf").text.splitlines()
    assert lines[0] == "关于2023年招生计划的通知"
    assert lines[1].startswith("各二级学院、各部门：根据四川省教育厅") and lines[1].endswith("推进“三教”改革。")
    assert "普通高等学校招生工作" in lines[1]  # a line break of the page, joined
    assert lines[2:] == ["专业名称 计划人数", "大数据技术 120", "宜宾职业技术学院招生就业处", "2023年3月15日"]


def _pdf_with_password(user: str, owner: str) -> bytes:
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(_cid_pdf(NOTICE_LINES)))
    writer.encrypt(user, owner, algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_pdf_without_a_unicode_map_has_no_text():
    # Glyph numbers with no way back to characters: pdfminer writes "(cid:47576)", which is not text.
    data = _cid_pdf([(40, 780, "关于招生的通知")], encoding="Identity-H", ordering="Identity")
    assert attachment_text(data, "a.pdf") == AttachmentText("", "pdf", "no-text")


def test_pdf_encrypted():
    assert attachment_text(_pdf_with_password("secret", "owner"), "a.pdf") == AttachmentText("", "pdf", "encrypted")
    # Only an owner password (no printing, no copying): readable, as in any viewer.
    readable = attachment_text(_pdf_with_password("", "owner"), "a.pdf")
    assert readable.error is None and readable.text.splitlines() == NOTICE_TEXT


def test_pdf_scanned_has_no_text():
    scan = io.BytesIO()
    Image.new("L", (300, 400), 255).save(scan, "PDF", resolution=72)
    assert attachment_text(scan.getvalue(), "扫描件.pdf") == AttachmentText("", "pdf", "no-text")


def test_pdf_limits():
    data = _cid_pdf(NOTICE_LINES)
    short = attachment_text(data, "a.pdf", max_chars=20)
    assert short.truncated and short.text == NOTICE_TEXT[0]  # cut at a line's end
    assert attachment_text(data, "a.pdf", max_pages=0) == AttachmentText("", "pdf", "too-large", False)
    assert attachment_text(data, "a.pdf", max_bytes=100).error == "too-large"


# ---------------------------------------------------------------- Office 2007+ files, written here

def _docx() -> bytes:
    document = docx.Document()
    document.add_heading("关于公布2023年优秀毕业论文的通知", 1)
    document.add_paragraph("\u3000\u3000各学院：经专家评审，共评出优秀论文56篇，现予公布。")
    table = document.add_table(rows=3, cols=3)
    for row, cells in zip(table.rows, [("序号", "论文题目", "作者"), ("1", "基于深度学习的工业缺陷检测", "张三")]):
        for cell, text in zip(row.cells, cells):
            cell.text = text
    merged = table.cell(2, 0).merge(table.cell(2, 2))
    merged.text = "合计：1篇"
    document.add_paragraph("教务处\t2023年6月1日")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx():
    assert attachment_text(_docx(), "论文.docx") == AttachmentText(
        "关于公布2023年优秀毕业论文的通知\n"
        "各学院：经专家评审，共评出优秀论文56篇，现予公布。\n"
        "序号 论文题目 作者\n"
        "1 基于深度学习的工业缺陷检测 张三\n"
        "合计：1篇\n"  # a merged cell, once
        "教务处 2023年6月1日",
        "docx",
    )


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "招生计划"
    sheet.append(["专业名称", "计划人数", "学制", "报名截止"])
    sheet.append(["大数据技术", 120, "三年", datetime.datetime(2023, 6, 30)])
    sheet.append(["工业机器人技术", 80.5, None, "=1+1"])
    book.create_sheet("Sheet2").append(["备注：以教育厅公布为准"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx():
    # A formula's value is what Excel cached when it saved; openpyxl wrote none, so the cell reads empty.
    assert attachment_text(_xlsx(), "计划.xlsx").text.splitlines() == [
        "招生计划", "专业名称 计划人数 学制 报名截止", "大数据技术 120 三年 2023-06-30", "工业机器人技术 80.5",
        "备注：以教育厅公布为准",  # a default sheet name is not text
    ]


def _pptx() -> bytes:
    deck = pptx.Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "产教融合年会"
    slide.placeholders[1].text = "宜宾职业技术学院\n智能制造专业群建设汇报"
    table = slide.shapes.add_table(2, 2, 0, 0, 3000000, 800000).table
    for (row, column), text in {(0, 0): "项目", (0, 1): "金额", (1, 0): "实训基地", (1, 1): "300万元"}.items():
        table.cell(row, column).text = text
    group = slide.shapes.add_group_shape()
    group.shapes.add_textbox(0, 0, 100, 100).text_frame.text = "成渝地区双城经济圈"
    slide.notes_slide.notes_text_frame.text = "汇报人：李老师"
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def test_pptx():
    assert attachment_text(_pptx(), "汇报.pptx").text.splitlines() == [
        "产教融合年会", "宜宾职业技术学院", "智能制造专业群建设汇报",
        "项目 金额", "实训基地 300万元", "成渝地区双城经济圈", "汇报人：李老师",
    ]


# ---------------------------------------------------------------- Office 97 files, saved by LibreOffice

WORD97_TEXT = [
    "关于公布2023年优秀毕业论文的通知",
    "各学院：详见学校教务处网站公告栏。本次共评出优秀论文56篇。",
    "序号 论文题目 作者",
    "1 基于深度学习的工业缺陷检测 张三",
    "附件：优秀论文名单.xls",
]


@pytest.mark.skipif(not _has("antiword"), reason="antiword is not installed (`make system-packages`)")
def test_doc_with_antiword(monkeypatch):
    monkeypatch.setattr(word, "DOC_TOOLS", tuple(t for t in word.DOC_TOOLS if t[0] == "antiword"))
    assert attachment_text(WORD97_DOC, "论文.doc") == AttachmentText("\n".join(WORD97_TEXT), "doc")


@pytest.mark.skipif(not _has("catdoc"), reason="catdoc is not installed (`make system-packages`)")
def test_doc_with_catdoc(monkeypatch):
    # catdoc keeps the hyperlink's field code; antiword, tried first, does not.
    monkeypatch.setattr(word, "DOC_TOOLS", tuple(t for t in word.DOC_TOOLS if t[0] == "catdoc"))
    lines = attachment_text(WORD97_DOC, "论文.doc").text.splitlines()
    assert [line for line in lines if "HYPERLINK" not in line] == [WORD97_TEXT[0]] + WORD97_TEXT[2:]
    assert "学校教务处网站" in lines[1] and "本次共评出优秀论文56篇" in lines[1]


def test_doc_tools_missing_or_slow(monkeypatch):
    monkeypatch.setattr(word, "DOC_TOOLS", (("no-such-doc-reader",),))
    assert attachment_text(WORD97_DOC, "a.doc") == AttachmentText("", "doc", "tool-missing")
    monkeypatch.setattr(word, "DOC_TOOLS", (("sh", "-c", "sleep 30", "sh"),))
    assert attachment_text(WORD97_DOC, "a.doc", timeout=0.5).error == "too-large"  # killed, not waited for


def test_doc_encrypted(tmp_path):
    path = tmp_path / "a.doc"
    path.write_bytes(WORD97_DOC)
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        header = bytearray(ole.openstream("WordDocument").read())
        header[11] |= 0x01  # FibBase.fEncrypted
        ole.write_stream("WordDocument", bytes(header))
    assert attachment_text(path.read_bytes(), "a.doc") == AttachmentText("", "doc", "encrypted")


def test_xls():
    assert attachment_text(EXCEL97_XLS, "计划.xls", "application/vnd.ms-excel") == AttachmentText(
        "招生计划\n专业名称 计划人数 学制 报名截止\n大数据技术 120 三年 2023-06-30\n工业机器人技术 80 三年\n"
        "说明\n本表由招生就业处编制",
        "xls",
    )


def test_ppt():
    # The master slide's "Click to edit Master title style" is not the presentation's text.
    assert attachment_text(POWERPOINT97_PPT, "汇报.ppt") == AttachmentText(
        "产教融合年会\n宜宾职业技术学院\n智能制造专业群建设汇报", "ppt")


# ---------------------------------------------------------------- plain text

def test_text_in_chinese_encodings():
    notice = "关于放假的通知\r\n\u3000\u3000各学院：五一放假三天。\r\n"
    assert attachment_text(notice.encode("gbk"), "通知.txt").text == "关于放假的通知\n各学院：五一放假三天。"
    assert attachment_text(notice.encode("utf-8-sig"), "", "text/plain; charset=utf-8").kind == "txt"
    assert attachment_text(b"\xff\xfe" + notice.encode("utf-16-le"), "a.txt").text.startswith("关于放假")
    table = "姓名,学院\n张三,\"信息工程学院\"\n".encode("gb18030")
    assert attachment_text(table, "名单.csv") == AttachmentText("姓名 学院\n张三 信息工程学院", "csv")


def test_tidy():
    assert tidy("\ufeff标题\x00\x07\r\n\r\n\u3000\u3000正文\u200b内容\u00a0 \t第二句\x0c下一页\ud800\ue001") == (
        "标题\n正文内容 第二句\n下一页")


# ---------------------------------------------------------------- kinds, and what cannot be read

def test_the_bytes_decide_the_kind():
    pdf = _cid_pdf(NOTICE_LINES)
    assert attachment_text(pdf, "附件.doc", "application/msword").kind == "pdf"
    assert attachment_text(_docx(), "附件.xls").kind == "docx"
    assert attachment_text(EXCEL97_XLS, "download.jsp?id=3").kind == "xls"
    assert attachment_text(b"plain", "", "text/plain").kind == "txt"
    assert attachment_text(b"plain", "/files/a.txt?v=2").kind == "txt"
    page = b"<!DOCTYPE html><html><body>404 Not Found</body></html>"
    assert attachment_text(page, "a.pdf") == AttachmentText("", "html", "unsupported")


@pytest.mark.parametrize("data, name, kind, error", [
    (b"", "a.pdf", "pdf", "corrupt"),
    (b"", "a.docx", "docx", "corrupt"),
    (b"", "a.doc", "doc", "corrupt"),
    (b"", "a.txt", "txt", "no-text"),
    (b"", "", "unknown", "unsupported"),
    (b"%PDF-1.4\n garbage", "a.pdf", "pdf", "corrupt"),
    (b"\x89PNG\r\n\x1a\n....", "a.pdf", "png", "unsupported"),
    (b"Rar!\x1a\x07\x00", "附件.rar", "rar", "unsupported"),
    (b"\x00\x01\x02\x03binary", "a.txt", "txt", "corrupt"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "a.xls", "xls", "corrupt"),
])
def test_unreadable(data, name, kind, error):
    assert attachment_text(data, name) == AttachmentText("", kind, error)


def test_office_2007_file_with_a_password():
    # Office encrypts a .docx/.xlsx/.pptx into an OLE file's "EncryptedPackage" stream:
    # made here by renaming the stream of an .xls in its directory entry.
    data = bytearray(EXCEL97_XLS)
    entry = data.find("Workbook\0".encode("utf-16-le"))
    name = "EncryptedPackage\0".encode("utf-16-le")
    data[entry: entry + 66] = name.ljust(64, b"\0") + len(name).to_bytes(2, "little")
    assert attachment_text(bytes(data), "成绩.xlsx") == AttachmentText("", "xlsx", "encrypted")
    assert attachment_text(bytes(data), "") == AttachmentText("", "ooxml", "encrypted")


def test_unreadable_office_files():
    docx_bytes = _docx()
    assert attachment_text(docx_bytes[: len(docx_bytes) // 2], "a.docx") == AttachmentText("", "docx", "corrupt")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("附件1.doc", b"x")
    assert attachment_text(archive.getvalue(), "附件.zip") == AttachmentText("", "zip", "unsupported")
    assert attachment_text(None, "a.pdf").error == "corrupt"  # not even bytes: still no exception


def test_zip_bomb():
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("[Content_Types].xml", "<Types/>")
        zipped.writestr("word/document.xml", b"<" * 50_000_000)  # 50 MB in about 50 kB
    data = bomb.getvalue()
    assert len(data) < 100_000
    assert attachment_text(data, "a.docx", max_bytes=1_000_000) == AttachmentText("", "docx", "too-large")


def test_max_chars():
    data = ("第一段。" * 50 + "\n").encode() * 100
    result = attachment_text(data, "a.txt", max_chars=1000)
    assert result.truncated and 500 < len(result.text) <= 1000 and result.text.endswith("。")


# ---------------------------------------------------------------- never an exception

@functools.cache
def _samples() -> list[tuple[str, bytes]]:
    files = [(path.name, path.read_bytes()) for path in DEMO_FILES[:4]]
    return files + [
        ("a.pdf", _cid_pdf(NOTICE_LINES)), ("a.docx", _docx()), ("a.xlsx", _xlsx()), ("a.pptx", _pptx()),
        ("a.doc", WORD97_DOC), ("a.xls", EXCEL97_XLS), ("a.ppt", POWERPOINT97_PPT),
    ]


NAMES = st.sampled_from(["a.pdf", "a.doc", "a.docx", "a.xls", "a.xlsx", "a.ppt", "a.pptx", "a.txt", "a.csv",
                         "a.rtf", "a.wps", "a.et", "", "download.jsp"])


def _check(result: AttachmentText, max_chars: int = 200_000):
    assert isinstance(result, AttachmentText) and isinstance(result.text, str) and isinstance(result.kind, str)
    assert result.error is None or result.error in ERRORS
    assert bool(result.text) == (result.error is None)
    assert not CONTROL.search(result.text) and len(result.text) <= max_chars
    assert "\n\n" not in result.text and result.text == result.text.strip()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sample=st.integers(0, 10), cut=st.floats(0, 1), flips=st.lists(st.tuples(st.floats(0, 1),
       st.integers(0, 255)), max_size=8), name=NAMES, keep_name=st.booleans())
def test_fuzz_real_files_truncated_and_mutated(sample, cut, flips, name, keep_name):
    original_name, data = _samples()[sample]
    data = bytearray(data[: max(1, int(len(data) * cut))] if cut < 0.5 else data)
    for where, byte in flips:
        data[int(where * (len(data) - 1))] = byte
    _check(attachment_text(bytes(data), original_name if keep_name else name, timeout=20))


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=4096), prefix=st.sampled_from([b"", b"%PDF-1.4\n", b"PK\x03\x04",
       b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"{\\rtf1 ", b"\xff\xfe"]), name=NAMES,
       content_type=st.sampled_from([None, "", "application/pdf", "text/plain; charset=gbk", "x/\x00"]),
       max_chars=st.integers(1, 300))
def test_fuzz_random_bytes(data, prefix, name, content_type, max_chars):
    _check(attachment_text(prefix + data, name, content_type, max_chars=max_chars, timeout=20), max_chars)


# ---------------------------------------------------------------- fixtures saved by LibreOffice 7.4
# (`soffice --convert-to doc|xls|ppt` from files python-docx, openpyxl and python-pptx wrote),
# lzma-compressed, base85.

# a Word 97 .doc: a title, a paragraph with a hyperlink field, a 3×2 table, an attachment line
WORD97_DOC = _blob("""
{Wp48S^xk9=GL@E0stWa8~^|S5YJf5;4A+J3|#<dGrk;#Fn3_|q=YHL-W+x(g7T4u+=$92y7?$aya|Y4jTXaP5e^~%0S4`Ge
?{(%jVadT>nPw|76wM!-p9fwcj5j*e?>_+XLy38<z`ZCYr;Jk4?za`&`Y4gp_q=S72a=uFw{;*z@8t;X2@1Q=P{7<=Gi7HKs
@}x9811Tj%?`6{W39=(DGE?1OUnzW0gnPfOe_1<r%cZsydj8OzLiW@O@VEf;wyr&O}=h)439auhrJdqcE9gIy<Ae7=Qmeuf9
F7qOS;4?bqe9?rRAs&3fNk=Fan?vXRMYa<!|fcCc{C9wt#ysco0*s}tHCMq&n+-(u^fv57$cw2l@js&7(_8CvVU&~?oEa#j)
Z<-u^$waL)61>5C_8<vI1ip}m?C~3vqeyKk=P$DEJ{CxS`g|_vNp&~MWc{8R~823>q#Vs2E?`E~wMEO#tqeeV`dFZ3zBd<04
QL8NI&6m|e48_oaiIIn>-?pssQfF9q+HHvsUlaM$H?#JiTvQWRzAGMBVF1+Vd;g0}lsFz6_D|m_`2x+tC7%Q?bIS((8N#;Vs
$JkPvj#`-D2m~lqQ8y8r?8;eY(Grg7%!#5>qpEM_n4PFlws3)d(1klj18fRIlE)%)hi9J2!Q?SKF`{&?sOsTtt4R_oWNW;;h
2Sow36%13H?f88H82=j8NzV$>u}$u+6MX$76#t|J<AwBytSc%dXimAYG_)?2$|}T0eqY^&-lFHj-ANPzun48pto{r1LQU92V
JFSR%@sKuwfsuMAwQv<~i-JOMa)v2=Ztp~B#j87O+9xja&Ee*)U5xIXsrParzBltAb$q)$<43EDE>1TCZXF#dA)ovk)uy9IN
qr&R5=6%7xFkIElGHv8?bc0W%W9*2f}SPG+Ldf&sAUbULCNwsJ1d^Ma&A4)0J$5KQF@CK)u(xh#XZuHP^x#O;zmH33Yd;>;R
5=QLpF;}uEn4}k_ab~n$mQ;;z!N>rem~gTm<yZ1v);$UqkXdm`QV?2Wm3_!R8v5dpAa_Qcd_}OfSn%{hPiiS<*_qqLTYWcyd
(_j!JjfRCOa&M0yIt8^So27CDbGY8>hFB1VoW6b${RL1S(j6s7_`&Y;cHY&`Gx$@>y{)kdd_rzI9uht8~EPTrfDEYn<tC{dQ
XbZuzG+O)}bma@KmY!?Gpa%_;=kPe7j$ps`8F~c|t>`nfWmzB&k*PKKx?YtYYH0Pr@d6+hA9)Cpbj}dxo97VTQdhx+GVHzH#
`g0dbHH>{bpP%$SIN(Yx?r8BvS}Z^hf#Oi&{lBElPY+H{Z?3Iw%|Y(w%xWEknx+x_}^*rSP4&z<4ffkf&VXIG8OM#%w(dwYj
&IAEswx5O)Hp&b7|ABN}UV{mcTO!w-QBwkoBpx(2%Zrl`p2U4n}?HNMIg(P@sNEenSf;;+EtrJZ<)$@NI*OV>%qkrH6DSvtM
C@e<Y=uON(>;>|`(f7-1S?Bu&Ro80m`!@zPS3R9aN<f4>^A}7>g;#{nmr)>}R+0QHMD}><9Vk7n2r^sE^F!Dr1ziM|h;Y|m(
byVqf_L971ykaJjS8j6b`xGONE@>G^46H*zysntq4*F`<Jz-Sqjs{HMZ|<o^l#G0*X7?W{6m@m;L)uZ)oxOib<$*fC)JJm5R
IsRHDKKFGwf))%LtudggUvhjv?6`F@1O2qP&3B>!g#;<`;;J(V4ofG+JtQ8F{fH1%vcq7txW{w_)a{6XRF5TN;E*Fi{l@=tY
e#m0Rt^^WVbTq{Wpc{ONyDhA@~+%YQ^9d4#thLB_!Ya!Y4%R<e1qud3knB$&^_|60Twc-R;ME{)dZQp;5On|C=BaUo`yNyHw
^gS+AM9%x@pxhF1N3j#z@sWr&KrjuAwj$lgwe`%L1+w(ypYW0|14D`&$y^Xq~%<LKXAm7kic6<wF%g;2$K&v)feeb~1LSMVD
j*j;Vhi3p0%`b!JS(qVz*dH8j+E}S+Sr&g>A}W8ejYb4|H340=Cng=hT)KN6oB8#9gQlbr&H%7f2DriVKxB*CW`)5ExA6U8B
t&ELmu1e(FHE+$hCK`^MFKHkx32AX)D2rJfq#$jLB3s<gv77vJgsL0^WxOekRl!%#!jkidKU>j)xVChIpOm2fRf!f4hgJUt_
iOiLeYV4Pa@3jN=DOoLlk+^VEyA|gP!c^HxKRy9VND_dylt+r9G(Xt`2b8VR@@-xCeMR$>UA#j{^_hsaxo}uGT}sIK<VYtQz
+T=79`^XeK5FDytewV)JTEnqg3*sCI%c&<BX-ke(k?j(Y?-JP^SKqJ1ep>1{U=Sly)}s8<iHDvy>==Es&Ye#+bc@AH8Nup=E
b00F2DfLH(k3^3dVvBYQl0ssI200dcD
""")

# an Excel 97 .xls: sheet 招生计划 (a header, two rows, a date cell) and sheet 说明
EXCEL97_XLS = _blob("""
{Wp48S^xk9=GL@E0stWa8~^|S5YJf5;2Hk}@Ld3CGrk;#Fn3_|q=YHL-W+x(g7T4u+=$92y5sv3#s1$Y|6@ZSfQ3MUD>BRRg
-WROuZTSRwY6lI$%OQ~$7}35xaFPEm+D{n0O9MT>hw>u6Ap4&5$Nc4(je68SZPt)$fR`BkA4}I`JYM&9lfBAwX=g@YBs1H`z
(?AjDorKdj{3#KEDm8kWUaOLm)LGyT4RDy?U8CPq0<YSFeaRHz2motvogfz0k_2mnLTLlJ*d41nFbb30(}xTEAcO=^8VJQ84
b01>B8CqCRqZqZw-2bp-TWk(p`{%AQV-a1HPo<ZgLg8cQBQ!u~W!fa-zTDMA6;LRlzI!IZ%ijMQ6r5}^*xJTy2uU^dleBO6w
vcpSQ5tr}!y?@ifFo%k?d>y01e+Mk^$w8m|Yv`qpwt1O!+3t-pxM@B128bl~xrV{FSp5>d93(@}F+sVmURy`hOXc6OmM^Ktd
sBGjBT*BFr#rR%vk)mr2BJf4^IM@v5a=sxBnLO%fd21%~t2QIZkl~5tt71So)pNH<c<;78Eg^?$NCcZ+vC8@NS)Rn7hRgGY1
R5Ny*PM}-E9yLHv7`XRBL)-EgdSyxrW`m~lKF2wtBdK&{@5DmC{1l-3*RgFNmzedypFS${EZWW_+C1RA|%KqVT=q)PJ`?eUM
@ZTRPg^Bh&Pg?c!8~-FhB{JYC1T5thH_z)6fUj>o`)_KXP3zGUOc=!+P*5);!wPb}TDekOKq{>{XoZb;-_Y9F5vT%F+<=?l=
IvplEKU#=Kk}m(1638)iT3)$G?v&r!N1!yH8~%~9U%arRa?UWNX@lHhK)P2jASscokBXg=MFeiPq($;0h(a6@ZI3jv2BH{5M
(e;>~30-`nbsn@b4I9aWRL1h49LRHcxWV1Cey&HV1c$O4s51N+UCzee`a>WZ^+EpuFPye>B8vfPFY~Cx4?A>Ahm;}DFHSuh_
NdW!pT$Jb;^1gS;s@QY>XnJyxmhU442ibgqOiA%&5XH*^$7z1_s2{#JsfW^R>w8AtZ73M?HOB}dk(om`$CbsQH~t<YdA5+n#
tk5ETAFwB)>bVIR!Xav4LuQ-R|v-r?uf(d@8}enMD`OadGyjG|Hz0E<u8Gg9vHKI;_?8*_RZvzUDg}M@T0mt=<QfK7~@W|(g
602J6h@l0s3~i<2gMG5;<I56}E-LWnN4&nDKQQ{8bjZ4SY3+jvE-|1Tw)mFfpZ4Tsx`VirENzNpRh*KqAZED^1{h<#ss^a@v
+j_!4mYN>%DmtA<nn^7M=V=YCZx=lMrwG#;q?4ks^}k0GizU~<9$YQS%~{O{s`qOCXfK6X4kK{WxnjA+JrG~L=A5rUq4DDF~
6l>ePS=3@=9e@#G>KYj=;bo2Mzi3bhk5lkNyN!w!brQdRm8VzG=2&_54oX8CBVKvT4MQ3sy9ngy`Bq|TL@dD_w5CVP>-x6PL
X1R@TzkptD9_<ElEb@tgO$Jq1YG>P{ukNw(gCD4tzY;NL?FUFEB@0!W`N&a~N%)$n^5sa~KM!-bJXl1t506Z{Q!_+-s-I{?B
wJ1P88=Et`eXLQV#i~?^XnsllQ;^z+0LK?JpVN@Xc78RAIJqwU^V_LKkWEn#FX=B8c`jzBxuze`8!pF>>r*0B${)4W<*(600
E2&fHVLAsN<|IvBYQl0ssI200dcD
""")

# a PowerPoint 97 .ppt: one slide, title and a two-line body (its thumbnail zeroed)
POWERPOINT97_PPT = _blob("""
{Wp48S^xk9=GL@E0stWa8~^|S5YJf5=|lew$6WwuGrk;#Fn3_|q=YHL-W+x(g7T4u+=$FqVu2!XQ4Xo;GDxJFjHvU{yK-;rc
Je@T0(J7$NDmBJh?T=Hj@9_-N{ZOR3<J9DdekNSM!L~<X`8|x1OGQggNOCr568OXJo$^nOZuktiU6)#^a-4n;f6;7QVOM@=a
N3VgPTqP*H-H+#H)0o95MF{dcj^KPfY63tYMBYOufcXrOwS(1Tj?#qTdHb<psjkG&~gkLg)`Cq`?htuu#??wulIN=MQijjG#
@VMfT_<LhzT?G>B3_Q6bsqEC|F84t~C!dYVHvlr5Q5JAK42OV5{MSKHq|N9At#dR2eav2^2F)2aFoCt7T<O9^G=2O$fJUreO
UF^0#EB1U^rb3MX1s4-XCWD%vWl;~mg#L0}Xom~=Ny$2s2)n^4f=x^X~unAJ8IMfncm(npdD?>dM$SA@>wRq3tN1^~GJT9=2
!{U@TH^(<xInerD`9mY42ecLS+t)C7aao^R@z@$!>C$~0-dTk=kFcOaw`+5)#u(|9TH@2xd6#u6e`-*5-Y)2{X)(3dx*6lL7
XEre!7u%})p~!jR5BR(G*OQfmP)!{;$bN^l96M|*;sU?0(Iok=~!#pI<|+>t2Wa>fl!rsIo^#lXaz>HJ?MvgQiu;mZwOZ~)=
XKvE?+gzt+Cbf#eWBhP(yfWc~<ea5x^zl%K6VFx`z@xZFNWRq;(W#%a)v7S5BodU^2klvp+YtcC47?0XeChtlqBhY}jDFPTp
3HXB*@D5_@30q>b4<ETjzZ(6UoybmpK367dSA6Tx%pwe-eiOSAaPXGiW3_Y><_7kV3klfKP~L6MD4fyu40`2|>!$Tv;7<y#D
?mJ=mK$V59p%I=$jXKu%|3eyf&V1ChZRko;5&0pwAWQuS(^H<xZ$@cM~$Y1MJ8Mvk!fy+!Cn6m$8#G2HTm#OJuJi_8+R=pM{
ftXb`sKF8;b=TxT1`?#ly?@!7W#l@^ahSt#1CEj+o)SG8Rm<mpYu%znHv*DUq(qOzmw~ffOKl_N94Tch_Ld&g#wFd&PwiC{s
fuG~7yDlFA<QoZdnl@)MNHUhSNT0n#MiOc?Jj92mF-!br<>cn!mx+Y68hJw5Z=VlS(0i1j-b=D1YO!|#>1r3OlQr|GdgYpl*
F-?+5ML6!-~=L%>{~${N|Xr74PU&BusIg7(LOk+e~&Dt1dujI@Kq>lY!n@cPL)Ksh_`A=|#*zLZCL8Zzm#RQ?i~PEAMn*q4S
->6?N*XW}f=>;J|dtLK)<GPQgEeluk82g2K4Gll!~H<)$j)0jV4~_k@M?YHdtdC8@0wT<PhB{+tQjTH`NG5V7Czwb^-EGT$t
IuxdUFfkV+7%DoPXs!vGI8%n0jew4tuQe`997lNfM#EMCK(Gw``77J6Wut5Z1^IGd{3mrZPXdaXjn+m~T2_!j0CTD|Dpgc!H
mc>*}SOlanczJv%?an|)SvAvrWNZm<>Uzu5#Qj7tAh4b(&A=)n(Y=KX5|xO>2d&%vyqr05J~j7K+zO8T)D>^gMDu7-cBrqpk
8`2{(GjgGldi$YJj)#s#!!`Sj9OqEdYNjjGj)O8k&X=q@ibX^w;LlW+&A?n)ejw>zqNm`WwO%!8<PiAjS*!Ye(FWy<%{sKK+
WPvct&6+!kKC{>=Sg|2z=F&b$29b;qOo)71g+y{<pg3AM>!8zJ@6aB%0R{i+1xD|2l#t_3-e8mwX3zC!K5{pq>wV1bdis_(=
=U1oSRZ|C{Z_pngrEl)|La6@BWww?-m~+BH3+H4ffnfNHd-VhVvJRm)3D$%l^fnZsqTyM^iXuR~W0Y$_CU3yL}5t%3X|BI+N
1?2zH5C1W}yE^bmK;@e2t$x2~glIqu-SxC$E81l!WC}N9q*g7MOiqQt0U#h^Zk8s<J=$QGwrs({8^xsc8@?Ni*S{kn<i^%_m
?ZYY{Bn~on+yj5ODCm@#j{)V*Q--AJ%)hsar8bn6oYa363hHk3={Ri7L?%Oa58*DI?IMq}g9sl;Kcc##C=~h7F}Ir7qZ@M(I
iVyrQtD|rss!8SQwIgSu{B@ftp&#Fjj21hD1|kC^~V#B^RKdC4D{!vbi|Sld__k+ZDo7h+Pj+SJsSQ2RN{F^Pm_4(t-F;4!-
jJj46l~9paBah5c+oEaygW&2%+;)I6)c~@NX{P!-ZZ}<7Uc710nuupz2n}iF~5uTyM^}-1tmb+I#oHP?QX=@>xFMpf%gUgui
q7*Q=Hz;4}&owhK7Fyx0`JBlpXh=v~T`YuX5Y2dCm7>A;?0bG<uvMzmMp*$)GcxtaD~;GIvCOL2AxhVi^d0*@i1VtGe0?Aml
{Y8^XCD49H54GchCO)7jT@MqI=SEDa?kGaKVGtEb$q0X$jW)gc+%l|>>S}0=9HaJamItjdF$r*l|q#TnMu@US&IYZGh1B++W
y(<0U0%6w$;2xk#^o;{3?B$7J9Yg$$so<ryNe9Jj22-K!Yl0V<;crUQ(DWm#pB-g$bpeg@)`uZB5F5}aOmCOT;C-^95m9&61
G<6JE0=du-BG$?>0O{4Wwo66C4IIxMcVOuL8!D-f?tq<Gmw5&rx}^^CAi+cgP<QNe#4GLNE)yp5w3$AF#{A)12?5sF&IsOd>
9cvGoO*U+hdDeKnCT1Iw%OWJ7M7;L6Kyj%U+*SL$$yI1aN3;eKt(71>%m)c#f8@ek6O=uKAu*!5Zso$#;a6SsdG#)coDokcl
S#xSmX$7A*@Ff%WXIgwumz>zpk<0bqr&oBM@p3Zn(5=N{x)oz_J36#+HP%?m#jVS!S2!=<q1@fkstiFX;kUd8KGOdx8#8>7K
ogSYnB^N;a(C-Uv_KpU$akvK|uP`hbhY<<hgD@m0Tk>;-xk)rfUdJvpUMduW2-o&$AG*Ag&c1tgxQD1pM;#nc?`x>%fDl8Bl
38~j)hk^_<bl^Z`znQRToY2%YAPWe`wX#LxVyxw2jTKOM3d7R(?G(f(&?6x!2vVb5d=+4_yUj*nep(V3rEtOZ;Jfjk|A}C~*
}@b!mqh5>mmU+fl&_YtXwUUOR^r>N<U}mp5(spANoSZaEAh;!;cvS^1n;(w?b?>5>@Bc3b9;P6+V8g~xUz6&bOS>a*eJ{yac
pU!pK4(%=wg6xXua++no<VhI4E8A2+pV9vNsE$-mq?G7fW`t+-Xa}tb#r55MPUUGxDZUes+uUCLfW2T`PF9qxl@dov*5adf2
vf#NK>k_iq<OD%_U#1(&DDRjJjdWwU5GQ`*($_@+<OG@iF#Hszy5IjeE8Afx`!kUQX>HpBg$&9}9|@;xE!yOL0q$UOyawo3g
L`pd}2QZJtF&npCkss;JAK(Wt_4_foENX;8e(vGw#dCp^!<8KTbzd0Gs=C&@PjyUF+`pF$SgsC9_Qs5BNOwgRbceP4p<^5^J
q1?92k#su(YFKd<FU&~l3DqTQ5RqoR>kBWA6)|kTEwgsu@i2pTLn^{?u?^6;Px|)o?ur3KW!p)Or8IwCr_)So`5!tFPS1cpR
Z+PLTcOQl>AoVDGLg<sRE+(7$t`7rP8f18m}l1tjs5ze_BB$ob4g@H`lDAQgB|{jT{-a$^rMzJP=gs=0Rl>*K(Mj^bxW)Xh#
d{eIXJBl(42&LAK{-U#$m7f89Unx4pyj#h3{N`Ed<_EiId*(?o^6O61SZJsxhN_qz5B;;r!!p_0L~p0kjP*nZxII?hD3;20R
C8wzC*>K=eRnk?4hk{aDbxl*+fZ@iJ*&5LF}N1fDE1xkTj^OrL?%)=d52eL+W6@`(aY@Pc$!JE=3f)wYI71q%6)umB7HK`&@
lyTTs0W9y!S+wI6!hr&1!(N#noZ-e&BVm+FP&)mHoR+CR)Y35pDTrVjE=J-R8!R9ssd4cnn<&Du1H>u`iK>B~q7?e3nJfdd`
D=MYZD)-ugNEqWGbv6p9^lXp>M`Zp06%0lpr>z`kJk8+y_SC%%k`+`aTArpL?wCssGO_>*x{)B;Lz}rCQTRtq@Z}R0Xf$h?2
4SYHl^$1pQZ7zju#YDmq$l_`tcOf-PWEoHR#r7}$PheM^&N;6B7W2moUb;AN5l5Ks<@+W&H93z-7GayFtNNE%CC^=$7Lp+Ps
G^mCk2U!ZK9i*{qQ2R7K{@T%DZM<T&#05mB5}JVusFoa0v)SDX7Z-E_aR_1d!rJYHtQO&#QyyCL^f$28-GCf7T5fKYe$rgA^
fd(banMJ`_`8cC1<C<y!>^`N!I={QFWXbj==HAVT@wQ$5{_#mmisXf{bvYx7wja18KrGnu)|rg{>bf<D#eD;0LB=CBD`iGPk
l8WA(^&QN7!ny0&sNwvxEWXqUMz&C8b1D|L%!JK|m6CoW*h<$VX;QS&01b3+`Di`}-Fg$u#<)PeaL_o9L0T7^>N2D)5LV|Ij
?mw_|Ur;nj9rh;}n|9`fZK*F8SvM_z{w)*sQl=SCu`r}=L-(65^-G_oRm!R|y7c--HvizU=oa>Z)R>}2b{bsYD88G!!7Rbur
3|ri$jE$4Mn+rfM{|By8QI*$^%R;>wG03NPE|in`E;AI00HA0fQTgkhBrB`vBYQl0ssI200dcD
""")
