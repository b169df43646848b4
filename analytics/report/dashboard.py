"""The dashboard: one self-contained HTML file (inline CSS and SVG, no script, nothing fetched)."""

from __future__ import annotations

from collections import Counter
from html import escape

from mag_core.formats import FORMAT_LABELS, FORMAT_ORDER

from . import charts, goals_dashboard
from .compute import Report
from .segments import FEATURE_LABELS, is_share, rules_text_ja

TOP = 20  # articles in the charts (the tables and CSV files have them all)
_CSS = """
body{font-family:system-ui,"Noto Sans CJK JP",sans-serif;margin:0 auto;max-width:72rem;
padding:1rem 1.5rem;color:#222;line-height:1.6}
h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:2px solid #2f6f9f}
.figures{display:flex;flex-wrap:wrap;gap:1rem;padding:0;list-style:none}
.figures li{background:#f1f5f9;padding:.6rem 1rem;border-radius:.4rem}
.figures b{display:block;font-size:1.4rem}
figure{margin:1.5rem 0}svg{max-width:100%;height:auto}
table{border-collapse:collapse;font-size:.85rem;margin:1rem 0;display:block;overflow-x:auto}
th,td{border-bottom:1px solid #ddd;padding:.25rem .5rem;text-align:right;white-space:nowrap}
th:first-child,td:first-child,.text{text-align:left;white-space:normal}
.yes{color:#1f7a1f}.no{color:#b3261e}.note{color:#555;font-size:.9rem}
table.segments{display:table;width:100%;table-layout:fixed}
table.segments th,table.segments td{white-space:normal;overflow-wrap:anywhere}
table.segments th:first-child{width:34%}
.rules{padding-left:1.4rem}
"""


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def num(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def table(header: list[str], rows: list[list[str]], caption: str = "", css: str = "") -> str:
    """Cells arrive as text and are escaped here, once."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in r) + "</tr>" for r in rows
    )
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    kind = f' class="{escape(css)}"' if css else ""
    return f"<table{kind}>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def figure(svg: str, caption: str) -> str:
    return f'<figure class="chart">{svg}<figcaption>{escape(caption)}</figcaption></figure>'


def render(report: Report, csv_files: list[str]) -> str:
    return page(sections(report), csv_files)


def sections(report: Report) -> list[str]:
    """Everything but the list of CSV files: the charts, drawn while those are written."""
    return [
        _summary(report),
        _time_charts(report),
        _articles(report),
        _segments(report),
        _audience(report),
        _departments(report),
        goals_dashboard.render(report.goals),
        _archive(report),
    ]


def page(parts: list[str], csv_files: list[str]) -> str:
    """The dashboard's HTML: the ``sections`` and a link to each CSV file."""
    files = "".join(f'<li><a href="{escape(n)}">{escape(n)}</a></li>' for n in csv_files)
    return (
        '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>読者レポート</title><style>{_CSS}</style></head><body>"
        + "".join(parts)
        + f"<h2>CSV</h2><ul>{files}</ul>"
        + "</body></html>"
    )


def _summary(report: Report) -> str:
    first, last = report.period
    period = f"{first} 〜 {last}" if first else "イベントなし"
    figures = [
        ("期間", period),
        ("ページビュー", num(report.views)),
        ("読者", num(report.readers)),
        ("記事", num(len(report.articles))),
    ]
    if report.headcount:
        figures.append(("閲覧率（読者÷対象人数）", pct(report.readers / report.headcount)))
    if report.usage.previews:
        figures.append(("プレビュー再生（動画の再生とは別）", num(report.usage.previews)))
    items = "".join(f"<li>{escape(k)}<b>{escape(v)}</b></li>" for k, v in figures)
    notes = ""
    if report.headcount and report.readers > report.headcount:
        notes += (
            f'<p class="note">読者数 {num(report.readers)} が対象人数 {num(report.headcount)} を'
            "超えています。読者 ID の水増し（ボットなど）か、対象人数の誤りの可能性があります。</p>"
        )
    if report.unknown_reading:
        notes += (
            f'<p class="note">読了率を判定できない記事が {len(report.unknown_reading)} 本あります'
            "（サイトに読了時間が見つかりません。--site で公開中のサイトを指定してください）。</p>"
        )
    if report.data_notes:
        kinds = "".join(f"<li><code>{escape(line)}</code></li>" for line in report.data_notes)
        notes += (
            '<p class="note">データベースの行のうち、イベントの形式に合わないもの・期間外の日時・'
            "ほかのサイトのものは数えていません：</p>"
            f'<ul class="note">{kinds}</ul>'
        )
    return f"<h1>読者レポート</h1><ul class='figures'>{items}</ul>{notes}"


def _time_charts(report: Report) -> str:
    usage = report.usage
    days = Counter()
    for (day, _article), count in usage.daily.items():
        days[day] += count
    ordered = sorted(days)
    daily = charts.bars(
        [d.strftime("%m/%d") for d in ordered], [days[d] for d in ordered], "日別ページビュー"
    )
    hourly = charts.bars(
        [f"{h}時" for h in range(24)],
        [usage.hourly[h] for h in range(24)],
        "時間帯別ページビュー（時）",
    )
    return (
        "<h2>日別・時間帯別</h2>"
        + figure(daily, f"日ごとのページビュー（{report.config['timezone']}）")
        + figure(hourly, "時刻ごとのページビュー（期間の合計）")
    )


def _label(article) -> str:
    return article.title or article.article


def _read_rule(config: dict) -> str:
    """How 読了 is judged, with the thresholds of the settings."""
    return (
        f"読了率：本文ページで最深スクロール{config['read_scroll']:g}%以上かつ閲読時間が"
        f"読了時間以上の読者の割合（読了時間のないページは閲読{config['min_engaged_s']:g}秒以上）"
    )


def _articles(report: Report) -> str:
    top = report.articles[:TOP]
    read = charts.bars(
        [_label(a) for a in top],
        [a.read_rate or 0 for a in top],
        "読了率（読者の多い記事）",
        horizontal=True,
        percent=True,
    )
    mix = {
        FORMAT_LABELS[fmt]: [a.mix[fmt] / max(1, sum(a.mix.values())) for a in top]
        for fmt in FORMAT_ORDER
    }
    mixed = charts.stacked([_label(a) for a in top], mix, "形式の内訳（読者数の割合）")
    header = [
        "記事",
        "想定読者",
        "読了時間",
        "読者",
        "閲覧率",
        "読了率",
        "平均閲読秒",
        "動画視聴率",
        "動画完了率",
        "ショート視聴率",
        "メルマガ経由",
    ]
    rows = [
        [
            _label(a),
            " ".join(a.audience),
            num(a.minutes) + "分" if a.minutes else "—",
            num(a.readers),
            pct(a.view_rate),
            pct(a.read_rate),
            num(a.avg_engaged_s),
            pct(a.play_rate("video")),
            pct(a.completion("video")),
            pct(a.play_rate("short")),
            num(a.newsletter_views),
        ]
        for a in report.articles
    ]
    return (
        "<h2>記事ごと</h2>"
        + figure(read, _read_rule(report.config))
        + figure(mixed, "各形式で記事に触れた読者の割合")
        + table(header, rows)
    )


# The features the segment table shows: what tells the segments apart at a glance.
SEGMENT_FEATURES = (
    "pageviews",
    "active_days",
    "engaged_per_view_s",
    "read_through",
    "skim_share",
    "share_illustrated",
    "video_completion",
    "newsletter_share",
)


def _segments(report: Report) -> str:
    sizes = Counter(segment or "(none)" for segment in report.segments.values())
    names = [*report.order, *sorted(set(sizes) - set(report.order))]
    sized = charts.bars(names, [sizes[n] for n in names], "セグメント別の読者数")
    finish = {
        FORMAT_LABELS[fmt]: [_rate(report, segment, fmt) for segment in report.order]
        for fmt in FORMAT_ORDER
    }
    finished = charts.grouped(report.order, finish, "セグメント別・形式別の完了率")
    rules = rules_text_ja(report.config["segment_rules"])
    rule_list = "".join(
        f"<li><b>{escape(name)}</b>（{num(sizes[name])}人）："
        f"{escape(rules.get(name, 'どのルールにも該当しない'))}</li>"
        for name in names
    )
    # Features as rows, segments as columns: a handful of narrow columns fits a phone.
    rows = [
        [FEATURE_LABELS[f], *(_feature(report.profiles.get(n, {}).get(f), f) for n in names)]
        for f in SEGMENT_FEATURES
    ]
    return (
        "<h2>読者セグメント</h2>"
        "<p>上から順にルールを判定し、最初に当てはまったセグメントになります。</p>"
        f"<ol class='rules'>{rule_list}</ol>"
        + table(["平均的な行動", *names], rows, "セグメントごとの平均", css="segments")
        + figure(sized, "セグメントごとの読者数")
        + figure(finished, "読み終えた・見終えた割合（記事×形式の単位）")
    )


def _rate(report: Report, segment: str, fmt: str) -> float:
    for result in report.formats:
        if result.segment == segment and result.format == fmt:
            return result.rate or 0.0
    return 0.0


def _feature(value: float | None, name: str) -> str:
    if value is None:
        return "—"
    return pct(value) if is_share(name) else num(value, 1)


def _audience(report: Report) -> str:
    intended = [r for r in report.reach if r.intended]
    if not intended:
        return "<h2>想定読者への到達</h2><p>Audience: のある記事がありません。</p>"
    threshold = report.config["audience_reach"]
    labels = [f"{r.title or r.article} → {r.segment}" for r in intended[:TOP]]
    chart = charts.bars(
        labels,
        [r.reach or 0 for r in intended[:TOP]],
        "想定読者セグメントへの到達率",
        horizontal=True,
        percent=True,
        line=threshold,
    )
    rows = [
        [
            r.title or r.article,
            r.segment,
            f"{r.readers} / {r.size}",
            pct(r.reach),
            num(r.lift, 2),
            "到達" if r.reached else "未到達",
        ]
        for r in intended
    ]
    return (
        "<h2>想定読者への到達</h2>"
        + figure(chart, f"点線：到達とみなす割合（セグメントの {pct(threshold)}）")
        + table(
            ["記事", "想定セグメント", "読者 / セグメント人数", "到達率", "リフト", "判定"], rows
        )
    )


def _departments(report: Report) -> str:
    result = report.departments
    if result is None:
        return ""
    rows = [
        [
            d.name,
            num(d.readers),
            pct(d.read_rate),
            num(d.avg_engaged_s),
            *(pct(d.segments[s] / d.readers) for s in report.order),
        ]
        for d in result.shown
    ]
    hidden = "、".join(result.suppressed) or "なし"
    return (
        "<h2>部署別</h2>"
        + table(["部署", "読者", "読了率", "平均閲読秒", *report.order], rows)
        + f"<p class='note'>{result.min_group}人未満の部署（と、その人数を引き算で"
        f"割り出せないように隠した部署）は表示していません：{escape(hidden)}。"
        f"名簿にない読者：{result.unlisted}人。</p>"
    )


def _archive(report: Report) -> str:
    """Days past the retention window: sums per article and segment (延べ読者, not 読者)."""
    archive = report.archive
    if archive is None:
        return ""
    header = ["", "ページビュー", "延べ読者（日ごと）", "平均閲読秒", "読了率（日ごと）"]
    header += ["動画再生", "動画完了", "ショート再生", "ショート完了", "メルマガ経由"]

    def row(name: str, sums) -> list[str]:
        per_day = sums["engaged_ms"] / sums["readers"] / 1000 if sums["readers"] else None
        figures = [sums[k] for k in ("plays_video", "done_video", "plays_short", "done_short")]
        return [
            name,
            num(sums["pageviews"]),
            num(sums["readers"]),
            num(per_day, 1),
            pct(archive.rate(sums)),
            *map(num, figures),
            num(sums["newsletter"]),
        ]

    return (
        "<h2>保存期間を過ぎた日（日次集計）</h2>"
        f'<p class="note">{escape(archive.days[0])}〜{escape(archive.days[-1])} の'
        f"{len(archive.days)}日は、個々の閲覧記録を削除し、日ごとの集計だけを残しています。"
        "読者数は日ごとに数えた延べ人数で、同じ人を二日数えると二人になります。"
        "読者セグメントは、その日の閲覧だけから判定したものです。</p>"
        + table(header, [row(a, sums) for a, sums in archive.articles.items()], "記事ごと")
        + table(header, [row(s, sums) for s, sums in archive.segments.items()], "セグメントごと")
    )
