"""How long a lesson takes in class: the course's timing model (docs/timing.md).

The model counts what a student reads, runs, looks at and answers, cell by cell, and keeps a clock.
Its parameters are the constants below; docs/timing.md says where each number comes from.

    python -m coursekit.timing notebooks/0*.ipynb      # a table for the instructor guide

``estimate(path)`` returns an :class:`Estimate`: minutes per part (prose, code, charts, quiz, tasks),
the total, the stated time, and the clock minute of every formative check.
"""
from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

# ----------------------------------------------------------------------------- the model's numbers
WORDS_PER_MINUTE = 100        # reading English prose in a second language (Brysbaert 2019: ~238 L1)
CODE_CELL_MINUTES = 0.5       # read a code cell, run it, glance at the output
CODE_LINE_MINUTES = 0.1       # ... plus this per non-blank line
CHART_MINUTES = 1.5           # per charts.show( / plt.show( call: look at the chart and its text
QUIZ_QUESTION_MINUTES = 0.5   # per question, besides reading it: answer and read the feedback
QUIZ_TEXT_MINUTES = 3.0       # a free-text ("text") question: write a few sentences
YOUR_TURN_MINUTES = 5.0       # a "Your turn" heading: write code, run it, compare with the solution
PREDICT_MINUTES = 1.0         # a "Predict" heading: write down a guess before running
MAX_STATED_MINUTES = 50       # one class slot
MAX_CHECK_GAP_MINUTES = 10    # a formative check at least this often, the first within it

OPTIONAL_HEADING = re.compile(r"optional\s*[—–-]+\s*going further", re.I)
YOUR_TURN_HEADING = re.compile(r"your turn\b", re.I)
PREDICT_HEADING = re.compile(r"predict\b", re.I)
CLOSING_HEADING = re.compile(r"(key points|sources)\b", re.I)   # not counted in the cadence
STATED = re.compile(r"\*\*Estimated time:\*\*\s*(\d+)\s*min", re.I)

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_TAG = re.compile(r"<[^>]*>")
_LINK = re.compile(r"(!?)\[([^\]]*)\]\([^)]*\)")       # [text](target) -> text
_CHART = re.compile(r"\b(?:charts|plt)\.show\(")
_WORD = re.compile(r"[^\W_]")                          # a token is a word if it has a letter/digit


class TimingError(ValueError):
    """A notebook the model cannot read (names the file and the cell)."""


def words(text: str) -> int:
    """Words of Markdown text: tokens with a letter or digit, after removing tags and link targets."""
    text = _LINK.sub(lambda m: m.group(2), _TAG.sub(" ", text))
    return sum(1 for token in text.split() if _WORD.search(token))


def reading_minutes(text: str) -> float:
    return words(text) / WORDS_PER_MINUTE


def code_minutes(source: str) -> float:
    lines = sum(1 for line in source.splitlines() if line.strip())
    return CODE_CELL_MINUTES + CODE_LINE_MINUTES * lines


def chart_count(source: str) -> int:
    return len(_CHART.findall(source))


# ----------------------------------------------------------------------------- quizzes
@dataclass
class QuizCall:
    bank: str
    ids: list[str] | None = None


def quiz_calls(source: str, where: str = "") -> list[QuizCall]:
    """The ``quiz("<stem>")`` / ``quiz("<stem>", ids=[...])`` calls of a code cell."""
    if "quiz(" not in source:
        return []
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        raise TimingError(f"{where}: cannot parse the code ({err.msg}, line {err.lineno}).") from None
    calls = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name != "quiz":
            continue
        if not node.args or not isinstance(node.args[0], ast.Constant) or not isinstance(node.args[0].value, str):
            raise TimingError(f"{where}: quiz() needs the bank name as a plain string, e.g. quiz(\"02_attacks_trend\").")
        ids = None
        for kw in node.keywords:
            if kw.arg == "ids":
                try:
                    ids = [str(v) for v in ast.literal_eval(kw.value)]
                except ValueError:
                    raise TimingError(f"{where}: quiz(ids=...) must be a list of plain strings.") from None
        calls.append(QuizCall(node.args[0].value, ids))
    return calls


