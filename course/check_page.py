"""What Check my work shows: the results page, the table in the notebook, and terminal text.

Everything a learner wrote is escaped before it reaches a page. The page is a whole HTML file
that opens in any browser: no scripts, nothing fetched from elsewhere.
"""

from __future__ import annotations

import base64
import html
import json
import os
from datetime import datetime
from pathlib import Path

from . import check_texts as say
from .check_results import RESULTS_FILE, record
from .items import module_title
from .results import by_topic, chart_png, topic_lines
from .selfcheck import Missed, Outcome, Part

PAGE_FILE = "check-my-work.html"

_STYLE = """
body{font-family:system-ui,sans-serif;line-height:1.5;max-width:52rem;margin:1.5rem auto;padding:0 1rem;
color:#1b1b1b}
table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{border:1px solid #777;padding:.4rem .6rem;text-align:left;vertical-align:top}
caption{text-align:left;font-weight:bold;padding:.3rem 0}
a{color:#1a4f8b;text-decoration:underline}
.said{white-space:pre-wrap;background:#f4f4f4;padding:.6rem;border-left:4px solid #3465a4}
img{max-width:100%}
"""

# JupyterLab right-aligns table cells in outputs (with a rule more specific than a class);
# sentences read better from the left.
TABLE_STYLE = "<style>.cps-table th,.cps-table td{text-align:left!important;vertical-align:top}</style>"


def anchor(section: str) -> str:
    """The fragment JupyterLab gives a heading: its words joined by hyphens."""
    return "#" + "-".join(section.split())


def _points(part: Part) -> str:
    if part.earned is None:
        return say.NOT_SCORED
    return say.POINTS.format(earned=part.earned, possible=part.possible)


def results_table(parts: tuple[Part, ...] | list[Part]) -> str:
    """The table of points per question, for the page and for the notebook."""
    head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in say.PAGE_COLUMNS)
    rows = "".join(
        f'<tr><th scope="row">{html.escape(p.label)}</th><td>{html.escape(_points(p))}</td>'
        f"<td>{html.escape(p.advice)}</td></tr>"
        for p in parts
    )
    caption = html.escape(say.PAGE_TABLE_CAPTION)
    return (
        f'{TABLE_STYLE}<table class="cps-table"><caption>{caption}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


def missed_html(missed: list[Missed], notebook: str = "") -> str:
    """For each missed item: the best answer, why, and a link to the section to reread."""
    if not missed:
        return ""
    blocks = [f"<h2>{html.escape(say.PAGE_MISSED)}</h2>"]
    for one in missed:
        reread = html.escape(say.PAGE_REREAD.format(section=one.review))
        link = f'<a href="{html.escape(notebook + anchor(one.review))}">{reread}</a>' if one.review else ""
        why = f"<p>{html.escape(say.PAGE_WHY.format(why=one.why))}</p>" if one.why else ""
        blocks.append(
            f"<section><h3>{html.escape(one.label)}</h3>"
            f"<p>{html.escape(say.PAGE_BEST.format(best=one.best))}</p>{why}<p>{link}</p></section>"
        )
    return "".join(blocks)


def _total(outcome: Outcome) -> str:
    return say.CHECK_TOTAL.format(earned=outcome.earned, possible=outcome.possible)


def _said(text: str) -> str:
    """What the grading said, lines kept, in the page's own font."""
    return f'<div class="said">{html.escape(text)}</div>'


def _when(stamp: str) -> str:
    moment = datetime.fromisoformat(stamp)
    return f"{moment.day} {moment:%B %Y} at {moment:%H:%M}"


def _chart(outcome: Outcome) -> list[str]:
    """The practice exam's chart and the same in words; nothing for a module."""
    module = outcome.module
    topics = by_topic(module, list(outcome.marks)) if module.shuffle else {}
    if not topics:
        return []
    png = base64.b64encode(chart_png(module, topics)).decode("ascii")
    alt = html.escape(say.PAGE_CHART_ALT)
    return [
        f"<h2>{html.escape(say.PAGE_BY_TOPIC)}</h2>",
        f'<img alt="{alt}" src="data:image/png;base64,{png}">',
        _said("\n".join(topic_lines(module, topics))),
    ]


def all_missed(outcome: Outcome) -> list[Missed]:
    return [one for part in outcome.parts for one in part.missed]


def results_page(outcome: Outcome) -> str:
    """A whole HTML page a learner can open in any browser: no scripts, nothing fetched."""
    module = outcome.module
    title = html.escape(say.PAGE_TITLE.format(module=module_title(module)))
    body = [
        f"<h1>{title}</h1>",
        f"<p>{html.escape(say.PAGE_CHECKED.format(date=_when(outcome.checked)))}</p>",
        f"<p><strong>{html.escape(_total(outcome))}</strong></p>",
        f"<p>{html.escape(say.CHECK_SAFE)}</p>",
        results_table(outcome.parts),
        *_chart(outcome),
        missed_html(all_missed(outcome), f"{module.slug}.ipynb"),
        f"<h2>{html.escape(say.PAGE_EACH_QUESTION)}</h2>",
    ]
    for part in outcome.parts:
        heading = html.escape(f"{part.label}: {_points(part)}")
        body.append(f"<section><h3>{heading}</h3>{_said(part.feedback)}</section>")
    if outcome.answers_note:
        body.append(f"<h2>{html.escape(say.PAGE_ANSWERS_FILE)}</h2>{_said(outcome.answers_note)}")
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{_STYLE}</style></head><body><main>\n" + "\n".join(body) + "\n</main></body></html>\n"
    )


def _write(path: Path, text: str) -> None:
    """Write beside the target and rename over it: the progress notebook never reads half a file."""
    partial = path.with_name(f".{path.name}.tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def write_pages(outcome: Outcome, folder: Path) -> Path:
    """The results page and check-results.json beside the notebook; returns the page's path."""
    page = folder / PAGE_FILE
    _write(page, results_page(outcome))
    _write(folder / RESULTS_FILE, json.dumps(record(outcome), indent=1))
    return page


def outcome_html(outcome: Outcome) -> str:
    """What the notebook shows after a click: the total, the table, what to reread, the page."""
    if outcome.status != "checked":
        return f'<p role="status">{html.escape(outcome.message)}</p>'
    link = f'<a href="{PAGE_FILE}">{html.escape(say.CHECK_PAGE_LINK)}</a>'
    return (
        f'<div role="status"><p><strong>{html.escape(_total(outcome))}</strong></p></div>'
        f"{results_table(outcome.parts)}{missed_html(all_missed(outcome))}<p>{html.escape(say.CHECK_SAFE)}</p>"
        f"<p>{link}. {html.escape(say.CHECK_PAGE.format(page=PAGE_FILE))}</p>"
    )


def outcome_text(outcome: Outcome) -> str:
    """The same for a terminal."""
    if outcome.status != "checked":
        return outcome.message
    width = max(len(p.label) for p in outcome.parts)
    lines = [say.PAGE_TITLE.format(module=module_title(outcome.module)), _total(outcome), ""]
    lines += [f"  {p.label:<{width}}  {_points(p):<15}  {p.advice}" for p in outcome.parts]
    for one in all_missed(outcome):
        lines += ["", one.label, "  " + say.PAGE_BEST.format(best=one.best)]
        lines += ["  " + say.PAGE_WHY.format(why=one.why)] if one.why else []
    lines += ["", say.CHECK_SAFE, f"{say.CHECK_PAGE_LINK}: {outcome.page.as_uri()}"]
    return "\n".join(lines)
