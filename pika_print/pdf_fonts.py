"""Fonts for Pika's PDFs (voucher sheets, the manager's report): DejaVu or Arial embedded, so
"₲" and accents print; the PDF core fonts, Latin-1 only, when none is installed."""

from __future__ import annotations

from collections.abc import Sequence

from fpdf import FPDF
from PIL import ImageFont

FONT_FILES = ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "Arial.ttf")
BOLD_FILES = (
    "DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "arialbd.ttf",
)
MONO_FILES = (
    "DejaVuSansMono-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",
    "consolab.ttf",
)
CORE_FAMILIES = ("Helvetica", "Courier")


def font_path(names: Sequence[str]) -> str | None:
    """The file of the first font Pillow finds by these names (it searches the system's font
    folders, Windows' included), so a PDF embeds the same font a PNG draws with."""
    for name in names:
        try:
            found = ImageFont.truetype(name, 10).path
        except OSError:
            continue
        return found if isinstance(found, str) else None
    return None


def embed_fonts(pdf: FPDF) -> tuple[str, str]:
    """Embed the sans (regular and bold) and mono fonts; returns their family names."""
    sans, bold, mono = font_path(FONT_FILES), font_path(BOLD_FILES), font_path(MONO_FILES)
    if sans is None or mono is None:
        return CORE_FAMILIES
    pdf.add_font("PikaSans", fname=sans)
    pdf.add_font("PikaSans", style="B", fname=bold or sans)
    pdf.add_font("PikaMono", fname=mono)
    return "PikaSans", "PikaMono"


def printable(text: str, family: str) -> str:
    """``text`` as ``family`` can print it: core fonts know Latin-1 only ("₲" becomes "Gs.")."""
    if family not in CORE_FAMILIES:
        return text
    return text.replace("₲", "Gs.").encode("latin-1", "replace").decode("latin-1")
