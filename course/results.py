"""The practice exam's result by topic: a chart, the same numbers in words, and what to review.

The chart is an image drawn by matplotlib, or bars in HTML where there is none (the static site
in a browser, :mod:`course.bars`).

Made from marks (:mod:`course.grading`): by the autograder for the feedback a learner gets
back, by Check my work for its page, and by the solutions notebook run by hand. In the
learner's own notebook there are no keys, so the chart cell says where the chart will appear.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from . import texts
from .bars import Bar, bars_html, can_draw
from .grading import RESULTS, Mark
from .items import Module, load_module

if TYPE_CHECKING:
    from markupsafe import Markup

WEAK_BELOW = 0.7  # a topic under 70 % gets a "review" line


def by_topic(module: Module, marks: list[Mark]) -> dict[str, tuple[float, float]]:
    """(earned, possible) per topic, in the module's topic order; topics with no marks left out."""
    totals: dict[str, list[float]] = {topic: [0.0, 0.0] for topic in module.topic_names}
    for found in marks:
        pair = totals.setdefault(found.topic, [0.0, 0.0])
        pair[0] += found.earned
        pair[1] += found.possible
    return {topic: (e, p) for topic, (e, p) in totals.items() if p}


def topic_lines(module: Module, topics: dict[str, tuple[float, float]]) -> list[str]:
    """One line per topic, with a "worth a review" pointer under 70 %: the chart in words."""
    lines = []
    for topic, (earned, possible) in topics.items():
        name = module.topic_names.get(topic, topic)
        line = texts.TOPIC_SCORE.format(topic=name, earned=earned, possible=possible)
        slugs = module.review_module.get(topic, ())
        if earned / possible < WEAK_BELOW and slugs:
            named = [texts.TOPIC_REVIEW_MODULE.format(number=int(slug[:2]), slug=slug) for slug in slugs]
            line += " " + texts.TOPIC_REVIEW.format(modules=", ".join(named))
        lines.append(line)
    return lines


def topic_bars(module: Module, topics: dict[str, tuple[float, float]]) -> Markup:
    """The chart as bars in HTML, where matplotlib cannot draw it (the static site)."""
    bars = [
        Bar(module.topic_names.get(t, t), 100 * e / p, f"{100 * e / p:.0f}%") for t, (e, p) in topics.items()
    ]
    return bars_html(texts.TOPIC_CHART_TITLE, bars)


def chart_png(module: Module, topics: dict[str, tuple[float, float]]) -> bytes:
    """The bar chart as PNG bytes: it shows the same in a notebook, a feedback page or a file.

    The lines from :func:`topic_lines` say the same in words, for screen readers and plain viewers.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [module.topic_names.get(t, t) for t in topics]
    shares = [100 * e / p for e, p in topics.values()]
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(names) + 1))
    bars = ax.barh(names[::-1], shares[::-1], color="#3465a4")
    ax.bar_label(bars, labels=[f"{s:.0f}%" for s in shares[::-1]], padding=3)
    ax.axvline(100 * WEAK_BELOW, color="#555", linestyle="--", linewidth=1)
    ax.set_xlim(0, 110)
    ax.set_xlabel("Share of questions right (dashed line: 70%)")
    ax.set_title(texts.TOPIC_CHART_TITLE)
    fig.tight_layout()
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=100)
    plt.close(fig)
    return png.getvalue()


def exam_chart(module_id: str) -> None:
    """The chart cell in a notebook: drawn when this kernel graded the exam, else a note."""
    module = load_module(module_id)
    topics = by_topic(module, RESULTS.get(module_id, []))
    if not topics:
        print(texts.CHART_LATER)
        return
    from IPython.display import HTML, Image, display

    if can_draw():
        display(Image(data=chart_png(module, topics), format="png"))
    else:
        from .pages import render

        display(HTML(render("in-notebook.html.j2", content=topic_bars(module, topics))))
    print("\n".join(topic_lines(module, topics)))
