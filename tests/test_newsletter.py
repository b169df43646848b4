"""The newsletter: real builds, a real SMTP server with STARTTLS and login, real Chromium."""

from __future__ import annotations

import asyncio
import email
import json
import os
import re
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from email import policy
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pictures
import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from bs4 import BeautifulSoup
from videoclips import CAPTIONS, make_clip

from conftest import ROOT, LiveServer, run_pelican, write_site
from mag_core import SettingsError
from mag_newsletter.bundle import load_issue
from mag_newsletter.lock import LockHeld
from mag_newsletter.recipients import RecipientError, read_recipients
from mag_newsletter.run import NewsletterError, Request, run_issue
from mag_newsletter.send import SendError, SmtpConfig, send_issue
from mag_newsletter.sentlog import SentLog
from tasks import swap_in

ISSUE = "2026-11"
SEGMENTS = ("busy", "light", "core")
SENDER = "みらいマガジン編集部 <magazine@example.test>"
USER, PASSWORD = "editor", "s3cret"
UNSUBSCRIBE = "https://mag.example.test/newsletter/stop?email={email}"


def article(slug: str, title: str, date: str, extra: str = "", body: str = "本文です。") -> str:
    return (
        f"Title: {title}\nDate: {date} 09:00\nCategory: 新規事業\nSlug: {slug}\n{extra}\n{body}\n"
    )


PANELS = """Title: イラストで見るピッチの一日
Lead: 2枚の絵で振り返ります。

## 01-stage.png
Caption: 会場には開場前から列ができました。
Alt: ステージの前に並ぶ人たちのイラスト

## 02-award.png
Caption: 最優秀賞が決まりました。
Alt: トロフィーのイラスト
"""


def site_files(clip: bytes) -> dict:
    return {
        "articles/talk.md": article(
            "talk",
            "審査員対談",
            "2026-11-20",
            "Audience: busy\nVideo: media/talk.mp4\nCaptions: media/talk.ja.vtt\n"
            "Highlights: q1\nSummary: 審査員の二人が、応募者に期待することを語ります。",
        ),
        "media/talk.mp4": clip,
        "media/talk.ja.vtt": CAPTIONS,
        "articles/pitch.md": article(
            "pitch",
            "ピッチの一日",
            "2026-11-10",
            "Audience: light\nIllustrated: illustrations/pitch/",
        ),
        "illustrations/pitch/panels.md": PANELS,
        "illustrations/pitch/01-stage.png": pictures.png(640, 400),
        "illustrations/pitch/02-award.png": pictures.png(640, 400, mark=3),
        "articles/deep.md": article(
            "deep",
            'R&D "速報" 現場から（2）',
            "2026-11-05",
            "Audience: core\nCover: images/cover.png\nSeries: 現場から\nPart: 2\n"
            'Summary: 連載の第2回。<b onmouseover="alert(1)">太字</b>です。',
        ),
        "images/cover.png": pictures.png(600, 315),
        "articles/plain.md": article("plain", "お知らせ", "2026-11-02"),
        "articles/old.md": article(
            "old", "現場から（1）", "2026-10-01", "Series: 現場から\nPart: 1"
        ),
    }