def question_minutes(question) -> float:
    """One question: read prompt, options (or items and categories) and explanation; answer it."""
    texts = [question.prompt, question.explanation]
    texts += [o.text for o in question.options]
    texts += list(question.items) + list(question.categories)
    minutes = sum(reading_minutes(t or "") for t in texts) + QUIZ_QUESTION_MINUTES
    if question.type == "text":
        minutes += QUIZ_TEXT_MINUTES
    return minutes


def quiz_minutes(call: QuizCall, quizzes_dir: Path, where: str = "") -> tuple[float, int]:
    """(minutes, number of questions) for one quiz call."""
    from coursekit.quiz import load_bank

    path = quizzes_dir / f"{call.bank}.yaml"
    if not path.exists():
        raise TimingError(f"{where}: quiz bank {path} not found.")
    bank = load_bank(path)
    if call.ids is None:
        chosen = list(bank.questions.values())
    else:
        unknown = [i for i in call.ids if i not in bank.questions]
        if unknown:
            raise TimingError(f"{where}: quiz ids {unknown} are not in {path.name}.")
        chosen = [bank.questions[i] for i in call.ids]
    return sum(question_minutes(q) for q in chosen), len(chosen)


# ----------------------------------------------------------------------------- the estimate
@dataclass
class Check:
    minute: float       # the model's clock when the student reaches the check
    kind: str           # "your turn", "predict" or "quiz"
    label: str          # heading text or bank[ids]
    cell: int


@dataclass
class Estimate:
    path: Path
    stated: int | None
    prose: float = 0.0
    code: float = 0.0
    charts: float = 0.0
    quiz: float = 0.0
    tasks: float = 0.0
    checks: list[Check] = field(default_factory=list)
    end: float = 0.0                      # clock at "Key points"/"Sources" (or the last cell)
    optional_cells: list[int] = field(default_factory=list)
    sections: list[tuple[str, float]] = field(default_factory=list)   # (heading, clock at it)
    quiz_questions: int = 0
    n_charts: int = 0

    @property
    def total(self) -> float:
        return self.prose + self.code + self.charts + self.quiz + self.tasks

    @property
    def check_minutes(self) -> list[float]:
        return [round(c.minute, 1) for c in self.checks]

    def gaps(self) -> list[tuple[float, float, str]]:
        """(from, to, what) for the start, every pair of consecutive checks, and the end."""
        points = [(0.0, "start")] + [(c.minute, f"{c.kind}: {c.label}") for c in self.checks]
        points.append((self.end, "end of lesson (before Key points/Sources)"))
        return [(a, b, f"{wa} -> {wb}") for (a, wa), (b, wb) in zip(points, points[1:])]

    @property
    def max_gap(self) -> float:
        return max(b - a for a, b, _ in self.gaps())

    def cadence_problems(self, limit: float = MAX_CHECK_GAP_MINUTES) -> list[str]:
        if not self.checks:
            return [f"no formative check at all (model {self.total:.1f} min)"]
        return [f"{b - a:.1f} min from minute {a:.1f} to {b:.1f} ({what})"
                for a, b, what in self.gaps() if b - a > limit]


def _headings(source: str):
    """Yield (line index, level, text) of the Markdown headings outside fenced code blocks."""
    fenced = False
    for index, line in enumerate(source.splitlines()):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        match = None if fenced else _HEADING.match(line)
        if match:
            yield index, len(match.group(1)), match.group(2).strip()


