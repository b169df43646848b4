"""Development settings: `invoke build`, `invoke livereload` and `make site` use these."""

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent

AUTHOR = "広報部"
SITENAME = "みらいマガジン"
SITESUBTITLE = "みらいホールディングスの社内Webマガジン"
SITEURL = ""
RELATIVE_URLS = True

PATH = "content"
ARTICLE_PATHS = ["articles"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images", "media", "illustrations"]
THEME = "theme"

TIMEZONE = "Asia/Tokyo"
DEFAULT_LANG = "ja"
DEFAULT_DATE_FORMAT = "%Y年%-m月%-d日"
DEFAULT_PAGINATION = 12

# Folder-style URLs: a transcript or illustrated variant lives under its article.
ARTICLE_URL = "{date:%Y}/{slug}/"
ARTICLE_SAVE_AS = "{date:%Y}/{slug}/index.html"
PAGE_URL = "pages/{slug}/"
PAGE_SAVE_AS = "pages/{slug}/index.html"
CATEGORY_URL = "category/{slug}/"
CATEGORY_SAVE_AS = "category/{slug}/index.html"
TAG_URL = "tag/{slug}/"
TAG_SAVE_AS = "tag/{slug}/index.html"
AUTHOR_URL = "author/{slug}/"
AUTHOR_SAVE_AS = "author/{slug}/index.html"
CATEGORIES_SAVE_AS = "category/index.html"
TAGS_SAVE_AS = "tag/index.html"
AUTHORS_SAVE_AS = "author/index.html"
ARCHIVES_SAVE_AS = "archives/index.html"
SEARCH_SAVE_AS = "search/index.html"
DIRECT_TEMPLATES = ["index", "categories", "tags", "authors", "archives", "search"]
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

# Feeds need absolute links; while previewing they point at the preview server.
FEED_DOMAIN = "http://localhost:8000"
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/category/{slug}.atom.xml"
FEED_ALL_RSS = None
CATEGORY_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

PLUGIN_PATHS = [str(HERE / "plugins")]
PLUGINS = [
    "mag_core",
    "mag_status",
    "mag_japanese",
    "mag_series",
    "mag_transcript",
    "mag_search",
    "mag_video",
    "mag_illustrated",
    "mag_goals",
    "mag_beacon",
    "mag_newsletter",
    "mag_assets",
    "pelican.plugins.sitemap",
    "pelican.plugins.neighbors",
]

SITEMAP = {"format": "xml"}

MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.toc": {"permalink": False},
        "markdown.extensions.meta": {},
    },
    "output_format": "html5",
}

# Drafts (`Status: draft`) are written to drafts/ for editors to preview, marked
# as drafts and in no list, feed, sitemap or search; publishconf leaves them out.
MAG_STATUS = {"write_drafts": True}

# Content warnings stay warnings while editing; publishconf makes them errors.
MAG_STRICT = False

# Reader segments used by `Audience:` (ids shared with the analytics and newsletter).
MAG_AUDIENCES = {
    "busy": "忙しいけれど関心がある人",
    "light": "関心はあるが深くは関わっていない人",
    "core": "すでに深く関わっている人",
}

# Goals the magazine exists for (mag_goals): what readers do after reading. An article names
# one with `Goal: contest-apply`; its links to the goal are marked as its call-to-action, and
# the beacon reports each reader who reaches one. See docs/editors/goals.md.
MAG_GOALS = [
    {
        "id": "contest-apply",
        "label": "新規事業コンテストに応募",
        "link": "https://forms.intra.example.co.jp/contest/*",
    },
    {"id": "briefing-signup", "label": "説明会に申し込み", "button": True},
]

# Everything a template prints is escaped unless marked safe: titles, tags and
# captions are editors' text, and must never run as markup. HTML that plugins
# or Markdown made is printed with `| safe`.
JINJA_ENVIRONMENT = {
    "trim_blocks": True,
    "lstrip_blocks": True,
    "extensions": [],
    "autoescape": True,
}

# The media cache (encoded videos, posters, images): cache/ beside content/, or
# $MAG_CACHE_DIR, which CI points at a folder it keeps between runs.
MAG_CACHE_PATH = os.environ.get("MAG_CACHE_DIR", "")

CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
