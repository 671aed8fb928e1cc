"""Spreadsheets: .xlsx (openpyxl, streamed read-only) and old .xls and WPS .et
(xlrd). A row is a line of its non-empty cells; a sheet's own name comes first
unless it is a default one (Sheet1, 工作表1)."""
from __future__ import annotations

import datetime
import io
import re
import warnings

import openpyxl
import xlrd

from .base import Output, Unreadable

_DEFAULT_SHEET = re.compile(r"(sheet|工作表)\s*\d*", re.IGNORECASE)


def read_xlsx(data: bytes, out: Output) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Workbook contains no default style" and the like
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for sheet in book.worksheets:
                if not _sheet(sheet.title, sheet.iter_rows(values_only=True), out):
                    break
        finally:
            book.close()
    return out.text()


def read_xls(data: bytes, out: Output) -> str:
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO())
    except xlrd.XLRDError as error:
        raise Unreadable("encrypted" if "encrypted" in str(error).lower() else "corrupt") from None
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            rows = ([_xls_value(cell, book.datemode) for cell in sheet.row(number)] for number in range(sheet.nrows))
            if not _sheet(sheet.name, rows, out):
                break
    finally:
        book.release_resources()
    return out.text()


def _sheet(title: str, rows, out: Output) -> bool:
    if title and not _DEFAULT_SHEET.fullmatch(title.strip()):
        out.add(title)
    for number, row in enumerate(rows):
        cells = [_format(value) for value in row]
        line = " ".join(cell for cell in cells if cell)
        if line and not out.add(line) or number % 1000 == 999 and not out.room():
            return False
    return True


def _xls_value(cell, datemode: int):
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate_as_datetime(cell.value, datemode)
        except Exception:
            return cell.value
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    return cell.value


def _format(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\n", " ").strip()
