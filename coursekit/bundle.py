"""``coursekit bundle``: the solution-free student bundle (for nbgitpuller, an LMS or a zip).

The bundle holds what students need and nothing an instructor must keep back:

    README.md          from docs/student_README.md
    notebooks/         lessons and quizzes/ (practice banks)
    exercises/<id>/    nbgrader's *release* version of each assignment (solutions and hidden
                       tests removed by `nbgrader generate_assignment`, run in a temporary course)
    data/ seeds/ coursekit/ course.py requirements.txt pyproject.toml

Before it finishes, every file is scanned: solution or hidden-test markers, or an answer key
in a graded quiz bank, stop the build with an error naming the file.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml

from .errors import UsageError
from .grading.checks import BEGIN_HIDDEN, BEGIN_SOLUTION, END_HIDDEN, END_SOLUTION

MARKER = ".coursekit-bundle"
COPY_DIRS = ("notebooks", "data", "seeds", "coursekit")
COPY_FILES = ("course.py", "requirements.txt", "pyproject.toml")
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.answers.json",
                                "*.answers.json.corrupt-*", "*.egg-info", ".DS_Store")
FORBIDDEN = (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN)
KEY_FIELDS = ("answer", "category", "model_answer", "explanation")
STUDENT_README = Path("docs") / "student_README.md"


class BundleError(UsageError):
    """The bundle cannot be built, or would leak solutions."""


def release_assignments(course_dir: Path, target: Path) -> list[str]:
    """Run nbgrader's generate_assignment for every assignment in a temporary course folder."""
    from .grading.nbgrader_env import nbgrader_path_env, quiet_nbgrader
    from .grading.worker import load_config, make_api

    source = course_dir / "exercises"
    names = sorted(p.name for p in source.iterdir()
                   if p.is_dir() and any(p.glob("*.ipynb"))) if source.is_dir() else []
    nbgrader_path_env()
    with tempfile.TemporaryDirectory(prefix="coursekit-release-") as tmp:
        temp = Path(tmp)
        shutil.copytree(source, temp / "exercises", ignore=IGNORE)
        shutil.copy(course_dir / "nbgrader_config.py", temp / "nbgrader_config.py")
        config = load_config(temp, temp / "gradebook.db")
        with quiet_nbgrader():
            api = make_api(config)
            for name in names:
                result = api.generate_assignment(name, force=True)
                if not result.get("success"):
                    tail = (result.get("error") or result.get("log") or "").strip()
                    raise BundleError(f"nbgrader generate_assignment {name} failed: "
                                      f"{tail.splitlines()[-1:]}")
                shutil.copytree(temp / "release" / name, target / name, ignore=IGNORE)
    return names


def graded_bank_leaks(path: Path) -> list[str]:
    """Question ids of a graded bank that still carry an answer key field."""
    try:
        bank = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return []
    if not isinstance(bank, dict) or bank.get("mode") != "graded":
        return []
    leaks = []
    for q in bank.get("questions") or []:
        items = q.get("items") or []
        if any(f in q for f in KEY_FIELDS) or any(isinstance(i, dict) and "category" in i
                                                  for i in items):
            leaks.append(str(q.get("id")))
    return leaks


def check_bundle(out: Path) -> None:
    """Raise BundleError if any file in the bundle holds solutions, hidden tests or a key."""
    for path in sorted(out.rglob("*")):
        if not path.is_file() or path.suffix in (".png", ".jpg", ".pdf", ".zip"):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for marker in FORBIDDEN:
            if marker in text and path.suffix in (".ipynb", ".yaml", ".yml", ".json", ".txt",
                                                  ".csv", ".md"):
                raise BundleError(f"{path.relative_to(out)} contains '{marker}'")
        if path.suffix in (".yaml", ".yml"):
            leaks = graded_bank_leaks(path)
            if leaks:
                raise BundleError(f"{path.relative_to(out)}: graded quiz bank has an answer "
                                  f"key for {', '.join(leaks)}")


def build_bundle(course_dir: Path, out: Path) -> Path:
    course_dir = Path(course_dir).resolve()
    out = Path(out).resolve()
    if not (course_dir / "exercises").is_dir():
        raise BundleError(f"{course_dir} has no exercises/ folder: is it the course folder?")
    inside_copied = any(course_dir / name in (out, *out.parents) for name in COPY_DIRS)
    if out == course_dir or out in course_dir.parents or inside_copied:
        raise BundleError(f"refusing to write the bundle to {out}: choose a folder outside "
                          "the course's notebooks/, data/, seeds/ and coursekit/")
    if out.exists():
        if not (out / MARKER).exists():
            raise BundleError(f"{out} exists and is not a bundle made by this command; "
                              "choose another --out")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text("made by `coursekit bundle`; safe to delete\n")
    try:
        for name in COPY_DIRS:
            if (course_dir / name).is_dir():
                shutil.copytree(course_dir / name, out / name, ignore=IGNORE)
        for name in COPY_FILES:
            if (course_dir / name).exists():
                shutil.copy(course_dir / name, out / name)
        readme = course_dir / STUDENT_README
        if not readme.exists():
            raise BundleError(f"missing {STUDENT_README} (the student README template)")
        shutil.copy(readme, out / "README.md")
        release_assignments(course_dir, out / "exercises")
        check_bundle(out)
    except BundleError:
        shutil.rmtree(out, ignore_errors=True)
        raise
    return out
