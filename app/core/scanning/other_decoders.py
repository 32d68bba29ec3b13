"""Decoders from other libraries, run by the chain only on a crop that holds a symbol
zxing-cpp saw but could not read: ZBar (pyzbar) and OpenCV's QR detector."""

from __future__ import annotations

from typing import Protocol

import cv2
import numpy as np

from app.core.scanning.decoded import DecodedCode


class SecondDecoder(Protocol):
    """A slower decoder from another library, run only on a crop that holds an unread symbol."""

    name: str

    def __call__(self, image: np.ndarray) -> list[DecodedCode]: ...


class PyzbarDecoder:
    """ZBar (through pyzbar), restricted to QR: a different finder that reads some codes
    zxing-cpp's detector misses. Its text is the UTF-8 ZBar produces; a payload that is not
    valid UTF-8 is dropped rather than guessed."""

    name = "pyzbar"

    def __call__(self, image: np.ndarray) -> list[DecodedCode]:
        from pyzbar import pyzbar  # loads libzbar; kept out of import time

        out = []
        for symbol in pyzbar.decode(image, symbols=[pyzbar.ZBarSymbol.QRCODE]):
            try:
                text = symbol.data.decode("utf-8")
            except UnicodeDecodeError:
                continue
            points = [(int(p.x), int(p.y)) for p in symbol.polygon]
            quad = (points[0], points[1], points[2], points[3]) if len(points) == 4 else None
            out.append(DecodedCode(text, bytes(symbol.data), self.name, quad))
        return out


class OpenCVDecoder:
    """OpenCV's ArUco-based QR detector: the last resort, a third detector and decoder.

    OpenCV returns text without the raw bytes, so only ASCII payloads are trusted from it (a
    non-ASCII payload could come back in the wrong character set); vouchers are ASCII.
    """

    name = "opencv"

    def __init__(self) -> None:
        self._detector = cv2.QRCodeDetectorAruco()

    def __call__(self, image: np.ndarray) -> list[DecodedCode]:
        ok, texts, points, _ = self._detector.detectAndDecodeMulti(image)
        if not ok:
            return []
        out = []
        for i, text in enumerate(texts):
            if not text or not text.isascii():
                continue
            quad = None
            if points is not None and len(points) > i:
                corners = [(int(x), int(y)) for x, y in points[i]]
                quad = (corners[0], corners[1], corners[2], corners[3])
            out.append(DecodedCode(text, text.encode("ascii"), self.name, quad))
        return out
