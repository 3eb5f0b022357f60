"""Text drawn with fpdf2 at a fraction of the cost, page for page what its `multi_cell` and
`table` draw. Pure.

fpdf's line breaking measures the whole line again for every letter it adds (most of a
receipt's time); here each line is found in one pass with fpdf's own arithmetic (the sum of the
letters' widths in the core font, times the size, to the last bit). A line of text is drawn
with the few operators fpdf's `cell` writes for it, without the styled fragments and copies
of the graphics state `cell` makes for every line (half of a receipt's time). Where fpdf
would do something this does not follow (a line break or hidden hyphen in the text, a word
wider than the line, a table cell that wraps or a table that runs onto the next
page, a font not one of the core fonts) the text is left to fpdf itself. The unit tests draw
varied receipts both ways and compare the bytes.
"""

from __future__ import annotations

from collections.abc import Sequence

from fpdf import FPDF, FontFace
from fpdf.enums import Align, TableCellStyle, TextMode, XPos, YPos
from fpdf.fonts import CoreFont
from fpdf.util import FloatTolerance, escape_parens

# What fpdf's line breaking treats specially (a line break, a hidden hyphen): a text with one
# of them is left to multi_cell. A no-break space it draws as a space.
SPECIAL, NBSP = frozenset("\n\r\f\xad"), "\xa0"
BREAKING_SPACES = frozenset(" \t")  # the breaking spaces the core fonts' encoding has
LINE_X = frozenset({XPos.RIGHT, XPos.LEFT, XPos.LMARGIN})  # where `text_line` can leave x
# A text this much narrower than its line (mm) fits whichever order its widths are summed in.
FIT_MARGIN = 1e-6
BORDERS = TableCellStyle(left=True, bottom=True, right=True, top=True)


