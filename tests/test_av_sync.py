"""Picture and sound stay together in what is published, on variable-frame-rate sources.

Each source flashes and beeps at the same known instants while frames are
dropped irregularly, as MP4 (H.264/AAC), MOV (H.264/PCM) and WebM (VP8/Vorbis,
VP9/Opus). The web rendition and the short cut are measured: every flash and
its beep within one frame of each other and of where they belong, at every
join, and both streams ending together.
"""

from __future__ import annotations

import pytest
from avsync import CONTAINERS, kept, make_sync_source, measure
from videoclips import article, ffmpeg_report

from conftest import run_pelican, write_site

MARKS = (1.0, 3.0, 3.5, 5.2, 5.8)
# Three segments with a join before the second and third; marks well inside
# them (clear of the join fades). The second starts on a dropped frame (2.4 s).
HIGHLIGHTS = "00:00:00.60-00:00:01.60, 00:00:02.40-00:00:04.00, 00:00:04.80-00:00:06.20"
FPS = 30.0  # the sources' camera rate, which the published files keep
# Where the marks fall on the short cut's timeline: 0.4 s into a 1.0-s piece,
# then 0.6 and 1.1 s into a 1.6-s piece, then 0.4 and 1.0 s into the last.
SHORT_MARKS = (0.4, 1.6, 2.1, 3.0, 3.6)
ONE_FRAME = 1 / FPS
SETTINGS = {"MAG_VIDEO": {"max_width": 160, "max_height": 90, "preset": "ultrafast"}}


@pytest.fixture(scope="module", params=list(CONTAINERS))
def published(request, tmp_path_factory) -> dict:
    """{'source', 'web', 'short'} of one container/codec pair, built by Pelican."""
    work = tmp_path_factory.mktemp(request.param)
    source = make_sync_source(work / "source", request.param, MARKS)
    assert not kept(round(2.4 * FPS))
    name = f"media/talk{source.suffix}"
    front = f"Video: {name}\nHighlights: {HIGHLIGHTS}\n"
    content = write_site(work, {name: source.read_bytes(), "articles/talk.md": article(front)})
    run_pelican(content, work / "output", SETTINGS)
    (web,) = (work / "output").glob("2026/*/video.mp4")
    return {
        "kind": request.param,
        "source": source,
        "web": web,
        "short": web.with_name("short.mp4"),
    }


def test_source_is_variable_frame_rate_with_marks_in_sync(published):
    if "no-duration" in published["kind"]:
        assert "Duration: N/A" in ffmpeg_report(published["source"])
    timeline = measure(published["source"])
    assert timeline.audio_start == pytest.approx(CONTAINERS[published["kind"]][3], abs=0.03)
    assert timeline.frame_seconds > 3 * ONE_FRAME  # frames really are missing
    assert timeline.flashes == pytest.approx(MARKS, abs=0.002)
    assert timeline.beeps == pytest.approx(MARKS, abs=0.002)


@pytest.mark.parametrize(("output", "marks"), [("web", MARKS), ("short", SHORT_MARKS)])
def test_every_flash_and_beep_stay_within_one_frame(published, output, marks):
    timeline = measure(published[output])
    assert len(timeline.flashes) == len(timeline.beeps) == len(marks)
    for offset in timeline.offsets():
        assert abs(offset) <= ONE_FRAME
    # ...and at the right place: no piece is longer or shorter than it should be.
    assert timeline.flashes == pytest.approx(marks, abs=ONE_FRAME)
    assert timeline.beeps == pytest.approx(marks, abs=0.005)


@pytest.mark.parametrize(("output", "seconds"), [("web", 7.0), ("short", 4.0)])
def test_picture_and_sound_end_together(published, output, seconds):
    timeline = measure(published[output])
    assert abs(timeline.video_end - timeline.audio_end) <= 0.1
    assert abs(timeline.audio_start) <= 0.001  # a late sound track is padded with silence
    assert timeline.video_end == pytest.approx(seconds, abs=ONE_FRAME)


@pytest.mark.parametrize("output", ["web", "short"])
def test_published_frame_rate_is_constant_at_the_camera_rate(published, output):
    assert measure(published[output]).frame_seconds == pytest.approx(ONE_FRAME, abs=0.002)


@pytest.mark.parametrize(
    ("measured", "published"),
    [
        (30.0, 30.0),
        (29.8, 30000 / 1001),
        (29.6, 30.0),
        (26.0, 30.0),
        (15.0, 15.0),
        (25.0, 25.0),
        (60.0, 30.0),
        (60000 / 1001, 30000 / 1001),
        (50.0, 25.0),
        (120.0, 30.0),
    ],
)
def test_published_rate_is_a_standard_rate_reduced_evenly(measured, published):
    from mag_video.model import Probe
    from mag_video.settings import DEFAULTS
    from mag_video.sync import output_fps

    probe = Probe(10.0, 320, 180, measured, "h264", "aac")
    assert output_fps(probe, DEFAULTS) == pytest.approx(published)


def test_variable_frame_rate_mp4_is_published_at_its_camera_rate_not_the_average(published):
    from mag_video.probe import parse_probe

    probe = parse_probe(ffmpeg_report(published["source"]), published["source"])
    assert probe.fps == FPS
