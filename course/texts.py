"""Everything the course says to a learner about their answers, in one place.

Kept together so the wording can be reviewed for tone (kind, plain, never blaming) and
translated without reading the code that shows it.
"""

from __future__ import annotations

NOT_ANSWERED = "Not answered yet."
SAVED = "Saved: {letter}. {text}"
SAVED_NOTE = "Your answer is saved. It is graded after you submit."
SAVED_UNKNOWN = "The saved answer {value!r} is not one of the choices. Please choose again."
RIGHT = "Right."
NOT_QUITE = "Not quite."
REFLECTION_SAVED = "Saved ({words} words). Your instructor reads this after you submit."
REFLECTION_EMPTY = "Nothing written yet. Your words are saved as you type."
SORT_PROGRESS = "{done} of {total} sorted."
PRACTICE_WHILE_GRADING = "{label} ({item_id}), not graded: {saved}"
GRADING_READ_ONLY = "Answers are not changed while your work is being graded."
# The reflection as an instructor reads it in formgrader, above the rubric.
GRADER_REFLECTION = "What the learner wrote ({words} words):"
GRADER_REFLECTION_EMPTY = "The learner wrote nothing here."

TYPE_A_LETTER = (
    'Type the letter of your choice, for example: answer({item_id!r}, "b"). The choices are {letters}.'
)
TYPE_SOME_TEXT = 'Type a few sentences between quotes, for example: answer({item_id!r}, "I think …").'
TYPE_A_SORT = 'Give each task a group, for example: answer({item_id!r}, {{"t1": "{bin}"}}).'

STATUS_WHERE = "Your answers for this module are saved in answers.json, in the same folder as this notebook."
# The same on the static site, where the module's folder is in the web browser's own storage.
STATUS_WHERE_BROWSER = (
    "Your answers for this module are saved in this web browser. To keep a copy, download them "
    "from the course home page."
)
STATUS_NOT_KEPT_BROWSER = (
    "This web browser is not keeping your answers: they are lost when you leave this page. "
    "This happens in a private window, or when the course is not opened from its usual web "
    "address. Open it from that address in a normal window."
)
STATUS_COUNT = "You have answered {answered} of {total} questions so far."
STATUS_GRADING = "Grading the answers saved in answers.json ({answered} of {total} answered)."
STATUS_PROBLEM = "We found a problem with your answers file: {problem}"
STATUS_ASK_FOR_HELP = (
    "New answers cannot be saved until this is fixed. Please ask your instructor or helper."
)
STATUS_KEPT = (
    "Nothing else is lost: we kept the {kept} answer(s) we could read. A copy of the old file "
    "is kept as answers.damaged-(date).json the next time an answer is saved."
)

# A save that failed: said right under the question, so no one believes a lost answer is kept.
SAVE_FAILED = (
    "Your answer was NOT saved: {reason}. Your earlier answers are safe. Tell your instructor or helper."
)
SAVE_DISK_FULL = "the disk is full"
SAVE_NOT_WRITABLE = "this folder cannot be written"
SAVE_BUSY = "your answers file was busy for too long. Please try again in a minute"
SAVE_NO_PRIVATE_PLACE = "the course could not find a private place on this computer to work in"
SAVE_UNREADABLE = "your answers file could not be opened, so we left it as it is"
SAVE_OTHER = "the computer would not let us write the file"
FILE_BAD_CHARACTERS = "Some letters in answers.json could not be read. They may look odd."
FILE_UNREADABLE = "answers.json could not be opened. It is left just as it was."

GRADE_RIGHT = "{label}: correct. ({earned:g} of {points:g} {unit})"
GRADE_WRONG = (
    '{label}: your answer {letter} was not the best choice. Reread "{review}". (0 of {points:g} {unit})'
)
GRADE_BLANK = "{label}: you did not answer question {number}. (0 of {points:g} {unit})"
GRADE_UNKNOWN = (
    "{label}: your saved answer {value!r} is not one of the choices, so it could not be "
    "scored. (0 of {points:g} {unit})"
)
GRADE_BROKEN = (
    "{label}: this question could not be graded ({reason}). Please tell your instructor. (0 points)"
)

