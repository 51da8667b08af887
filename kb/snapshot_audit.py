"""The model snapshots beside a store, checked by `kb audit verify`.

A snapshot is what the service starts from, so a forged one would decide in the store's name.
Each snapshot file is checked three ways, the last two whether or not the auditor holds the key:
- its MAC under the snapshot key, when the environment names one (DEELWIJZER_SNAPSHOT_KEY, or
  DEELWIJZER_SECRET_KEY from which the service derives it);
- its identity and its facts against the store: the fact chain's hash at its version, and every
  fact (with its stored id and validity) of the store's fact base as of that version;
- its model against a model recomputed from those facts, on the rules it names (the rules of
  `--dir` when they are that version, else the texts the store keeps).
"""
from __future__ import annotations

from pathlib import Path

from .engine.bottom_up import MomentModel
from .engine.program import Program
from .engine.snapshot import SUFFIX, SnapshotRejected, check_mac, contents, read_header
from .language.knowledge_base import check_texts, load_knowledge_base
from .store.db import Database
from .store.decisions import DecisionLog
from .store.facts import FactStore


def check_snapshots(directory: Path, db: Database, kb_dir: Path | str, secret: bytes | None
                    ) -> tuple[int, list[str], list[str]]:
    """(snapshots checked, problems, notes) for every snapshot file in `directory`."""
    paths = sorted(directory.glob(f"model-*{SUFFIX}")) if directory.is_dir() else []
    problems: list[str] = []
    notes: list[str] = []
    if paths and secret is None:
        notes.append("snapshot MACs not checked: no DEELWIJZER_SNAPSHOT_KEY or DEELWIJZER_SECRET_KEY here; their "
                     "facts and models were compared with the store instead")
    programs: dict[str, Program | None] = {}
    for path in paths:
        found: list[str] = []
        note = _check(path, db, kb_dir, secret, programs, found)
        problems += [f"snapshot {path.name}: {problem}" for problem in found]
        if note:
            notes.append(f"snapshot {path.name}: {note}")
    return len(paths), problems, notes


def _check(path: Path, db: Database, kb_dir, secret: bytes | None, programs: dict, problems: list[str]) -> str:
    """Add the snapshot's problems to `problems`; a note when part of it could not be checked."""
    try:
        data = path.read_bytes()
        header, claimed, body = read_header(data)
    except OSError as err:
        problems.append(f"cannot be read ({err.strerror})")
        return ""
    except SnapshotRejected as err:
        problems.append(str(err))
        return ""
    if secret is not None:
        try:
            check_mac(header, claimed, body, secret)
        except SnapshotRejected as err:
            problems.append(str(err))
    store = FactStore(db)
    version = str(header.get("facts"))
    if not version.isdigit() or int(version) > store.version():
        problems.append(f"names fact-base version {version}, which the store does not have")
        return ""
    if store.hash_at(int(version)) != header.get("identity"):
        problems.append(f"names the fact base of version {version} by another hash than the store's (a snapshot of "
                        "another store, or of a rewritten fact history)")
    rules = str(header.get("rules"))
    if rules not in programs:
        programs[rules] = _program(rules, db, kb_dir)
    program = programs[rules]
    if program is None:
        return (f"its facts and model were not compared: rules version {rules} is neither in the rules directory "
                "nor kept in the store")
    try:
        snapshot = contents(data, program)
    except SnapshotRejected as err:
        problems.append(str(err))
        return ""
    facts = store.fact_set(int(version))
    held, stored = {(f.origin, f) for f in snapshot.facts}, {(f.origin, f) for f in facts}
    if held != stored:
        problems.append(f"its facts are not the store's fact base of version {version}: {len(stored - held)} "
                        f"missing, {len(held - stored)} not in the store")
    for moment, model in snapshot.models.items():
        recomputed = MomentModel(program, facts, moment).relations
        differ = sorted(name for name, rel in model.relations.items()
                        if name not in recomputed or set(rel.rows) != set(recomputed[name].rows))
        if differ:
            problems.append(f"its model of {moment.isoformat()} differs from one recomputed from the store in "
                            f"{len(differ)} relation(s): {', '.join(differ[:5])}")
    return ""


def _program(version: str, db: Database, kb_dir) -> Program | None:
    """The analysed rules of a version: those of `kb_dir` if they are it, else the texts the store
    keeps (None: neither)."""
    running = load_knowledge_base(kb_dir)
    if running.version == version:
        return Program(running)
    sources = DecisionLog(db).rule_version(version)
    kept = check_texts(sources, roles=running.vocabulary.roles)[0] if sources is not None else None
    return Program(kept) if kept is not None and kept.version == version else None
