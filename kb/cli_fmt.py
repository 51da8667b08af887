"""`kb fmt [PATH ...] [--check]`: lay rule files out canonically (like `opa fmt`), keeping comments,
legal text and annotations (kb/language/fmt.py). `--check` changes nothing and exits 1 naming each
file that is not laid out canonically, with the diff; CI runs it (scripts/test)."""
from __future__ import annotations

import difflib
import sys
from pathlib import Path

from .language.diagnostics import render_all
from .language.fmt import FormatRefused, format_text
from .language.knowledge_base import rule_files


def _targets(paths: list[str], directory: str) -> list[Path]:
    if not paths:
        return rule_files(Path(directory))
    found: list[Path] = []
    for path in map(Path, paths):
        found += sorted(path.glob("*.dl")) if path.is_dir() else [path]
    return found


def cmd_fmt(args) -> int:
    """Rewrite (or, with --check, only compare) each rule file; exit 1 on a file that does not parse."""
    unformatted, broken = [], 0
    for path in _targets(args.paths, args.dir):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            print(f"{path}: cannot be read ({type(err).__name__})", file=sys.stderr)
            broken += 1
            continue
        try:
            formatted, diagnostics = format_text(text, str(path))
        except FormatRefused as err:
            print(str(err), file=sys.stderr)
            broken += 1
            continue
        if formatted is None:
            print(render_all(diagnostics) + f"\n{path}: not formatted, it does not parse\n", file=sys.stderr)
            broken += 1
            continue
        if formatted == text:
            continue
        unformatted.append(path)
        if args.check:
            print("\n".join(difflib.unified_diff(text.splitlines(), formatted.splitlines(), str(path),
                                                 f"{path} (formatted)", lineterm="")))
        else:
            path.write_text(formatted, encoding="utf-8")
            print(f"formatted {path}")
    if args.check and unformatted:
        print(f"{len(unformatted)} file(s) not laid out canonically; `kb fmt` rewrites them")
    elif not unformatted and not broken:
        print("ok: every rule file is laid out canonically")
    return 1 if broken or (args.check and unformatted) else 0


def register(sub, common) -> None:
    """Add `kb fmt` to the subcommands of the `kb` parser."""
    fmt = sub.add_parser("fmt", parents=[common], help="lay rule files out canonically (comments kept)")
    fmt.add_argument("paths", nargs="*", help="rule files or folders (default: the rules of --dir)")
    fmt.add_argument("--check", action="store_true",
                     help="change nothing; exit 1 and show the diff when a file is not canonical")
    fmt.set_defaults(func=cmd_fmt)