@dataclass
class Site:
    output: Path
    content: Path
    cache: Path
    url: str

    @property
    def folder(self) -> Path:
        return self.output / "newsletter" / ISSUE

    def settings(self, **newsletter) -> dict:
        return {
            "THEME": str(ROOT / "theme"),
            "MAG_CACHE_PATH": str(self.cache),
            "MAG_NEWSLETTER": {
                "site_url": self.url,
                "sender": SENDER,
                "unsubscribe_url": UNSUBSCRIBE,
                **newsletter,
            },
        }


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One build with every format (short, transcript, video, illustrated), served over HTTP.

    The server starts first: the emails' absolute links and images point at it.
    """
    root = tmp_path_factory.mktemp("newsletter-site")
    output = root / "output"
    output.mkdir()
    server = LiveServer(output)
    clip = make_clip(root / "clip" / "talk.mp4").read_bytes()
    content = write_site(root, site_files(clip))
    built = Site(output, content, root / "cache", server.url)
    overrides = built.settings(issue=ISSUE, since="2026-11-01", reply_to="henshu@example.test")
    run_pelican(content, output, overrides)
    yield built
    server.close()


@pytest.fixture(scope="module")
def issue(site):
    return load_issue(site.folder)


class Inbox:
    """An aiosmtpd handler that keeps what arrives and refuses the addresses it is told to."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []
        self.sessions: list = []  # kept alive, so identities stay distinct
        self.refuse: set[str] = set()
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_RCPT(self, _server, _session, envelope, address, _options):
        if address.lower() in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server, session, envelope):
        if not any(s is session for s in self.sessions):
            self.sessions.append(session)
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def authenticate(self, _server, _session, _envelope, _mechanism, auth_data):
        self.logins.append((auth_data.login, auth_data.password))
        good = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
        return AuthResult(success=good)

    def messages(self) -> dict[str, email.message.EmailMessage]:
        """{recipient: parsed message}."""
        return {
            to[0]: email.message_from_bytes(data, policy=policy.default)
            for to, data in self.received
        }


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    """A test CA and a server certificate for 127.0.0.1; the CA file for the client's trust."""
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_context)
    ca_file = tmp_path_factory.mktemp("ca") / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    return server_context, ca_file


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(certificates, monkeypatch):
    """A local SMTP server that requires STARTTLS before login; MAG_SMTP_* point at it."""
    inbox = Inbox()
    controller = serve_inbox(inbox, certificates, monkeypatch)
    yield inbox
    controller.stop()


@pytest.fixture
def recipients(tmp_path) -> Path:
    folder = tmp_path / "recipients"
    folder.mkdir()
    (folder / "busy.csv").write_text(
        "\ufeffemail,name,部署\nhanako@example.test,佐藤 花子,広報部\ntaro@example.test,Taro,\n",
        encoding="utf-8",
    )
    (folder / "light.csv").write_text("email,name\nken@example.test,木村 健\n", encoding="utf-8")
    (folder / "core.csv").write_text(
        "name,email\n田中 舞,mai@example.test\n,ryo@example.test\n", encoding="utf-8"
    )
    return folder


SEGMENT_OF = {
    "hanako@example.test": "busy",
    "taro@example.test": "busy",
    "ken@example.test": "light",
    "mai@example.test": "core",
    "ryo@example.test": "core",
}


def send(issue, recipients: Path, log_path: Path, **options):
    lists = read_recipients(recipients, SEGMENTS)
    with SentLog(log_path) as log:
        return send_issue(
            issue,
            lists,
            SmtpConfig.from_env(),
            log,
            sender=SENDER,
            batch_size=options.get("batch_size", 50),
            batch_pause=0,
        )


def parts(message) -> tuple[str, str]:
    return (
        message.get_body(("plain",)).get_content(),
        message.get_body(("html",)).get_content(),
    )


def html_links(html: str) -> list[str]:
    return [a["href"] for a in BeautifulSoup(html, "html.parser").find_all("a")]


