"""The series generator: one page per series, and the series list in the context."""

from __future__ import annotations

from pelican.generators import Generator

from mag_core import plugin_settings

from .series import collect_series

DEFAULTS = {
    # A series page's URL and file; {slug} is the romaji of its Series: name.
    "url": "series/{slug}/",
    "save_as": "series/{slug}/index.html",
    # The theme template the page is written with (theme/templates/series.html).
    "template": "series",
}


class SeriesGenerator(Generator):
    def generate_context(self) -> None:
        self.config = plugin_settings(self.settings, "MAG_SERIES", DEFAULTS)
        articles = self.context.get("articles", [])
        self.series_list = collect_series(
            articles, self.config["url"], self.config["save_as"], self.settings
        )
        self._update_context(("series_list",))

    def generate_output(self, writer) -> None:
        template = self.get_template(self.config["template"])
        for series in self.series_list:
            writer.write_file(
                series.save_as,
                template,
                self.context,
                series=series,
                articles=series.articles,
                page_name=series.url.rstrip("/"),
                url=series.url,
                relative_urls=self.settings["RELATIVE_URLS"],
            )
