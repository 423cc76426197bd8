"""What "Check my work" and "My progress" say to a learner, in one place.

Kept apart from ``texts.py`` (the answering and grading messages) but written the same way:
plain words, short sentences, never blaming, so the wording can be reviewed and translated
without reading the code that shows it.
"""

from __future__ import annotations

# --- Check my work: the button and its messages -------------------------------------------
CHECK_BUTTON = "Check my work"
CHECK_TOOLTIP = "Grade your graded questions now. Your answers are not changed."
CHECK_PLAIN = (
    "Check my work: this button shows in JupyterLab. In a terminal you can run: "
    "python -m course.selfcheck {slug}"
)
CHECK_RUNNING = "Checking your answers. Please wait…"
CHECK_WHILE_GRADING = "(The Check my work button does not run while your work is being graded.)"
CHECK_NO_SOLUTIONS = (
    "Your instructor grades this module. When you are done, use Submit in the Assignments tab. "
    "Your feedback comes back there."
)
CHECK_UNANSWERED = (
    "You have not answered any graded questions yet. Answer some, then check again. "
    "Your answers are saved as you click."
)
CHECK_UNKNOWN_FOLDER = (
    "We could not tell which module is in {where}. Give a module folder, or a module name "
    "such as 01-shared-lived-experience."
)
# {reason} is a short code (the kind of problem met) for whoever helps, labelled as such.
CHECK_FAILED = (
    "The check could not finish. Your answers are safe and were not changed. "
    "Please try again in a minute. If it happens again, tell your instructor this code: {reason}."
)
CHECK_TOTAL = "You earned {earned:g} of {possible:g} points on the questions this check can score."
CHECK_SAFE = "Your answers and your notebook were not changed. You can check again any time."
CHECK_PAGE = "Your full results are in {page}, in the same folder as this notebook."
CHECK_PAGE_LINK = "Open your full results"
# On the static site the page is kept in the browser; the learner saves a copy instead.
CHECK_PAGE_DOWNLOAD = "Download your full results"
CHECK_PAGE_DOWNLOAD_NOTE = "It saves them as a page you can open in any web browser."

# A row of the results table: what to do next about one question (or exam topic).
NEXT_WELL_DONE = "Well done."
NEXT_ANSWER = "Not answered yet. Answer it, then check again."
NEXT_REREAD = 'Reread "{section}".'
NEXT_REVIEW_MODULE = "Review Module {number}: {title}."
NEXT_REFLECTION = "Not scored by the check. Compare what you wrote with the list under your reflection."
POINTS = "{earned:g} of {possible:g}"
NOT_SCORED = "not scored here"

# The results page.
PAGE_TITLE = "Check my work: {module}"
PAGE_CHECKED = "Checked on {date}."
PAGE_TABLE_CAPTION = "Your points on each question"
PAGE_COLUMNS = ("Question", "Points", "What next")
PAGE_ANSWERS_FILE = "Your answers file"
PAGE_EACH_QUESTION = "Each question, with your answer"
PAGE_BY_TOPIC = "Your result by topic"
PAGE_CHART_ALT = "Bar chart of your practice exam result by topic. The same numbers are listed below it."
PAGE_MISSED = "Questions to look at again"
PAGE_BEST = "The best answer: {best}"
PAGE_WHY = "Why: {why}"
PAGE_REREAD = 'Reread "{section}" in the module.'

# --- My progress -----------------------------------------------------------------------
PROGRESS_EMPTY = (
    "You have not answered any questions yet. That is fine! Start with Module 0 (00-start-here). "
    "Your progress shows up here as you go."
)
PROGRESS_REFRESH = "To see your newest answers, run this cell again."
PROGRESS_TABLE_CAPTION = "Your progress in each module"
PROGRESS_COLUMNS = ("Module", "Questions answered", "Practice right the first time", "Graded score")
PROGRESS_COUNT = "{done} of {total}"
PROGRESS_PRACTICE = "{right} of {tried} tried"
PROGRESS_NO_PRACTICE = "no practice questions"
PROGRESS_NONE_TRIED = "none tried yet"
PROGRESS_NOT_CHECKED = "not checked yet"
PROGRESS_SCORE = "{earned:g} of {possible:g} ({share:.0f}%), checked {date}"
PROGRESS_CHART_TITLES = (
    "Questions answered",
    "Practice questions right the first time",
    "Graded score (from Check my work)",
)
PROGRESS_CHART_AXIS = "Share of the module (%)"
PROGRESS_CHART_ALT = (
    "Three bar charts, one bar per module: questions answered, practice questions right the "
    "first time, and graded score. The same numbers are in the table above."
)
PROGRESS_REVIEW_HEADING = "Topics worth another look"
PROGRESS_REVIEW_CAPTION = "Topics to review, and the module to open"
PROGRESS_REVIEW_COLUMNS = ("Topic", "Module to open", "Why")
PROGRESS_NOTHING_TO_REVIEW = "Nothing to review right now. Keep going!"
REVIEW_PRACTICE = "{label} was not right the first time."
REVIEW_GRADED = '{label} was not right. Reread "{section}".'
REVIEW_EXAM_TOPIC = "Practice exam: {earned:g} of {possible:g} right on this topic."
COMPETENCY_HEADING = "The exam's 17 competencies"
COMPETENCY_INTRO = (
    "California's Medi-Cal Peer Support Specialist exam is built on 17 core competencies. "
    "Here is where the course teaches each one, and how far you have come in it."
)
COMPETENCY_CAPTION = "Each competency, the modules that teach it, and your answers"
COMPETENCY_COLUMNS = ("Competency", "Taught in", "Questions answered", "Practice right the first time")
COMPETENCY_NAME = "{number}. {name}"

# --- The feedback page (nbgrader generate_feedback) --------------------------------------
FEEDBACK_TITLE = "Your feedback: {module}"
FEEDBACK_SCORE = "Your score: {score:g} of {max_score:g} points."
FEEDBACK_LATE = "{penalty:g} point(s) were taken off because the work came in after the due date."
FEEDBACK_INTRO = (
    "Here is each graded part, with your answer, your points and why. Where your instructor "
    "wrote a comment, it is under your answer."
)
FEEDBACK_NOT_GRADED = "not graded yet"
FEEDBACK_EACH = "Each graded question"
FEEDBACK_YOU_WROTE = "What you wrote:"
FEEDBACK_COMMENT = "Your instructor's comment:"
FEEDBACK_BY_AREA = "Your result by area"
FEEDBACK_ALL_ANSWERS = "All your answers"
FEEDBACK_SHOW_ANSWERS = "Show every question with your answer"
FEEDBACK_CARE = (
    "Some topics can bring up hard feelings. Take a break when you need one. In the US you can "
    "call or text 988 (Suicide & Crisis Lifeline) any time."
)
