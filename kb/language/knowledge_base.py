"""A checked knowledge base: the vocabulary plus every rule file, loaded all-or-nothing."""
from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .ast import Position, Rule, RuleFile
from .checks import check_rules, strata
from .conditions import CONDITIONS_FILE, Condition, check_condition_references, conditions_from_text
from .diagnostics import PARSE_CODES, Diagnostic, KnowledgeBaseError, errors_only
from .law import DEFAULT_LAW, check_citations
from .parser import parse_text
from .vocabulary import OPTIONAL_ROLES, ROLE_NAMES, Roles, Vocabulary, vocabulary_from_text

DEFAULT_DIR = Path(__file__).resolve().parent.parent  # kb/
RULE_SUFFIX = ".dl"


@dataclass
class KnowledgeBase:
    """Rules and vocabulary that passed every check. Immutable once built."""

    vocabulary: Vocabulary
    files: tuple[RuleFile, ...]
    version: str  # hash of the rules' and vocabulary's text
    sources: dict[str, str] = field(repr=False)  # path -> text, to show and to keep versions
    conditions: dict[str, Condition] = field(default_factory=dict, repr=False)
    rules: tuple[Rule, ...] = field(init=False)
    by_id: dict[str, Rule] = field(init=False, repr=False)
    by_head: dict[str, tuple[Rule, ...]] = field(init=False, repr=False)
    strata: list[set[str]] = field(init=False, repr=False)

    def __repr__(self) -> str:
        return f"KnowledgeBase(version={self.version!r}, rules={len(self.rules)})"

    @property
    def roles(self) -> Roles:
        """The predicates playing the decision layer's roles (a checked knowledge base has them all)."""
        assert self.vocabulary.roles is not None, "check_texts refuses a vocabulary without every role"
        return self.vocabulary.roles

    def __post_init__(self) -> None:
        self.rules = tuple(rule for f in self.files for rule in f.rules)
        self.by_id = {rule.id: rule for rule in self.rules}
        heads: dict[str, list[Rule]] = {}
        for rule in self.rules:
            heads.setdefault(rule.head.predicate, []).append(rule)
        self.by_head = {k: tuple(v) for k, v in heads.items()}
        self.strata = strata(list(self.rules))


def rule_files(directory: Path) -> list[Path]:
    return sorted((directory / "rules").glob(f"*{RULE_SUFFIX}"))


def copy_knowledge_base(target: Path | str, source: Path | str = DEFAULT_DIR) -> Path:
    """Copy a knowledge base (vocabulary, conditions, rule files) into `target`, e.g. to edit it
    without touching the shipped one. Returns `target`."""
    source, target = Path(source), Path(target)
    (target / "rules").mkdir(parents=True, exist_ok=True)
    for name in ("vocabulary.yaml", CONDITIONS_FILE):
        if (source / name).exists():
            shutil.copy(source / name, target / name)
    for path in rule_files(source):
        shutil.copy(path, target / "rules" / path.name)
    return target


def law_reference(directory: Path) -> Path:
    """The law reference a knowledge-base directory is checked against: its own `law.md` if it
    has one (a copy under test), else the project's `docs/law.md`."""
    own = directory / "law.md"
    return own if own.exists() else DEFAULT_LAW


def check_directory(directory: Path | str = DEFAULT_DIR) -> tuple[KnowledgeBase | None, list[Diagnostic]]:
    """Parse and check a knowledge-base directory (vocabulary.yaml, conditions.yaml, rules/*.dl),
    with every `@source` citation checked against the law reference.

    Returns the knowledge base (None if there is any error) and every diagnostic, warnings
    included, sorted.
    """
    directory = Path(directory)
    sources, undecodable = {}, []
    paths = [directory / name for name in ("vocabulary.yaml", CONDITIONS_FILE)
             if name == "vocabulary.yaml" or (directory / name).exists()]
    for path in [*paths, *rule_files(directory)]:
        text, diagnostic = read_source(path)
        if diagnostic is not None:
            undecodable.append(diagnostic)
        sources[str(path)] = text
    law = law_reference(directory)
    law_text = None
    if law.exists():
        text, diagnostic = read_source(law)
        if diagnostic is not None:
            undecodable.append(diagnostic)
        law_text = (str(law), text)
    if undecodable:
        return None, sorted(undecodable)
    return check_texts(sources, law_text)


