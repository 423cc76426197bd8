"""The practice exam's result by topic: a chart and the modules to review.

Drawn in the grading run from what the hidden graded cells recorded, so it appears in the
feedback a learner receives. In the learner's own notebook there are no keys, so it says
where the chart will appear instead.
"""

from __future__ import annotations

from . import texts
from .grading import RESULTS
from .items import load_module

WEAK_BELOW = 0.7  # a topic under 70 % gets a "review" line


def by_topic(module_id: str) -> dict[str, tuple[float, float]]:
    """(earned, possible) per topic, in the module's topic order."""
    module = load_module(module_id)
    totals: dict[str, list[float]] = {topic: [0.0, 0.0] for topic in module.topic_names}
    for item_id, (earned, possible) in RESULTS.get(module_id, {}).items():
        pair = totals.setdefault(module.items[item_id].topic, [0.0, 0.0])
        pair[0] += earned
        pair[1] += possible
    return {topic: (e, p) for topic, (e, p) in totals.items() if p}


def exam_chart(module_id: str) -> None:
    """Show the chart and the review list, or say when they will appear."""
    topics = by_topic(module_id)
    if not topics:
        print(texts.CHART_LATER)
        return
    module = load_module(module_id)
    names = [module.topic_names.get(t, t) for t in topics]
    shares = [100 * e / p for e, p in topics.values()]
    _draw(names, shares)
    for topic, (earned, possible) in topics.items():
        name = module.topic_names.get(topic, topic)
        line = texts.TOPIC_SCORE.format(topic=name, earned=earned, possible=possible)
        if earned / possible < WEAK_BELOW:
            slug = module.review_module.get(topic, "")
            line += " " + texts.TOPIC_REVIEW.format(number=int(slug[:2] or 0), slug=slug)
        print(line)


def _draw(names: list[str], shares: list[float]) -> None:
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    fig, ax = plt.subplots(figsize=(7, 0.45 * len(names) + 1))
    bars = ax.barh(names[::-1], shares[::-1], color="#3465a4")
    ax.bar_label(bars, labels=[f"{s:.0f}%" for s in shares[::-1]], padding=3)
    ax.axvline(100 * WEAK_BELOW, color="#555", linestyle="--", linewidth=1)
    ax.set_xlim(0, 110)
    ax.set_xlabel("Share of questions right (dashed line: 70%)")
    ax.set_title("Your practice exam by topic")
    fig.tight_layout()
    # A PNG, not the figure object: it shows the same with or without an inline backend,
    # in the notebook and in nbgrader's feedback page. The lines printed after it say the
    # same in words, for screen readers and plain viewers.
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=100)
    plt.close(fig)
    display(Image(data=png.getvalue(), format="png"))
