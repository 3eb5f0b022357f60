"""What a receipt PDF shows and where: every text run with its font, size, colour and position,
and every drawn rectangle, read back from fpdf2's (deflated) content streams. Positions are in
mm from the page's top-left corner, as the layout is written."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from fpdf import FPDF

PT = 72 / 25.4  # points per mm
PAGE_HEIGHT = 297.0  # A4, mm
BASE_FONTS = {"Helvetica": ("helvetica", ""), "Helvetica-Bold": ("helvetica", "B"),
              "Courier": ("courier", "")}  # fmt: skip


@dataclass(frozen=True)
class Run:
    page: int
    font: str  # the PDF's base font, e.g. "Helvetica-Bold"
    size: float  # pt
    x: float  # mm, where the text starts
    baseline: float  # mm from the top
    text: str
    colour: tuple[int, int, int]

    @property
    def right(self) -> float:
        """Where the text ends, mm from the left edge."""
        family, style = BASE_FONTS[self.font]
        measure = FPDF(unit="mm")
        measure.set_font(family, style, self.size)
        return self.x + measure.get_string_width(self.text)

    def top(self, line_height: float) -> float:
        """The top of the cell fpdf drew the run in (it centres text: h/2 + 0.3 x font size)."""
        return self.baseline - line_height / 2 - 0.3 * self.size / PT


@dataclass(frozen=True)
class Box:
    page: int
    x: float
    top: float
    width: float
    height: float


@dataclass(frozen=True)
class Layout:
    runs: list[Run]
    boxes: list[Box]
    contents: list[bytes]  # each page's content stream
    info: dict[str, str]  # the document's /Info: Title, Creator, ...
    media_box: tuple[float, ...]  # pt

    def run(self, text: str) -> Run:
        (found,) = [run for run in self.runs if run.text == text]
        return found

    def on_page(self, page: int) -> list[Run]:
        return [run for run in self.runs if run.page == page]


def layout_of(pdf: bytes) -> Layout:
    fonts = font_names(pdf)
    contents = [
        zlib.decompress(stream)
        for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
    ]
    runs: list[Run] = []
    boxes: list[Box] = []
    for page, content in enumerate(contents, start=1):
        runs += page_runs(page, content.decode("windows-1252"), fonts)
        boxes += [
            Box(page, float(x) / PT, PAGE_HEIGHT - (float(y) + float(h)) / PT, float(w) / PT,
                float(h) / PT)
            for x, y, w, h in re.findall(rb"([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re S", content)
        ]  # fmt: skip
    info_object = re.search(rb"/CreationDate.*?>>", pdf, re.S)
    info = {
        key.decode(): value.decode("windows-1252")
        for key, value in re.findall(rb"/(\w+) \(((?:\\.|[^\\)])*)\)", info_object.group(0))
    } if info_object else {}  # fmt: skip
    media = re.search(rb"/MediaBox \[([^\]]*)\]", pdf)
    media_box = tuple(float(n) for n in media.group(1).split()) if media else ()
    return Layout(runs, boxes, contents, info, media_box)


def font_names(pdf: bytes) -> dict[str, str]:
    """/F1 -> "Helvetica-Bold", through the font objects the resources name."""
    objects = dict(re.findall(rb"(\d+) 0 obj\s*<<\s*/BaseFont /([\w-]+)", pdf))
    return {
        alias.decode(): objects[number].decode()
        for alias, number in re.findall(rb"/(F\d+) (\d+) 0 R", pdf)
    }


def page_runs(page: int, content: str, fonts: dict[str, str]) -> list[Run]:
    runs, font, size = [], "", 0.0
    for block in re.findall(r"BT (.*?) ET", content, re.S):
        if chosen := re.fullmatch(r"/(F\d+) ([\d.]+) Tf", block.strip()):
            font, size = fonts[chosen.group(1)], float(chosen.group(2))
            continue
        at = re.match(r"([\d.]+) ([\d.]+) Td", block)
        if not at:
            continue
        rgb = re.search(r"([\d.]+) ([\d.]+) ([\d.]+) rg", block)
        colour = tuple(round(float(c) * 255) for c in rgb.groups()) if rgb else (0, 0, 0)
        shown = re.findall(r"\(((?:\\.|[^\\)])*)\)\s*Tj", block)
        text = "".join(re.sub(r"\\(.)", r"\1", piece) for piece in shown)
        runs.append(Run(page, font, size, float(at.group(1)) / PT,
                        PAGE_HEIGHT - float(at.group(2)) / PT, text, colour))  # type: ignore[arg-type]  # fmt: skip
    return runs