def read_source(path: Path) -> tuple[str, Diagnostic | None]:
    """A source file's text, or a diagnostic at the first byte that is not UTF-8 (never a traceback)."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as err:
        before = data[:err.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        code = "vocabulary" if path.name == "vocabulary.yaml" else "syntax"
        return "", Diagnostic(Position(str(path), line, column), code,
                              f"the file is not UTF-8 text: byte 0x{data[err.start]:02x} cannot be read",
                              suggestion="save the file as UTF-8")


def check_texts(sources: dict[str, str], law: tuple[str, str] | None = None, roles: Roles | None = None
                ) -> tuple[KnowledgeBase | None, list[Diagnostic]]:
    """Check a knowledge base given as texts: {path: text}, one `vocabulary.yaml`, at most one
    `conditions.yaml` and rule files ending in .dl (taken in order of their file names). Positions
    name the paths as given, so a rule set kept in the decision log rebuilds with the same
    locations and the same version. `law` is (path, text) of the law reference to check
    citations against; a kept rule set is rebuilt without it. `roles` stands in for a vocabulary
    that declares no `roles:` at all (a rule set kept before roles were declared)."""
    vocab_paths = [p for p in sources if Path(p).name == "vocabulary.yaml"]
    if len(vocab_paths) != 1:
        raise ValueError("a knowledge base has exactly one vocabulary.yaml")
    try:
        vocab = vocabulary_from_text(sources[vocab_paths[0]], vocab_paths[0])
    except KnowledgeBaseError as err:
        return None, err.diagnostics
    required = len(ROLE_NAMES) - len(OPTIONAL_ROLES)
    if vocab.roles is None and roles is not None and len(vocab.missing_roles) == required:
        vocab.roles, vocab.missing_roles = roles, ()  # a kept rule set from before `roles:` existed
    conditions: dict[str, Condition] = {}
    for path in (p for p in sources if Path(p).name == CONDITIONS_FILE):
        try:
            conditions = conditions_from_text(sources[path], path)
        except KnowledgeBaseError as err:
            return None, err.diagnostics
    diagnostics: list[Diagnostic] = [
        Diagnostic(vocab.roles_pos or Position(vocab.path, 1, 1), "vocabulary-missing-role",
                   f"the vocabulary names no predicate for the role `{role}`, which the decision layer needs",
                   suggestion=f"add `{role}: <predicate>` under `roles:` in vocabulary.yaml")
        for role in vocab.missing_roles]
    files = []
    for path in sorted((p for p in sources if p.endswith(RULE_SUFFIX)), key=lambda p: Path(p).name):
        parsed, diags = parse_text(sources[path], path)
        files.append(parsed)
        diagnostics += diags
    rules = [r for f in files for r in f.rules]
    diagnostics += check_rules(rules, vocab, complete=not any(d.code in PARSE_CODES for d in diagnostics))
    diagnostics += check_condition_references(rules, conditions)
    if law is not None:
        diagnostics += check_citations(rules, law[1], law[0])
    diagnostics = sorted(set(diagnostics))
    if errors_only(diagnostics):
        return None, diagnostics
    digest = hashlib.sha256()
    for path in sorted(sources):
        digest.update(Path(path).name.encode() + b"\0" + sources[path].encode() + b"\0")
    return KnowledgeBase(vocab, tuple(files), digest.hexdigest()[:16], sources, conditions), diagnostics


def load_knowledge_base(directory: Path | str = DEFAULT_DIR) -> KnowledgeBase:
    """Load a knowledge base or raise KnowledgeBaseError with every problem at once."""
    kb, diagnostics = check_directory(directory)
    if kb is None:
        raise KnowledgeBaseError(diagnostics)
    return kb