# No count of answers here: the line is printed once, and a count would go stale as the
# learner answers the questions above it.
TOPIC_GRADED_LATER = "{topic}: this part is graded after you submit."
CHART_LATER = (
    "Your chart by topic appears in your feedback once your exam is graded (or when you check your own work)."
)
TOPIC_CHART_TITLE = "Your practice exam by topic"
TOPIC_SCORE = "{topic}: {earned:g} of {possible:g} right."
TOPIC_REVIEW = "Worth a review: {modules}."
TOPIC_REVIEW_MODULE = "Module {number} ({slug})"

# The practice exam, run like the real one: a clock the learner starts and pauses (nothing is
# enforced), a count of answers, and a break at the halfway point.
EXAM_CLOCK_START = "Start the clock"
EXAM_CLOCK_PAUSE = "Pause the clock"
EXAM_CLOCK = "Time used: {used} of {limit}."
EXAM_CLOCK_OVER = (
    "Time used: {used}. That is past the {limit} this practice exam gives. Finish at your own pace."
)
EXAM_CLOCK_HELP = (
    "The real exam gives 2 hours 30 minutes for 120 questions. This practice exam keeps that pace: "
    "{limit} for its {count} questions. The clock only helps you practise: nothing stops when it "
    "runs out, and you can pause it any time. It keeps its place when you come back."
)
EXAM_ANSWERED = "You have answered {answered} of {total} questions."
EXAM_PAGE = "Questions {first} to {last} of {total}"
EXAM_PREVIOUS = "◀ Previous questions"
EXAM_NEXT = "Next questions ▶"
EXAM_BREAK = (
    "Halfway: {done} questions done. The real exam has a scheduled 10-minute break about here. "
    "Take one now if you like: stand up, stretch, drink some water. Pause the clock at the top "
    "first. Your answers are saved."
)

# nbgrader's Validate button (it shows only these lines, under "The following cell failed").
VALIDATE_CHECKED = (
    "What Validate checked: {answered} of {total} graded questions have a saved answer. "
    "Validate does not grade your answers. Your score comes after you submit."
)
VALIDATE_UNANSWERED = "{label} has no saved answer yet."

# The first line of each question cell. JupyterLab folds the cell's code away and shows only
# this line (a Python comment, so the cell still runs), above the question once it has run.
CELL_NOT_SHOWING = "Not showing? Choose Run ▸ Run All Cells."
CELL_STATUS = "How many questions you have answered. " + CELL_NOT_SHOWING
CELL_QUESTION = "{label}. " + CELL_NOT_SHOWING
CELL_ALL_QUESTIONS = "The exam questions. " + CELL_NOT_SHOWING
CELL_TOPIC = "Your result on {topic}."
CELL_CHART = "Your chart by topic."
CELL_CHECK = "The Check my work button. " + CELL_NOT_SHOWING
CELL_PROGRESS = "Your progress in every module. " + CELL_NOT_SHOWING

# A question whose kernel restarted: its clicks could no longer be saved, so it says so and
# takes none (shown in the browser, see course/widgets.py).
LOST_CONNECTION = "This question lost its connection."
LOST_CONNECTION_HELP = "Choose Run ▸ Run All Cells to bring it back. Your saved answers are safe."

# A saved notebook, as it reopens before anything runs (course/save_hook.py). Markdown: the
# words ** ** around are bold in JupyterLab and are left out of the plain-text copy.
REOPENED_QUESTION = "Choose **Run ▸ Run All Cells** to show this question. Your answers are saved."
REOPENED_QUESTIONS = "Choose **Run ▸ Run All Cells** to show the questions. Your answers are saved."
REOPENED_OTHER = "Choose **Run ▸ Run All Cells** to show this part again. Your answers are saved."
REOPENED_COUNT = "Choose Run ▸ Run All Cells to see how many questions you have answered."
