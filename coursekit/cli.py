"""The ``coursekit`` command: grade, report and bundle (instructor tools).

    coursekit grade ex1_pandas [--workers N] [--timeout S] [--memory-mb M] [--output-limit B]
                               [--no-prewarm] [--scheduler ADDRESS]
    coursekit report ex1_pandas [--lms canvas|moodle|blackboard --roster roster.csv]
    coursekit quizreport <bank or assignment> <folder of collected notebooks / answer files>
    coursekit bundle [--out DIR]
    coursekit sources                 where each data row's figure can be read (per table)

Exit code 0 when the command ran (even if some submissions could not be graded: each has a
status line), 2 for usage errors (no such course folder, assignment not generated, …).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import UsageError

USAGE_ERROR = 2


def _course_dir(value: str | None) -> Path:
    """--course-dir, else the nearest folder up from here with nbgrader_config.py, else the
    course root (coursekit.paths), else the current folder."""
    if value:
        return Path(value).expanduser().resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "nbgrader_config.py").exists():
            return folder
    from .paths import CourseRootNotFound, project_root

    try:
        return project_root()
    except CourseRootNotFound:
        return here


def _positive(kind):
    def parse(text: str):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
        return value
    return parse


def build_parser() -> argparse.ArgumentParser:
    from .grading.grade import DEFAULT_MEMORY_MB, DEFAULT_OUTPUT_LIMIT, DEFAULT_TIMEOUT

    parser = argparse.ArgumentParser(
        prog="coursekit", description="coursekit: grade, report and bundle (instructor tools)")
    sub = parser.add_subparsers(dest="command", required=True)

    grade = sub.add_parser("grade", help="autograde every submission of an assignment "
                                         "(parallel nbgrader autograde)")
    grade.add_argument("assignment")
    grade.add_argument("--workers", type=_positive(int), default=None,
                       help="Dask worker processes on this machine (default: 1.5 per CPU)")
    grade.add_argument("--timeout", type=_positive(int), default=DEFAULT_TIMEOUT,
                       help=f"seconds per cell (default {DEFAULT_TIMEOUT})")
    grade.add_argument("--wall-limit", type=_positive(float), default=None,
                       help="seconds per submission before its kernel is killed "
                            "(default 4 × timeout + 30)")
    grade.add_argument("--memory-mb", type=_positive(int), default=DEFAULT_MEMORY_MB,
                       help=f"memory limit per kernel in MB (default {DEFAULT_MEMORY_MB})")
    grade.add_argument("--output-limit", type=_positive(int), default=DEFAULT_OUTPUT_LIMIT,
                       help=f"characters of output per notebook (default {DEFAULT_OUTPUT_LIMIT})")
    grade.add_argument("--course-dir", default=None,
                       help="course folder (holds nbgrader_config.py, submitted/, gradebook.db)")
    grade.add_argument("--student", nargs="+", default=None, help="grade only these students")
    grade.add_argument("--no-progress", action="store_true", help="no progress bar")
    grade.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="grade on an existing Dask cluster (e.g. tcp://host:8786); "
                            "default: a local cluster with one worker per core")
    grade.add_argument("--no-prewarm", action="store_true",
                       help="start every kernel afresh instead of forking it from a pre-warmed "
                            "zygote (slower; same as COURSEKIT_GRADE_PREWARM=0)")

    report = sub.add_parser("report", help="grades.csv, feedback HTML (no hidden tests) and a "
                                           "score histogram")
    report.add_argument("assignment")
    report.add_argument("--course-dir", default=None)
    report.add_argument("--out", default=None, help="folder for the report "
                                                    "(default reports/<assignment>)")
    report.add_argument("--lms", choices=("canvas", "moodle", "blackboard"), default=None,
                        help="write only a gradebook import file for this LMS "
                             "(reports/<assignment>/<lms>.csv; needs --roster)")
    report.add_argument("--roster", default=None,
                        help="CSV mapping nbgrader student ids to LMS ids (docs/lms_export.md)")
    report.add_argument("--column-id", default=None,
                        help="the LMS's id of an existing grade column (optional)")

    qreport = sub.add_parser("quizreport", help="what the class got right and wrong, per "
                                                "question (anonymous)")
    qreport.add_argument("bank", help="question bank id or path, or an assignment id")
    qreport.add_argument("folder", help="folder of collected notebooks and/or answer files")
    qreport.add_argument("--out", default=None, help="output folder (default quizreport/<bank>)")
    qreport.add_argument("--key", default=None,
                         help="key for a graded bank: an assignment notebook with KEY = {...} "
                              "or a key YAML (found in exercises/<id>/ by default)")
    qreport.add_argument("--course-dir", default=None)

    bundle = sub.add_parser("bundle", help="build the solution-free student bundle")
    bundle.add_argument("--out", default="dist/student_bundle", help="output folder")
    bundle.add_argument("--course-dir", default=None)
    sources = sub.add_parser("sources", help="where each data row's figure can be read: the "
                                             "publisher's own page, a wire or newspaper, or "
                                             "another copy (per table)")
    sources.add_argument("--data-dir", default=None, help="data folder (default: the course's)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "grade":
            from .grading.grade import Limits, grade

            grade(_course_dir(args.course_dir), args.assignment, workers=args.workers,
                  limits=Limits(args.timeout, args.memory_mb, args.output_limit, args.wall_limit),
                  students=args.student, progress=not args.no_progress,
                  prewarm=False if args.no_prewarm else None, scheduler=args.scheduler)
        elif args.command == "report" and args.lms:
            from .grading.lms import export

            if not args.roster:
                print("coursekit report: --lms needs --roster roster.csv", file=sys.stderr)
                return USAGE_ERROR
            out = export(_course_dir(args.course_dir), args.assignment, args.lms,
                         Path(args.roster), Path(args.out) if args.out else None,
                         column_id=args.column_id)
            print(f"{args.lms} gradebook file written to {out}")
        elif args.command == "quizreport":
            from .quiz.report import quiz_report

            result = quiz_report(args.bank, Path(args.folder),
                                 Path(args.out) if args.out else None, key=args.key,
                                 course_dir=_course_dir(args.course_dir))
            for line in result.skipped:
                print(f"skipped {line}")
            print(f"quiz report ({result.students} students) written to {result.out}")
        elif args.command == "report":
            from .grading.report import report

            out = report(_course_dir(args.course_dir), args.assignment,
                         Path(args.out) if args.out else None)
            print(f"report written to {out}")
        elif args.command == "sources":
            from .provenance import main as provenance

            return provenance(["--data-dir", args.data_dir] if args.data_dir else [])
        elif args.command == "bundle":
            from .bundle import build_bundle

            out = build_bundle(_course_dir(args.course_dir), Path(args.out))
            print(f"student bundle written to {out}")
    except UsageError as exc:  # each job's own subclass (coursekit/errors.py)
        print(f"coursekit {args.command}: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