class TextDocument(FPDF):
    def lines_of(self, text: str, width: float) -> list[str] | None:
        """The lines multi_cell breaks `text` into in a cell `width` wide with no padding, in
        the current font: at the last space that fits (dropped), mid-word where a word alone
        is too long. None where fpdf would do something this does not follow."""
        font = self.current_font
        if (not text or not SPECIAL.isdisjoint(text) or not isinstance(font, CoreFont)
                or self.font_stretching != 100 or self.char_spacing
                or (NBSP in text and font.cw[NBSP] != font.cw[" "])):  # fmt: skip
            return None
        size = self.font_size_pt
        units = [font.cw[char] for char in self.normalize_text(text)]
        room = width - self.c_margin - self.c_margin
        if sum(units) * size * 0.001 / self.k < room - FIT_MARGIN:  # most do: no search
            return [text.replace(NBSP, " ")]
        lines: list[str] = []
        start = 0
        while start < len(text):
            used, space, at = 0, -1, start
            while at < len(text) and not FloatTolerance.greater_than(
                used * size * 0.001 / self.k + units[at] * size * 0.001 / self.k, room
            ):
                space = at if text[at] in BREAKING_SPACES else space
                used, at = used + units[at], at + 1
            if at == len(text):  # the rest fits
                end, resume = at, at
            elif text[at] in BREAKING_SPACES:  # the space that does not fit is dropped
                end, resume = at, at + 1
            elif space > start:  # back to the last space, which is dropped
                end, resume = space, space + 1
            elif space < 0 and at > start:  # a word longer than the line is cut
                end, resume = at, at
            else:  # fpdf would fail, or draw an empty line of text
                return None
            if end == start:
                return None
            lines.append(text[start:end].replace(NBSP, " "))
            start = resume
        return lines

    def text_line(
        self, width: float, height: float, text: str,
        new_x: XPos = XPos.RIGHT, new_y: YPos = YPos.TOP,
    ) -> None:  # fmt: skip
        """`cell(width, height, text, new_x=new_x, new_y=new_y)`: one left-aligned line with
        no border, fill or link, in a core font with no styling of its own, on this page. What
        does not fit that (a line that starts a new page, a colour, underlining, the page-count
        alias, ...) is fpdf's own cell."""
        font = self.current_font
        if (not text or not isinstance(font, CoreFont) or self.will_page_break(height)
                or self.text_color != self.fill_color or self.underline or self.strikethrough
                or self.text_mode != TextMode.FILL or self.font_stretching != 100
                or self.char_spacing or self.text_shaping or self._record_text_quad_points
                or self.str_alias_nb_pages in text or new_x not in LINE_X):  # fmt: skip
            self.cell(width, height, text, new_x=new_x, new_y=new_y)
            return
        text = self.normalize_text(text)
        if not self.current_font_is_set_on_page:
            self._out(self._set_font_for_page(font, self.font_size_pt))
        k, x = self.k, self.x + self.c_margin
        y = self.h - self.y - 0.5 * height - 0.3 * self.font_size
        self._out(f"BT {x * k:.2f} {y * k:.2f} Td ({escape_parens(text)}) Tj ET")
        self._lasth = height
        if new_x == XPos.RIGHT:
            self.x += width or self.w - self.r_margin - self.x
        elif new_x == XPos.LMARGIN:
            self.x = self.l_margin
        if new_y == YPos.NEXT:
            self.y += height

    def text_block(self, height: float, text: str) -> None:
        """`multi_cell(0, height, text, align="L", new_x=LMARGIN, new_y=NEXT)`: from here to
        the right margin, ragged right, wrapped where it does not fit, a new page where the
        page is full; then at the left margin of the next line."""
        lines = self.lines_of(text, self.w - self.r_margin - self.x)
        if lines is None:
            self.multi_cell(0, height, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            return
        for index, line in enumerate(lines, start=1):
            # Each line below the one before, from the same x (on a new page if full).
            last = index == len(lines)
            self.text_line(
                0, height, line, new_x=XPos.LMARGIN if last else XPos.LEFT, new_y=YPos.NEXT
            )

    def table_of_single_lines(
        self, rows: list[list[str]], columns: Sequence[int], aligns: Sequence[Align],
        line_height: float,
    ) -> bool:  # fmt: skip
        """What `table(col_widths=columns, text_align=aligns, line_height=line_height)` draws
        for `rows` (the first the bold headings; a row of one cell spans every column), when
        every cell's text fits on one line and the whole table on this page; else False,
        having drawn nothing."""
        # Each column's width and left edge exactly as fpdf's table computes them.
        widths = [share / sum(columns) * self.epw for share in columns]
        lefts = [self.l_margin]
        for width in widths[:-1]:
            lefts.append(lefts[-1] + width)
        spanning = 0.0
        for width in widths:
            spanning += width
        layouts = {len(columns): list(zip(widths, lefts, aligns, strict=True)),
                   1: [(spanning, lefts[0], aligns[0])]}  # fmt: skip
        plain = self.font_face()
        faces = [FontFace.combine(plain, FontFace(emphasis="BOLD")) or plain] + [plain] * len(rows)
        # Each cell's one line (a no-break space drawn as a space), measured in its font.
        lines: list[list[str]] = []
        for cells, face in zip(rows, faces, strict=False):
            with self.use_font_face(face):
                found = [self.lines_of(text, width)
                         for text, (width, _, _) in zip(cells, layouts[len(cells)], strict=True)]  # fmt: skip
            if not all(cell is not None and len(cell) == 1 for cell in found):
                return False
            lines.append([cell[0] for cell in found if cell])
        if self.will_page_break(len(rows) * line_height + 0.01):
            return False
        for cells, face in zip(lines, faces, strict=False):
            for text, (width, left, align) in zip(cells, layouts[len(cells)], strict=True):
                BORDERS.draw_cell_border(self, left, self.y, left + width, self.y + line_height)
                self.x = left
                with self.use_font_face(face):  # as fpdf's table: each cell sets its font
                    if align == Align.L:
                        self.text_line(width, line_height, text)
                    else:
                        self.cell(width, line_height, text, align=align)
            self.ln(line_height)
        return True
