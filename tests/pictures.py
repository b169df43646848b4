"""Small images drawn by Pillow for the image and illustrated-variant tests."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import ExifTags, Image, ImageDraw


def drawing(width: int, height: int, colour: str = "#0b5cad", mark: int = 0) -> Image.Image:
    """A flat picture with a shape whose position depends on ``mark`` (frames differ)."""
    image = Image.new("RGB", (width, height), "#fbf4e6")
    canvas = ImageDraw.Draw(image)
    x = (mark * width // 8) % max(1, width - height // 3)
    canvas.ellipse((x, height // 3, x + height // 3, 2 * height // 3), fill=colour)
    canvas.rectangle((0, 0, width // 4, height // 6), fill="#f5a100")
    return image


def encode(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def png(width: int, height: int, **kwargs) -> bytes:
    return encode(drawing(width, height, **kwargs))


def exif_with_gps(orientation: int = 6) -> Image.Exif:
    """EXIF as a phone writes it: a camera, a rotation, and where the photo was taken."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCam"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (35.0, 40.0, 52.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (139.0, 45.0, 36.0)
    return exif


def phone_photo(width: int = 240, height: int = 120, fmt: str = "JPEG") -> bytes:
    """Stored sideways (landscape pixels) with orientation 6: shown upright it is portrait."""
    return encode(drawing(width, height), fmt, exif=exif_with_gps())


def truncated_png(width: int = 400, height: int = 300) -> bytes:
    """A real PNG cut in half: the header reads, the pixels do not."""
    data = png(width, height)
    return data[: len(data) // 2]


def claimed_size_png(width: int, height: int) -> bytes:
    """A few hundred bytes whose header claims width×height pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 4096))
        + chunk(b"IEND", b"")
    )


def has_location_or_exif(image: Image.Image) -> bool:
    exif = image.getexif()
    return bool(len(exif)) or bool(exif.get_ifd(ExifTags.IFD.GPSInfo)) or "exif" in image.info