def text_links(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


def teaser_slugs(html: str) -> list[str]:
    return [td["data-article"] for td in BeautifulSoup(html, "html.parser").select("td.teaser")]


def format_order(html: str, slug: str) -> list[str]:
    teaser = BeautifulSoup(html, "html.parser").select_one(f'td.teaser[data-article="{slug}"]')
    return [a["data-format"] for a in teaser.select("a[data-format]")]


# --- what arrives ------------------------------------------------------------------------


def test_each_reader_gets_the_email_of_their_segment_with_a_japanese_subject_and_two_parts(
    site, issue, smtp_server, recipients, tmp_path
):
    report = send(issue, recipients, tmp_path / "sent.sqlite3")

    assert (report.sent, report.skipped, report.failed) == (5, 0, [])
    assert smtp_server.logins == [(USER.encode(), PASSWORD.encode())]
    messages = smtp_server.messages()
    assert set(messages) == set(SEGMENT_OF)
    raw = {to[0]: data for to, data in smtp_server.received}
    assert re.search(rb"^Subject: =\?utf-8\?", raw["hanako@example.test"], re.MULTILINE | re.I)
    busy = messages["hanako@example.test"]
    assert busy["Subject"] == f"みらいマガジン {ISSUE}号｜審査員対談"
    assert busy["To"].addresses[0].display_name == "佐藤 花子"
    assert busy["From"].addresses[0].display_name == "みらいマガジン編集部"
    assert busy["Reply-To"] == "henshu@example.test"
    assert busy["Auto-Submitted"] == "auto-generated"
    assert busy.get_content_type() == "multipart/alternative"
    text, html = parts(busy)
    assert "審査員対談" in text
    assert "審査員の二人が、応募者に期待することを語ります。" in text
    assert "<table" in html
    assert 'role="presentation"' in html
    # What editors previewed in the build is what was sent.
    # (SMTP carries lines ending in CRLF.)
    assert html.splitlines() == (site.folder / "busy.html").read_text("utf-8").splitlines()
    assert text.splitlines() == (site.folder / "busy.txt").read_text("utf-8").splitlines()
    assert messages["ken@example.test"]["Subject"] == f"みらいマガジン {ISSUE}号｜ピッチの一日"
    assert messages["mai@example.test"]["Subject"].endswith('R&D "速報" 現場から（2）')


def test_styles_are_inlined_and_only_the_phone_media_query_stays_in_a_style_element(issue):
    html = issue.segment("core").html
    page = BeautifulSoup(html, "html.parser")
    masthead = page.select_one("td.masthead")
    assert "background-color: #0b5cad" in masthead["style"]
    container = page.select_one("table.container")
    assert container["width"] == "600"  # Outlook reads the attribute, not the CSS
    for thumb in page.select("img.thumb"):
        assert thumb["width"] == "552"
        assert "display: block" in thumb["style"]
    styles = [s.get_text() for s in page.find_all("style")]
    assert len(styles) == 1
    assert styles[0].strip().startswith("@media")
    assert ".cell" not in styles[0]
    assert not page.select("link[rel=stylesheet], script")


def test_every_link_of_every_segment_carries_the_campaign_of_its_issue_and_segment(site, issue):
    for email_ in issue.segments:
        links = html_links(email_.html) + text_links(email_.text)
        assert len(links) > 10
        for link in links:
            parts_ = urlsplit(link)
            assert f"{parts_.scheme}://{parts_.netloc}" == site.url, link
            assert parse_qs(parts_.query) == {
                "utm_source": ["newsletter"],
                "utm_medium": ["email"],
                "utm_campaign": [ISSUE],
                "utm_content": [email_.segment],
            }, link


def test_campaign_parameters_go_before_the_fragment_of_a_format_link(issue):
    busy = issue.segment("busy").html
    short = next(link for link in html_links(busy) if link.endswith("#short"))
    assert urlsplit(short).path == "/2026/talk/"
    assert "utm_content=busy" in urlsplit(short).query


def test_each_segment_sees_its_own_formats_first(issue):
    busy, light, core = (issue.segment(s).html for s in SEGMENTS)
    # busy: the article with a short cut first, led by the short cut and the transcript.
    assert teaser_slugs(busy) == ["talk", "plain", "pitch", "deep"]
    assert format_order(busy, "talk") == ["short", "transcript", "video", "article"]
    # light: the illustrated variant first.
    assert teaser_slugs(light) == ["pitch", "plain", "talk", "deep"]
    assert format_order(light, "pitch") == ["illustrated", "article"]
    assert format_order(light, "talk")[0] == "short"
    # core: the full article and the full video.
    assert teaser_slugs(core) == ["deep", "plain", "talk", "pitch"]
    assert format_order(core, "talk") == ["article", "video", "transcript", "short"]
    assert format_order(core, "pitch") == ["article", "illustrated"]


def test_the_thumbnail_fits_the_format_the_teaser_leads_with(site, issue):
    def picture(segment, slug):
        page = BeautifulSoup(issue.segment(segment).html, "html.parser")
        return page.select_one(f'td.teaser[data-article="{slug}"] img')

    short = picture("busy", "talk")
    assert short["src"] == f"{site.url}/2026/talk/short-poster.jpg"
    assert short["alt"] == "審査員対談（ショートの一場面）"
    assert picture("core", "talk")["alt"] == "審査員対談（動画の一場面）"
    panel = picture("light", "pitch")
    assert panel["alt"] == "ステージの前に並ぶ人たちのイラスト"
    assert panel["src"].startswith(f"{site.url}/")
    assert panel["src"].endswith(".png")
    assert picture("core", "deep")["src"].endswith("images/cover.png")
    card = picture("core", "plain")
    assert card["alt"] == "お知らせ"
    assert "/share/" in card["src"]


def test_only_articles_of_the_issue_are_in_it_and_text_from_articles_is_escaped(issue):
    for email_ in issue.segments:
        assert "old" not in email_.articles
        assert "現場から（1）" not in email_.html + email_.text
    core = issue.segment("core")
    assert 'R&amp;D "速報" 現場から（2）' in core.html
    assert "太字です" in core.html
    assert "onmouseover" not in core.html
    assert "連載の第2回。太字です。" in core.text


# --- sending: batches, refusals, the sent log ----------------------------------------------


def test_a_rerun_of_the_same_issue_sends_nothing_twice(site, smtp_server, recipients, tmp_path):
    request = Request(ISSUE, since="2026-11-01", recipients=recipients, out=tmp_path / "work")
    first = run_issue(request, ROOT / "pelicanconf.py", site.content, swap_in, site.settings())
    assert (first.report.sent, first.report.skipped) == (5, 0)
    assert len(smtp_server.received) == 5

    again = run_issue(request, ROOT / "pelicanconf.py", site.content, swap_in, site.settings())

    assert (again.report.sent, again.report.skipped, again.report.failed) == (0, 5, [])
    assert len(smtp_server.received) == 5
    assert again.previews[0] == tmp_path / "work" / ISSUE / "site/newsletter" / ISSUE / "busy.html"


def test_a_refused_recipient_is_reported_and_the_others_still_arrive(
    issue, smtp_server, recipients, tmp_path
):
    smtp_server.refuse.add("taro@example.test")
    log = tmp_path / "sent.sqlite3"

    report = send(issue, recipients, log, batch_size=50)

    assert report.sent == 4
    assert [(f.address, f.segment) for f in report.failed] == [("taro@example.test", "busy")]
    assert report.failed[0].reason.startswith("550 ")
    assert set(smtp_server.messages()) == set(SEGMENT_OF) - {"taro@example.test"}
    # Once the address is fixed on the server's side, a re-run sends to it alone.
    smtp_server.refuse.clear()
    smtp_server.received.clear()
    retry = send(issue, recipients, log)
    assert (retry.sent, retry.skipped) == (1, 4)
    assert list(smtp_server.messages()) == ["taro@example.test"]


def test_messages_go_in_batches_one_connection_each(issue, smtp_server, recipients, tmp_path):
    report = send(issue, recipients, tmp_path / "sent.sqlite3", batch_size=2)

    assert report.sent == 5
    assert len(smtp_server.sessions) == 3  # 2 + 2 + 1


def test_a_server_without_starttls_gets_no_password(issue, recipients, tmp_path, monkeypatch):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv("MAG_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("MAG_SMTP_PORT", str(port))
        monkeypatch.setenv("MAG_SMTP_USER", USER)
        with pytest.raises(SendError, match="does not offer STARTTLS"):
            send(issue, recipients, tmp_path / "sent.sqlite3")
    finally:
        controller.stop()
    assert inbox.received == []
    assert inbox.logins == []
    monkeypatch.setenv("MAG_SMTP_STARTTLS", "0")
    with pytest.raises(SendError, match="never sent without STARTTLS"):
        SmtpConfig.from_env()


def test_dry_run_writes_eml_files_and_sends_nothing(site, recipients, tmp_path, monkeypatch):
    monkeypatch.delenv("MAG_SMTP_HOST", raising=False)  # a dry run needs no mail relay
    request = Request(ISSUE, series="現場から", recipients=recipients, dry_run=True, out=tmp_path)

    outcome = run_issue(request, ROOT / "pelicanconf.py", site.content, swap_in, site.settings())

    assert outcome.report is None
    assert sorted(path.name for path in outcome.eml) == ["busy.eml", "core.eml", "light.eml"]
    message = email.message_from_bytes(
        (tmp_path / ISSUE / "eml/busy.eml").read_bytes(), policy=policy.default
    )
    assert message["To"].addresses[0].addr_spec == "hanako@example.test"
    assert message["Subject"] == f"みらいマガジン {ISSUE}号｜現場から（1）"
    text, html = parts(message)
    assert teaser_slugs(html) == ["old", "deep"]
    # A series issue keeps its reading order in every segment: part 2 is written for
    # core readers, and part 1 still comes first in the core email.
    assert teaser_slugs(parts(_eml(tmp_path, "core"))[1]) == ["old", "deep"]
    assert "現場から（1）" in text
    assert not (tmp_path / "sent.sqlite3").exists()


def _eml(folder: Path, segment: str):
    data = (folder / ISSUE / "eml" / f"{segment}.eml").read_bytes()
    return email.message_from_bytes(data, policy=policy.default)


# --- in a browser ---------------------------------------------------------------------------


@pytest.mark.browser
def test_the_email_renders_in_chromium_with_alt_text_on_every_image(site, page):
    for segment in SEGMENTS:
        page.goto(f"{site.url}/newsletter/{ISSUE}/{segment}.html")
        images = page.eval_on_selector_all(
            "img", "els => els.map(i => [i.alt, i.naturalWidth, i.getBoundingClientRect().width])"
        )
        assert len(images) == 4, segment
        for alt, natural_width, shown_width in images:
            assert alt.strip(), segment
            assert natural_width > 0  # the absolute URL reached the site
            assert shown_width <= 552
        assert page.title().startswith(f"みらいマガジン {ISSUE}号")
        width = page.eval_on_selector("table.container", "t => t.getBoundingClientRect().width")
        assert width == 600


# --- bad input ------------------------------------------------------------------------------


def test_recipient_lists_with_problems_name_the_file_and_line(tmp_path):
    folder = tmp_path / "lists"
    folder.mkdir()
    (folder / "busy.csv").write_text(
        "email,name\nok@example.test,A\nnot-an-address,B\nx@example.test,C\n", encoding="utf-8"
    )
    (folder / "core.csv").write_text("email\nX@example.test\n", encoding="utf-8")
    (folder / "light.csv").write_text("mail,name\na@example.test,A\n", encoding="utf-8")
    (folder / "bussy.csv").write_text("email\nb@example.test\n", encoding="utf-8")

    with pytest.raises(RecipientError) as caught:
        read_recipients(folder, SEGMENTS)

    message = str(caught.value)
    assert "bussy.csv: not a reader segment" in message
    assert "busy.csv:3: 'not-an-address' is not an email address" in message
    assert "light.csv:1: no 'email' column" in message
    assert "core.csv:2: X@example.test is also in busy.csv:4" in message


def test_a_header_injection_in_a_name_is_refused(tmp_path):
    folder = tmp_path / "lists"
    folder.mkdir()
    (folder / "busy.csv").write_text(
        'email,name\nok@example.test,"A\nBcc: all@example.test"\n', encoding="utf-8"
    )
    with pytest.raises(RecipientError, match=r"busy\.csv:3: the name has a control character"):
        read_recipients(folder, SEGMENTS)


@pytest.mark.parametrize(
    ("newsletter", "message"),
    [
        ({"issue": "2026/11", "since": "2026-11-01"}, "must be letters, digits"),
        ({"issue": ISSUE, "since": "11月1日"}, "not a date; write it as 2026-11-01"),
        ({"issue": ISSUE}, "give 'since'"),
        ({"isue": ISSUE}, r"unknown key\(s\) isue"),
        ({"issue": ISSUE, "since": "2026-11-01", "formats": {"busy": ["shrt"]}}, "no order for"),
    ],
)
def test_bad_settings_stop_the_build_with_a_clear_message(build, newsletter, message):
    files = {"articles/a.md": article("a", "記事", "2026-11-20")}
    with pytest.raises(SettingsError, match=message):
        build(files, MAG_NEWSLETTER=newsletter)


def test_a_plain_build_writes_no_newsletter(build):
    output = build({"articles/a.md": article("a", "記事", "2026-11-20")})
    assert (output / "index.html").is_file()
    assert not (output / "newsletter").exists()


def test_sending_needs_the_sites_real_address(site, recipients, tmp_path, smtp_server):
    settings = site.settings()
    # no site_url; SITEURL is empty in dev
    settings["MAG_NEWSLETTER"] = {"sender": SENDER, "unsubscribe_url": UNSUBSCRIBE}
    request = Request(ISSUE, since="2026-11-01", recipients=recipients, out=tmp_path)
    with pytest.raises(SettingsError, match="set MAG_SITEURL"):
        run_issue(request, ROOT / "pelicanconf.py", site.content, swap_in, settings)
    assert not (tmp_path / ISSUE).exists()  # stopped before building
    assert smtp_server.received == []


def test_invoke_newsletter_says_what_is_missing(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "invoke", "newsletter", "--issue", ISSUE, "--out", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "give 'since' (a date) or 'series'" in result.stderr
    help_text = subprocess.run(
        [sys.executable, "-m", "invoke", "--help", "newsletter"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for option in ("--issue", "--since", "--series", "--recipients", "--dry-run", "--out"):
        assert option in help_text


def test_an_issue_with_no_articles_stops_with_a_clear_message(site, tmp_path):
    request = Request("2027-01", since="2027-01-01", dry_run=True, out=tmp_path)
    with pytest.raises(NewsletterError, match="no articles for issue 2027-01"):
        run_issue(request, ROOT / "pelicanconf.py", site.content, swap_in, site.settings())
    assert not (tmp_path / "2027-01" / "eml").exists()


# --- exactly once, as far as SMTP allows ---------------------------------------------------

# A send of an issue in a process of its own, as `invoke newsletter` runs it; exits 1 with
# the message when it stops (the task maps the same errors to exit 1).
SENDER_SCRIPT = """
import sys
from pathlib import Path
from mag_newsletter.bundle import load_issue
from mag_newsletter.lock import LockHeld
from mag_newsletter.recipients import read_recipients
from mag_newsletter.run import stopping_errors
from mag_newsletter.send import SmtpConfig, send_issue
from mag_newsletter.sentlog import SentLog

folder, lists, log, sender = sys.argv[1:5]
try:
    with SentLog(log) as sent:
        lists = read_recipients(Path(lists), ("busy", "light", "core"))
        send_issue(load_issue(Path(folder)), lists, SmtpConfig.from_env(), sent,
                   sender=sender, batch_pause=0)
except stopping_errors() as error:
    sys.exit(str(error))
"""


def start_sender(site, recipients: Path, log: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), str(ROOT)])}
    return subprocess.Popen(
        [sys.executable, "-c", SENDER_SCRIPT, str(site.folder), str(recipients), str(log), SENDER],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until(check, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


def message_ids(inbox) -> list[str]:
    return [message["Message-ID"] for message in inbox.messages().values()]


def test_each_message_says_how_to_unsubscribe_in_one_click_and_names_its_list(
    issue, smtp_server, recipients, tmp_path
):
    send(issue, recipients, tmp_path / "sent.sqlite3")

    message = smtp_server.messages()["hanako@example.test"]
    # (A long header is folded onto its next line; unfolded, the value is the same.)
    assert message["List-Unsubscribe"].strip() == (
        "<https://mag.example.test/newsletter/stop?email=hanako%40example.test>"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Id"] == "<newsletter.127.0.0.1>"


def test_sending_without_an_opt_out_stops_before_anything_is_built(site, recipients, tmp_path):
    settings = site.settings()
    settings["MAG_NEWSLETTER"] = {"sender": SENDER, "site_url": site.url}
    request = Request(ISSUE, since="2026-11-01", recipients=recipients, out=tmp_path)
    with pytest.raises(NewsletterError, match="unsubscribe_url"):
        run_issue(request, ROOT / "pelicanconf.py", site.content, swap_in, settings)
    assert not (tmp_path / ISSUE).exists()


def test_an_article_for_core_leads_the_core_email_before_newer_articles_for_everyone(build):
    files = {
        f"articles/n{day}.md": article(f"n{day}", f"お知らせ{day}", f"2026-11-{day:02d}")
        for day in range(10, 16)
    }
    files["articles/deep.md"] = article("deep", "深掘り", "2026-11-02", "Audience: core")
    files["articles/quick.md"] = article("quick", "速報", "2026-11-01", "Audience: busy")
    output = build(
        files,
        MAG_NEWSLETTER={
            "issue": ISSUE,
            "since": "2026-11-01",
            "site_url": "https://mag.example.test",
        },
    )

    issue_ = load_issue(output / "newsletter" / ISSUE)
    assert issue_.segment("core").articles[0] == "deep"
    assert issue_.segment("busy").articles[0] == "quick"
    # Articles for everyone come next, newest first; those meant for others come last.
    assert list(issue_.segment("core").articles[1:4]) == ["n15", "n14", "n13"]
    assert issue_.segment("light").articles[-2:] == ("deep", "quick")


class HoldingInbox(Inbox):
    """Keeps each DATA waiting until released: a send caught in the middle of its run."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting = 0
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.waiting += 1
        while not self.release.is_set():
            await asyncio.sleep(0.01)
        return await super().handle_DATA(server, session, envelope)


class KillingInbox(Inbox):
    """Takes message number ``at`` and then SIGKILLs the sender before it hears "250 OK".

    The relay has the message, the sender never learnt it: the point where a crash
    used to mean the same email again under a new Message-ID.
    """

    def __init__(self, at: int) -> None:
        super().__init__()
        self.at = at
        self.victim: subprocess.Popen | None = None

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        if len(self.received) == self.at:
            while self.victim is None:
                await asyncio.sleep(0.01)
            self.victim.send_signal(signal.SIGKILL)
            self.victim.wait()
        return reply


def serve_inbox(inbox, certificates, monkeypatch) -> Controller:
    server_context, ca_file = certificates
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=server_context,
        require_starttls=True,
        authenticator=inbox.authenticate,
        auth_require_tls=True,
    )
    controller.start()
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # the client trusts the test CA only
    for name, value in {
        "MAG_SMTP_HOST": "127.0.0.1",
        "MAG_SMTP_PORT": str(port),
        "MAG_SMTP_USER": USER,
        "MAG_SMTP_PASSWORD": PASSWORD,
    }.items():
        monkeypatch.setenv(name, value)
    return controller


def test_a_second_run_of_the_same_issue_refuses_while_the_first_sends(
    site, certificates, monkeypatch, recipients, tmp_path
):
    inbox = HoldingInbox()
    controller = serve_inbox(inbox, certificates, monkeypatch)
    log = tmp_path / "sent.sqlite3"
    try:
        first = start_sender(site, recipients, log)
        wait_until(lambda: inbox.waiting >= 1)  # the first run is in the middle of sending

        second = start_sender(site, recipients, log)
        _, error = second.communicate(timeout=60)

        assert second.returncode == 1
        assert f"issue {ISSUE} is already being sent by a run on {socket.gethostname()}" in error
        assert f"pid {first.pid}" in error
        inbox.release.set()
        first.communicate(timeout=60)
        assert first.returncode == 0
    finally:
        inbox.release.set()
        controller.stop()
    assert sorted(to[0] for to, _ in inbox.received) == sorted(SEGMENT_OF)  # each one once
    assert not list(tmp_path.glob("*.lock"))


def test_a_send_killed_after_the_relay_took_a_message_repeats_only_it_with_the_same_id(
    site, certificates, monkeypatch, recipients, tmp_path
):
    inbox = KillingInbox(at=3)
    controller = serve_inbox(inbox, certificates, monkeypatch)
    log = tmp_path / "sent.sqlite3"
    try:
        inbox.victim = start_sender(site, recipients, log)
        inbox.victim.communicate(timeout=60)
        assert inbox.victim.returncode == -signal.SIGKILL
        assert len(inbox.received) == 3

        inbox.at = 0  # the next run is left alone
        again = start_sender(site, recipients, log)
        _, error = again.communicate(timeout=60)
        assert again.returncode == 0, error
    finally:
        controller.stop()
    ids = [
        email.message_from_bytes(data, policy=policy.default)["Message-ID"]
        for _, data in inbox.received
    ]
    assert len(ids) == 6  # five readers, one message repeated...
    assert len(set(ids)) == 5  # ...under the Message-ID it had: one email in every inbox
    assert ids[2] == ids[3]
    with SentLog(log) as sent:
        assert sent.sent_to(ISSUE) == set(SEGMENT_OF)
        assert sent.in_flight(ISSUE) == set()


def test_a_lock_of_another_machine_holds_until_it_goes_stale(
    issue, smtp_server, recipients, tmp_path
):
    log = tmp_path / "sent.sqlite3"
    lock = tmp_path / f"sent.sqlite3.{ISSUE}.lock"
    holder = {
        "issue": ISSUE,
        "host": "other-host",
        "pid": 1,
        "since": "2026-11-29T09:00:00+00:00",
        "token": "0" * 32,
    }
    lock.write_text(json.dumps(holder), encoding="utf-8")

    with pytest.raises(LockHeld, match="already being sent by a run on other-host"):
        send(issue, recipients, log)
    assert smtp_server.received == []

    old = time.time() - 3600  # not touched for an hour: that run has stopped
    os.utime(lock, (old, old))
    report = send(issue, recipients, log)

    assert report.sent == 5
    assert not lock.exists()


def test_a_lock_left_by_a_dead_process_on_this_machine_is_taken_over(
    issue, smtp_server, recipients, tmp_path
):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock = tmp_path / f"sent.sqlite3.{ISSUE}.lock"
    lock.write_text(
        json.dumps({"issue": ISSUE, "host": socket.gethostname(), "pid": dead.pid}),
        encoding="utf-8",
    )

    report = send(issue, recipients, tmp_path / "sent.sqlite3")

    assert report.sent == 5
    assert not lock.exists()


def test_a_sent_log_from_before_the_two_step_record_keeps_its_sent_rows(
    issue, smtp_server, recipients, tmp_path
):
    log = tmp_path / "sent.sqlite3"
    old = sqlite3.connect(log)
    old.execute(
        "CREATE TABLE sent (issue TEXT NOT NULL, address TEXT NOT NULL, segment TEXT NOT NULL, "
        "message_id TEXT NOT NULL, sent_at INTEGER NOT NULL, PRIMARY KEY (issue, address))"
    )
    old.execute("INSERT INTO sent VALUES (?, 'ken@example.test', 'light', '<x@y>', 0)", (ISSUE,))
    old.commit()
    old.close()

    report = send(issue, recipients, log)

    assert (report.sent, report.skipped) == (4, 1)
    assert "ken@example.test" not in smtp_server.messages()
