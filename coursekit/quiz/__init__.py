"""Restart-proof, gradable quizzes from question banks (format and API: docs/quiz_banks.md).

In a lesson::

    from coursekit.quiz import quiz
    quiz("01_the_article")

How data flows through the package::

    bank.py      question bank (YAML) ──load + validate (schema.json, source ids)──► Bank
    store.py     answers file beside the notebook ◄──save / restore──► the quiz on screen
    widgets.py   one ipywidgets view per question; Check → scoring → feedback (strings.py text,
                 sources.py citations)
    record.py    the same answers kept inside the notebook: an output of the quiz cell, updated on
                 every Check and saved with the .ipynb; read back and resolved against the side
                 file (the newer answer wins) with a status
    scoring.py   pure scoring of stored answers against the key (lessons and nbgrader alike)
    api.py       quiz(), Quiz, saved_answers(), score_saved(), score_answers(), load_key()
    report.py    ``coursekit quizreport``: what a class answered, per question, from collected
                 notebooks and answer files

Every check is saved to ``<answers_dir>/<bank_id>.answers.json`` (default: the notebook's folder)
and into the notebook itself, so re-running the cell, restarting the kernel or uploading only the
.ipynb keeps the answers, and nbgrader can grade them with :func:`saved_answers`,
:func:`score_saved` and :func:`score_answers`.
"""
from .api import (BankError, Quiz, load_bank, load_key, noninteractive, quiz, saved_answers,
                  score_answers, score_saved)

__all__ = ["quiz", "Quiz", "BankError", "load_bank", "load_key", "saved_answers", "score_saved",
           "score_answers", "noninteractive"]
