"""MAG_JAPANESE settings and their defaults."""

from mag_core import plugin_settings

DEFAULTS = {
    # Japanese readers take in about 400-600 characters a minute; 500 is the
    # figure most Japanese CMSs use.
    "chars_per_minute": 500,
    # Latin-script words mixed into the text (PoC, KPI, names) are counted apart.
    "words_per_minute": 200,
    # Longest generated summary, in characters.
    "summary_length": 120,
    # Characters that end a Japanese (or Latin) sentence.
    "sentence_ends": "。！？!?",
    # Cuts a single over-long sentence, with no space before it.
    "ellipsis": "…",
    # Keep $…$, $$…$$, \(…\) and \[…\] intact in <span class="math"> (see math.py);
    # summaries never show them either way.
    "math": True,
    # Long titles make long URLs; slugs keep whole words up to this length.
    "slug_max_length": 60,
    # The project's reading dictionary, a file under the content folder
    # ("word: reading" lines, see dictionary.py); missing is fine.
    "readings_file": "readings.txt",
    # More readings, in the settings file: {"古臭い": "furukusai", "C++": "cpp"}.
    # The file wins over these, these over the built-in symbol names (C++, C#, F#, .NET).
    "readings": {},
    # Slug for a title with nothing to romanise (emoji, symbols only).
    "fallback_slug_prefix": "post",
}


def read(settings):
    return plugin_settings(settings, "MAG_JAPANESE", DEFAULTS)
