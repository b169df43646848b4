"""The dashboard's sections 「ゴール」 and 「おすすめ順の効果」 (docs/report/goals.md).

Every cell goes through dashboard.table, which escapes it once: goal labels come
from the settings, campaign names from readers' links, and neither is markup.
"""

from __future__ import annotations

from html import escape

from . import dashboard as base
from .for_you import ANY_GOAL, verdict
from .goals import TABLES, GoalReport, GoalResult
from .proportions import Difference

_HEADER = ["読者", "到達した読者", "到達率", "ゴールイベント"]
# The first column of each table of goals.TABLES.
_GROUP = {
    "segment": "セグメント",
    "last_touch": "形式",
    "first_touch": "形式",
    "any_touch": "形式",
    "campaign": "キャンペーン（utm_campaign）",
    "series": "シリーズ",
    "article": "記事",
}


def render(goals: GoalReport | None) -> str:
    """Both sections, or nothing when the settings name no goal."""
    if goals is None:
        return ""
    parts = [
        "<h2>ゴール</h2>",
        "<p>ゴールに到達した読者と、その前に見ていた形式・メルマガ・シリーズ・記事です。"
        f"{goals.min_group}人未満のグループ（と、その人数を引き算で割り出せないように隠した"
        "グループ）は表示していません。</p>",
        _overview(goals),
        *(_goal(result, goals.min_group) for result in goals.goals),
    ]
    if goals.unknown:
        names = "、".join(f"{name}（{count}件）" for name, count in goals.unknown.items())
        parts.append(
            f"<p class='note'>設定にないゴールのイベントは数えていません：{escape(names)}</p>"
        )
    parts.append(_for_you(goals))
    return "".join(parts)


def _overview(goals: GoalReport) -> str:
    rows = [
        [
            result.label,
            base.num(result.readers),
            base.num(result.converted),
            base.pct(result.rate),
            base.num(result.events),
            _seconds(result.time.median_s),
        ]
        for result in goals.goals
    ]
    return base.table(["ゴール", *_HEADER, "到達までの時間（中央値）"], rows, "ゴールごとの到達")


def _goal(result: GoalResult, min_group: int) -> str:
    timing = result.time
    if timing.median_s is None:
        time_text = f"到達した読者が{min_group}人未満のため表示していません"
    else:
        time_text = (
            f"中央値 {_seconds(timing.median_s)}（第1四分位 {_seconds(timing.q1_s)}、"
            f"第3四分位 {_seconds(timing.q3_s)}、{timing.readers}人）"
        )
    notes = [f"最初のページビューからゴールまで：{time_text}"]
    if result.no_touch:
        notes.append(f"記事を見る前に到達した読者：{result.no_touch}人")
    if result.outside:
        notes.append(f"期間内にページビューがなく数えていない到達者：{result.outside}人")
    tables = "".join(
        _group_table(result, name, heading) for name, (_, heading, _) in TABLES.items()
    )
    items = "".join(f"<li>{escape(note)}</li>" for note in notes)
    heading = f"<h3>{escape(result.label)}（{escape(result.id)}）</h3>"
    return f"{heading}<ul class='note'>{items}</ul>{tables}"


def _group_table(result: GoalResult, name: str, heading: str) -> str:
    table = result.tables[name]
    rows = [
        [g.label, base.num(g.readers), base.num(g.converted), base.pct(g.rate), base.num(g.events)]
        for g in table.shown
    ]
    hidden = ""
    if table.suppressed:
        hidden = (
            f"<p class='note'>表示していないグループ：{escape('、'.join(table.suppressed))}</p>"
        )
    if not rows and not hidden:
        return ""
    return base.table([_GROUP[name], *_HEADER], rows, heading) + hidden


def _for_you(goals: GoalReport) -> str:
    result = goals.for_you
    intro = (
        f"<p>読者 ID から選んだ約{result.holdout_percent}%の読者（ホールドアウト）には、"
        "いつもの順番のまま表示しています。おすすめ順の読者との差（おすすめ順 − ホールドアウト）"
        "と、その95%信頼区間（Newcombe のハイブリッド・スコア法）です。区間が 0 をまたぐときは"
        "「差があるとは言えない」と判定します。</p>"
    )
    if not result.enabled:
        intro += "<p class='note'>設定でおすすめ順が無効になっています（MAG_FOR_YOU）。</p>"
    labels = {g.id: f"到達率：{g.label}" for g in goals.goals}
    labels[ANY_GOAL] = "到達率：いずれかのゴール"
    rows = [
        _comparison("読了率", result.personalised.read_rate, result.holdout.read_rate, result.read)
    ]
    rows += [
        _comparison(
            labels[goal], result.personalised.rate(goal), result.holdout.rate(goal), difference
        )
        for goal, difference in result.goals.items()
    ]
    sizes = (
        f"<p class='note'>おすすめ順 {result.personalised.readers}人（判定できた記事の利用 "
        f"{result.personalised.judged}件）、ホールドアウト {result.holdout.readers}人"
        f"（同 {result.holdout.judged}件）。</p>"
    )
    header = ["指標", "おすすめ順", "ホールドアウト", "差", "95%信頼区間", "判定"]
    return "<h2>おすすめ順の効果</h2>" + intro + base.table(header, rows) + sizes


def _comparison(
    label: str, mine: float | None, kept: float | None, result: Difference | None
) -> list[str]:
    if result is None:
        return [label, base.pct(mine), base.pct(kept), "—", "—", verdict(result)]
    interval = f"{_points(result.low)} 〜 {_points(result.high)}"
    return [
        label,
        base.pct(mine),
        base.pct(kept),
        _points(result.estimate),
        interval,
        verdict(result),
    ]


def _points(value: float) -> str:
    """A difference of rates in percentage points, with its sign."""
    return f"{value * 100:+.1f}pt"


def _seconds(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 120:
        return f"{value:.0f}秒"
    if value < 2 * 3600:
        return f"{value / 60:.1f}分"
    if value < 2 * 86400:
        return f"{value / 3600:.1f}時間"
    return f"{value / 86400:.1f}日"
