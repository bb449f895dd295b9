"""Quiz answers at grading time: from the submitted notebook and/or the side file, newer wins.

``nbgrader autograde`` clears every output before it runs a notebook, so the answer record a quiz
keeps inside the notebook (coursekit/quiz/record.py) would be lost. :class:`ResolveQuizAnswers` is
an nbgrader *sanitize* preprocessor placed before ``ClearOutput`` (nbgrader_config.py): it reads
the records of the submitted notebook while they are still there, merges them with the side
files of the submission (``<bank>.answers.json``) and writes the resolved side file into the
autograded copy — the folder the notebook is executed in — where the quiz's hidden check reads
it. ``submitted/`` is never written.

:func:`notes` gives ``coursekit grade`` the same resolution as plain-words status notes
("answers taken from the notebook", "… disagree; the newer answer was kept …", "… edited by
hand …"). Plain ``nbgrader autograde`` gets the same answers (the preprocessor is in the
course's config), only without the notes.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from ..quiz.bank import BankError, load_bank
from ..quiz.record import Resolution, answers_from_notebook, check_payload, payload, resolve

SIDE_SUFFIX = ".answers.json"


def _bank_hash(bank_id: str, folders: list[Path]) -> str | None:
    for folder in folders:
        for suffix in (".yaml", ".yml", ".json"):
            path = folder / f"{bank_id}{suffix}"
            if path.exists() and not path.name.endswith(SIDE_SUFFIX):
                try:
                    return load_bank(path).hash
                except BankError:
                    return None
    return None


def resolve_submission(folder: Path, bank_folders: list[Path] | None = None
                       ) -> dict[str, Resolution]:
    """``{bank_id: Resolution}`` for every quiz with answers in the notebooks or side files."""
    folder = Path(folder)
    bank_folders = [*(bank_folders or []), folder]
    from_notebooks: dict[str, tuple[str, object]] = {}
    for nb_path in sorted(folder.glob("*.ipynb")):
        for bank_id, raw in answers_from_notebook(nb_path).items():
            from_notebooks[bank_id] = (nb_path.name, raw)
    side_files = {p.name[:-len(SIDE_SUFFIX)]: p for p in folder.glob(f"*{SIDE_SUFFIX}")}
    result = {}
    for bank_id in sorted(set(from_notebooks) | set(side_files)):
        bank_hash = _bank_hash(bank_id, bank_folders)
        nb_checked = side_checked = None
        if bank_id in from_notebooks:
            name, raw = from_notebooks[bank_id]
            nb_checked = check_payload(raw, where=f"the notebook {name}",
                                       bank_id=None if bank_id == "?" else bank_id,
                                       bank_hash=bank_hash)
        if bank_id in side_files:
            path = side_files[bank_id]
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError, UnicodeDecodeError):
                raw = None
            side_checked = check_payload(raw, where=f"the side file {path.name}", bank_id=bank_id,
                                         bank_hash=bank_hash, require_digest=False)
        resolution = resolve(nb_checked, side_checked)
        if bank_id != "?":
            result[bank_id] = resolution
        elif resolution.notes:
            result.setdefault("?", Resolution({}, resolution.notes, "none"))
    return result


def notes(course_dir: Path, assignment: str, student: str) -> list[str]:
    """Status notes for ``coursekit grade`` (empty when a quiz's answers were unremarkable)."""
    folder = Path(course_dir) / "submitted" / student / assignment
    source = Path(course_dir) / "exercises" / assignment
    out = []
    for bank_id, res in resolve_submission(folder, [source]).items():
        if res.source == "notebook":
            out.append(f"quiz {bank_id}: answers taken from the notebook (no side file)")
        elif res.source == "side file":
            out.append(f"quiz {bank_id}: answers taken from the side file "
                       "(the notebook holds none)")
        out.extend(f"quiz {bank_id}: {note}" for note in res.notes)
    return out


def write_resolved(folder: Path, dest: Path, bank_folders: list[Path] | None = None) -> None:
    """Write ``<dest>/<bank>.answers.json`` with the resolved answers of each quiz."""
    dest.mkdir(parents=True, exist_ok=True)
    for bank_id, res in resolve_submission(folder, bank_folders).items():
        if bank_id == "?":
            continue
        target = dest / f"{bank_id}{SIDE_SUFFIX}"
        if res.source == "none":
            target.unlink(missing_ok=True)  # an unusable copied side file must not be read
            continue
        data = payload(bank_id, _bank_hash(bank_id, [*(bank_folders or []), folder]),
                       res.answers)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=dest)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=1, sort_keys=True)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)


def _preprocessor_base():
    from nbgrader.preprocessors import NbGraderPreprocessor  # enabled by default, unlike nbconvert's

    return NbGraderPreprocessor


class ResolveQuizAnswers(_preprocessor_base()):
    """nbgrader sanitize step (before ClearOutput): resolved quiz answers into the autograded copy.

    Runs on the *submitted* notebook (outputs intact); writes only under autograded/.
    """

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader") or {}
        folder = (resources.get("metadata") or {}).get("path")
        student, assignment = info.get("student"), info.get("assignment")
        if not (folder and student and assignment):
            return nb, resources
        from nbgrader.coursedir import CourseDirectory

        coursedir = CourseDirectory(config=self.config)
        submitted = Path(coursedir.format_path(coursedir.submitted_directory, student,
                                               assignment)).resolve()
        if Path(folder).resolve() != submitted:
            return nb, resources  # only the sanitize pass reads from submitted/
        dest = Path(coursedir.format_path(coursedir.autograded_directory, student, assignment))
        source = Path(coursedir.format_path(coursedir.source_directory, ".", assignment))
        try:
            write_resolved(submitted, dest, [source])
        except OSError as exc:  # grading goes on; the hidden check then finds no answers
            self.log.warning("quiz answers for %s could not be resolved: %s", student, exc)
        return nb, resources