def estimate(path: str | Path, quizzes_dir: str | Path | None = None) -> Estimate:
    """Walk the notebook with the model's clock (see the module docstring and docs/timing.md)."""
    path = Path(path)
    quizzes_dir = Path(quizzes_dir) if quizzes_dir else path.parent / "quizzes"
    nb = nbformat.read(path, as_version=4)
    if not nb.cells:
        raise TimingError(f"{path}: the notebook has no cells.")
    found = STATED.search(nb.cells[0].source) if nb.cells[0].cell_type == "markdown" else None
    result = Estimate(path=path, stated=int(found.group(1)) if found else None)
    clock = 0.0
    optional_level: int | None = None     # inside an "Optional — going further" section of this level
    closed = False                         # reached Key points / Sources

    for index, cell in enumerate(nb.cells):
        where = f"{path.name}, cell {index}"
        if cell.cell_type == "markdown":
            lines = cell.source.splitlines()
            marks = list(_headings(cell.source)) + [(len(lines), None, None)]
            start = 0
            for line_no, level, text in marks:
                chunk = "\n".join(lines[start:line_no])
                if optional_level is None:
                    minutes = reading_minutes(chunk)
                    result.prose += minutes
                    clock += minutes
                if level is None:
                    break
                if optional_level is not None and level <= optional_level:
                    optional_level = None
                if optional_level is None and OPTIONAL_HEADING.match(text):
                    optional_level = level
                if optional_level is None:
                    if not closed and CLOSING_HEADING.match(text):
                        closed, result.end = True, clock
                    result.sections.append((text, clock))
                    if YOUR_TURN_HEADING.match(text):
                        result.checks.append(Check(clock, "your turn", text, index))
                        result.tasks += YOUR_TURN_MINUTES
                        clock += YOUR_TURN_MINUTES
                    elif PREDICT_HEADING.match(text):
                        result.checks.append(Check(clock, "predict", text, index))
                        result.tasks += PREDICT_MINUTES
                        clock += PREDICT_MINUTES
                start = line_no
            if optional_level is not None:
                result.optional_cells.append(index)
        elif cell.cell_type == "code":
            if optional_level is not None:
                result.optional_cells.append(index)
                continue
            if not cell.source.strip():
                minutes = CODE_CELL_MINUTES       # an empty cell for the student still gets run
            else:
                minutes = code_minutes(cell.source)
            result.code += minutes
            n = chart_count(cell.source)
            result.n_charts += n
            result.charts += n * CHART_MINUTES
            start_clock = clock
            clock += minutes + n * CHART_MINUTES
            for call in quiz_calls(cell.source, where):
                label = call.bank + (f"[{', '.join(call.ids)}]" if call.ids else "")
                result.checks.append(Check(start_clock, "quiz", label, index))
                q_minutes, q_count = quiz_minutes(call, quizzes_dir, where)
                result.quiz += q_minutes
                result.quiz_questions += q_count
                clock += q_minutes
    if not closed:
        result.end = clock
    return result


# ----------------------------------------------------------------------------- optional sections
def _bound_names(node: ast.AST) -> set[str]:
    names = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)):
            names.add(sub.id)
        elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(sub.name)
        elif isinstance(sub, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in sub.names)
    return names


def _loaded_names(node: ast.AST) -> set[str]:
    return {sub.id for sub in ast.walk(node) if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load)}


def optional_dependencies(path: str | Path) -> list[str]:
    """Later non-optional code that uses a name first bound in an optional section (should be none).

    A simple check: names bound in optional code cells are "optional"; a later non-optional
    statement that binds the name again makes it ordinary again; a later statement that reads an
    optional name is reported.
    """
    path = Path(path)
    est = estimate(path)
    optional = set(est.optional_cells)
    nb = nbformat.read(path, as_version=4)
    tainted: dict[str, int] = {}
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        try:
            tree = ast.parse(_strip_magics(cell.source))
        except SyntaxError as err:
            raise TimingError(f"{path.name}, cell {index}: cannot parse the code ({err.msg}).") from None
        if index in optional:
            for name in _bound_names(tree):
                tainted.setdefault(name, index)
            continue
        for statement in tree.body:
            bound = _bound_names(statement)
            for name in sorted((_loaded_names(statement) - bound) & set(tainted)):
                problems.append(f"{path.name}, cell {index} uses '{name}', defined in optional cell {tainted[name]}")
            for name in bound:
                tainted.pop(name, None)
    return problems


def _strip_magics(source: str) -> str:
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


# ----------------------------------------------------------------------------- the table
def table(paths: list[str | Path]) -> str:
    head = ("| lesson | stated | model | prose | code | charts | quiz (questions) | tasks "
            "| checks at minute | longest gap |")
    rows = [head, "|" + "---|" * 10]
    for p in paths:
        e = estimate(p)
        rows.append(
            f"| {Path(p).stem} | {e.stated if e.stated is not None else '—'} | {e.total:.1f} "
            f"| {e.prose:.1f} | {e.code:.1f} | {e.charts:.1f} ({e.n_charts}) "
            f"| {e.quiz:.1f} ({e.quiz_questions}) | {e.tasks:.1f} "
            f"| {', '.join(f'{m:.0f}' for m in e.check_minutes) or '—'} | {e.max_gap:.1f} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in {"-h", "--help"}:
        print(__doc__.strip())
        return 0 if args else 2
    print(table(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
