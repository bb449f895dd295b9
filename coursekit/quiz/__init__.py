"""Restart-proof, gradable quizzes from question banks (format and API: docs/quiz_banks.md).

In a lesson::

    from coursekit.quiz import quiz
    quiz("01_the_article")

How data flows through the package::

    bank.py      question bank (YAML) ──load + validate (schema.json, source ids)──► Bank
    store.py     answers file beside the notebook ◄──save / restore──► the quiz on screen
    widgets.py   one ipywidgets view per question; Check → scoring → feedback (strings.py text,
                 sources.py citations)
    scoring.py   pure scoring of stored answers against the key (lessons and nbgrader alike)
    api.py       quiz(), Quiz, saved_answers(), score_saved(), score_answers(), load_key()

Every check is saved to ``<answers_dir>/<bank_id>.answers.json`` (default: the notebook's folder),
so re-running the cell or restarting the kernel restores answers and feedback, and nbgrader can
grade them with :func:`saved_answers`, :func:`score_saved` and :func:`score_answers`.
"""
from .api import (BankError, Quiz, load_bank, load_key, noninteractive, quiz, saved_answers,
                  score_answers, score_saved)

__all__ = ["quiz", "Quiz", "BankError", "load_bank", "load_key", "saved_answers", "score_saved",
           "score_answers", "noninteractive"]
