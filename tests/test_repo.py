"""The repository keeps its promises to a newcomer: the layout, the two commands, what is ignored."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REQUIRED = ["README.md", "requirements.txt", "notebooks", "data", "exercises", "tests", "seeds",
            "pyproject.toml", "nbgrader_config.py", "docs", "bench", ".ci/run", "course.py"]
NEVER_COMMITTED = ["gradebook.db", "release/", "submitted/", "autograded/", "feedback/",
                   ".ipynb_checkpoints/", "__pycache__/", "*.answers.json"]


def test_top_level_layout():
    missing = [p for p in REQUIRED if not (REPO / p).exists()]
    assert not missing, missing


def test_readme_has_exactly_two_commands_and_course_py_knows_them():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["python3 course.py lab", "python3 course.py test"]
    usage = subprocess.run([sys.executable, str(REPO / "course.py")], capture_output=True,
                           text=True, cwd=REPO)
    assert usage.returncode == 2 and "course.py lab" in usage.stdout and "course.py test" in usage.stdout


def test_ci_runs_the_readme_test_command():
    assert "python3 course.py test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_generated_files_are_ignored():
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").split()
    assert not [p for p in NEVER_COMMITTED if p not in ignored]
    tracked = subprocess.run(["git", "ls-files"], capture_output=True, text=True, cwd=REPO).stdout
    bad = [t for t in tracked.splitlines()
           if re.search(r"(^|/)(gradebook\.db|submitted|autograded|feedback|release|"
                        r"\.ipynb_checkpoints|__pycache__)(/|$)|\.answers\.json$", t)]
    assert not bad, bad


def test_seed_article_is_unchanged_copy():
    seed = REPO / "seeds" / "000_a9c2a020e3a07dc1.txt"
    text = seed.read_text(encoding="utf-8")
    assert text.startswith("Pakistan Seeks US Help Against Pakistani Taliban in Afghanistan")
    assert "regained power in Afghanistan in 2022" in text  # the error lesson 1 teaches, kept as is
    original = REPO.parent / "shared" / "seeds" / seed.name
    if original.exists():  # the dossier sits beside the repository on course-development machines
        assert seed.read_bytes() == original.read_bytes()
