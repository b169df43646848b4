"""Picture conversion to what every browser shows right: SDR BT.709, limited range, 8 bit.

Phones record HDR by default (iPhone: HEVC 10-bit, HLG; others PQ). Played as if
it were SDR it looks washed out and grey. HDR is mapped with zscale + tonemap,
taking reference white at 203 cd/m2 (ITU-R BT.2408: 75 % HLG, 58 % PQ) to SDR
white; brighter highlights are compressed by the Mobius curve, which leaves the
range below them linear, so skin and greys keep their contrast and colour.
The bundled ffmpeg has zscale and tonemap (libplacebo needs a GPU; the
colorspace filter knows neither HLG nor PQ). SDR sources are only scaled, with
full-range (phone "yuvj") pictures brought to limited range.
"""

from __future__ import annotations

from .model import Probe

HDR_TRANSFERS = {"arib-std-b67", "smpte2084"}
# BT.2408 reference white, in cd/m2.
REFERENCE_WHITE = 203


def is_hdr(probe: Probe | None) -> bool:
    return probe is not None and probe.color_transfer in HDR_TRANSFERS


def sized_picture(stream, probe: Probe | None, width: int, height: int):
    """``stream`` scaled to ``width`` x ``height`` as SDR BT.709 (tone-mapped when HDR).

    ``probe`` None: the stream is one of our own outputs, already SDR BT.709.
    Every frame leaves tagged BT.709, limited range: the encoder writes the
    frames' tags (over its own options), and players then do not guess.
    """
    picture = (
        _hdr_to_sdr(stream, width, height) if is_hdr(probe) else _sdr(stream, probe, width, height)
    )
    return picture.filter(
        "setparams", color_primaries="bt709", color_trc="bt709", colorspace="bt709", range="tv"
    )


def _sdr(stream, probe: Probe | None, width: int, height: int):
    # An untagged source is taken as BT.709, as browsers take HD video.
    matrix = probe.color_matrix if probe is not None else "bt709"
    return stream.filter(
        "scale",
        width,
        height,
        flags="lanczos",
        in_color_matrix=_SWS_MATRIX.get(matrix, "bt709"),
        out_color_matrix="bt709",
        out_range="tv",
    ).filter("format", "yuv420p")


def _hdr_to_sdr(stream, width: int, height: int):
    # Resize in the first step, so the float RGB steps work on the published
    # size, not on a 1080x1920 frame.
    return (
        stream.filter(
            "zscale", w=width, h=height, filter="lanczos", t="linear", npl=REFERENCE_WHITE
        )
        .filter("format", "gbrpf32le")
        .filter("zscale", p="bt709")
        .filter("tonemap", tonemap="mobius")
        .filter("zscale", t="bt709", m="bt709", r="tv")
        .filter("format", "yuv420p")
    )


# ffmpeg's names of a stream's matrix -> the scale filter's names.
_SWS_MATRIX = {
    "bt709": "bt709",
    "bt470bg": "bt601",
    "smpte170m": "bt601",
    "fcc": "fcc",
    "smpte240m": "smpte240m",
    "bt2020nc": "bt2020",
    "bt2020c": "bt2020",
}
