"""A generated Japanese magazine corpus for the benchmarks (seeded, so runs compare)."""

from __future__ import annotations

import random
from pathlib import Path

SUBJECTS = [
    "新規事業チーム",
    "事業開発部",
    "審査員",
    "応募者",
    "現場のメンバー",
    "人事部",
    "経営陣",
    "若手社員",
]
OBJECTS = [
    "顧客の課題",
    "PoCの結果",
    "KPIの設計",
    "社内ベンチャー制度",
    "働き方",
    "オープンイノベーション",
    "共創の仕組み",
    "事業計画",
    "市場調査",
    "MVP",
]
VERBS = [
    "を見直しました",
    "について議論しました",
    "を丁寧に検証しています",
    "に取り組んできました",
    "を全社に共有しました",
    "から多くを学びました",
]
OPENERS = [
    "この半年で、",
    "最初の段階では、",
    "審査を通じて、",
    "現場の声を受けて、",
    "一方で、",
    "",
]
CATEGORIES = ["新規事業", "働き方", "イベント", "ハウツー", "インタビュー"]
TAGS = ["対談", "動画", "PoC", "DX", "キャリア", "制度", "レポート", "コンテスト"]


def sentence(rng: random.Random) -> str:
    return (
        f"{rng.choice(OPENERS)}{rng.choice(SUBJECTS)}は{rng.choice(OBJECTS)}{rng.choice(VERBS)}。"
    )


def paragraph(rng: random.Random) -> str:
    return "".join(sentence(rng) for _ in range(rng.randint(3, 6)))


def write_corpus(folder: Path, articles: int, seed: int = 2026) -> Path:
    """``articles`` Markdown files of several paragraphs each under ``folder/articles``."""
    rng = random.Random(seed)  # noqa: S311 - reproducible text, not secrets
    target = folder / "articles"
    target.mkdir(parents=True, exist_ok=True)
    for number in range(articles):
        title = f"{rng.choice(OBJECTS)}を考える 第{number + 1}回"
        day = number % 28 + 1
        month = number // 28 % 12 + 1
        body = "\n\n".join(
            f"## {rng.choice(OBJECTS)}\n\n{paragraph(rng)}\n\n{paragraph(rng)}" for _ in range(3)
        )
        front = [
            f"Title: {title}",
            f"Date: 2026-{month:02d}-{day:02d} {number % 24:02d}:{number % 60:02d}",
            f"Category: {rng.choice(CATEGORIES)}",
            f"Tags: {', '.join(rng.sample(TAGS, 2))}",
            "Author: 広報部",
        ]
        (target / f"article-{number:05d}.md").write_text(
            "\n".join(front) + "\n\n" + body + "\n", encoding="utf-8"
        )
    return folder
