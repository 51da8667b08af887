"""Static checks of rules against the vocabulary: what `kb check` reports.

Each check is a small function from the rules (and vocabulary) to diagnostics. `check_rules` runs
them all and returns every problem, sorted by location.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from .ast import Atom, Comparison, Constant, FunctionCall, Negation, Position, Rule, Variable
from .diagnostics import Diagnostic, did_you_mean
from .suggest import by_reading
from .vocabulary import CONCLUDED, PLACEHOLDER, Kind, Vocabulary

_CONSTANT_TYPE = {"number": "number", "date": "date"}


def check_rules(rules: list[Rule], vocab: Vocabulary, complete: bool = True) -> list[Diagnostic]:
    """Every problem with these rules, sorted by file, line and column.

    `complete` is False when some rule file did not parse: the rules its broken text held are
    unknown, so the checks of the rule set as a whole (a derived predicate no rule concludes, a rule
    no decision depends on) are left out — they would only report what the broken text hid."""
    diags: list[Diagnostic] = []
    for rule in rules:
        slips = lowercase_variables(rule, vocab)
        found = (check_names_and_types(rule, vocab) + check_safety(rule) + check_annotations(rule)
                 + check_singletons(rule))
        diags += _without_follow_ons(found, slips) + [_lowercase_diagnostic(rule, c, meant) for c, meant in slips]
    diags += check_unique_ids(rules)
    diags += check_kinds(rules, vocab)
    diags += check_stratification(rules, vocab)
    if complete:
        diags += check_derived_defined(rules, vocab)
        diags += check_reachability(rules, vocab)
    return sorted(set(diags))


def _a(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _atoms(rule: Rule) -> Iterable[tuple[Atom, bool]]:
    """The rule's atoms with whether each is the head."""
    yield rule.head, True
    for lit in rule.body:
        if isinstance(lit, Atom):
            yield lit, False
        elif isinstance(lit, Negation):
            yield lit.atom, False


def _terms_in_comparisons(rule: Rule):
    for lit in rule.body:
        if isinstance(lit, Comparison):
            yield lit.left
            yield lit.right


def check_names_and_types(rule: Rule, vocab: Vocabulary) -> list[Diagnostic]:
    """Unknown predicates and functions, wrong arity, bad constants, variables used at two types."""
    diags = []
    var_types: dict[str, tuple[str, Position]] = {}

    def note_type(var: Variable, type_name: str, where: str) -> None:
        seen = var_types.get(var.name)
        if seen is None:
            var_types[var.name] = (type_name, var.pos)
        elif seen[0] != type_name:
            diags.append(Diagnostic(var.pos, "type-mismatch",
                                    f"`{var.name}` is used as {_a(type_name)} {where}, but as {_a(seen[0])} at "
                                    f"line {seen[1].line}", rule.heading,
                                    "use two different variables if two different things are meant"))

    for atom, _ in _atoms(rule):
        pred = vocab.predicates.get(atom.predicate)
        if pred is None:
            candidates = {f"{p.name}/{p.arity}": p for p in vocab.predicates.values()}
            # A misspelt name first, then a name in the words of a reading (often Dutch), then a name
            # merely like another.
            hint = (did_you_mean(atom.key, candidates) or by_reading(atom.predicate, len(atom.args), vocab)
                    or did_you_mean(atom.predicate, vocab.predicates))
            diags.append(Diagnostic(atom.pos, "unknown-predicate",
                                    f"unknown predicate `{atom.key}`", rule.heading,
                                    hint or f"no predicate of the vocabulary (kb/vocabulary.yaml) is named or reads "
                                            f"like `{atom.predicate}`: declare it there first, with its Dutch and "
                                            f"English reading"))
            continue
        if pred.arity != len(atom.args):
            diags.append(Diagnostic(atom.pos, "arity",
                                    f"`{atom.predicate}` takes {pred.arity} argument(s) "
                                    f"({', '.join(a.name for a in pred.args)}), but {len(atom.args)} are given",
                                    rule.heading))
            continue
        for arg, term in zip(pred.args, atom.args):
            if isinstance(term, Variable):
                note_type(term, arg.type, f"in `{atom.predicate}`")
            elif isinstance(term, Constant):
                diags += _check_constant(term, arg.type, atom.predicate, vocab, rule)
            else:
                diags.append(Diagnostic(term.pos, "syntax",
                                        f"a function like `{term.name}(…)` can only be used in a comparison",
                                        rule.heading))
    for term in _terms_in_comparisons(rule):
        diags += _check_function(term, vocab, rule, note_type)
    return diags


def _check_constant(term: Constant, type_name: str, where: str, vocab: Vocabulary, rule: Rule):
    problem = vocab.check_value(type_name, term.value)
    if problem is None:
        return []
    code = "unknown-value" if vocab.types[type_name].values is not None and isinstance(term.value, str) \
        else "type-mismatch"
    return [Diagnostic(term.pos, code, f"in `{where}`: {problem}", rule.heading)]


def _check_function(term, vocab: Vocabulary, rule: Rule, note_type) -> list[Diagnostic]:
    if not isinstance(term, FunctionCall):
        return []
    fn = vocab.functions.get(term.name)
    if fn is None:
        return [Diagnostic(term.pos, "unknown-function", f"unknown function `{term.name}`", rule.heading,
                           did_you_mean(term.name, vocab.functions)
                           or f"the functions are {', '.join(sorted(vocab.functions))}")]
    if len(fn.arg_types) != len(term.args):
        return [Diagnostic(term.pos, "arity", f"`{term.name}` takes {len(fn.arg_types)} argument(s), "
                                              f"but {len(term.args)} are given", rule.heading)]
    diags = []
    for arg_type, arg in zip(fn.arg_types, term.args):
        if isinstance(arg, Variable):
            note_type(arg, arg_type, f"in `{term.name}`")
        elif isinstance(arg, Constant):
            diags += _check_constant(arg, arg_type, term.name, vocab, rule)
    return diags


def check_safety(rule: Rule) -> list[Diagnostic]:
    """Every variable must get its value from a positive condition of the rule."""
    bound = {name for atom in rule.positive_atoms() for name in atom.variables()}
    diags = []
    reported: set[tuple[str, str]] = set()

    def unsafe(var_name: str, pos: Position, code: str, where: str) -> None:
        if (var_name, code) in reported:
            return
        reported.add((var_name, code))
        diags.append(Diagnostic(pos, code, f"variable `{var_name}` {where} never gets a value",
                                rule.heading,
                                f"add a positive condition that mentions `{var_name}` (for example the "
                                f"fact it comes from), or replace it by a value"))

    for term in rule.head.args:
        for var in _variables_with_pos(term):
            if var.name not in bound:
                unsafe(var.name, var.pos, "unsafe-head-variable", "in the conclusion")
    for lit in rule.body:
        if isinstance(lit, Negation):
            for term in lit.atom.args:
                for var in _variables_with_pos(term):
                    if var.name not in bound:
                        unsafe(var.name, var.pos, "unsafe-negation", "in a `not` condition")
        elif isinstance(lit, Comparison):
            for var in _variables_with_pos(lit.left) + _variables_with_pos(lit.right):
                if var.name not in bound:
                    unsafe(var.name, var.pos, "unsafe-comparison", "in a comparison")
    return diags


def _variables_with_pos(term) -> list[Variable]:
    if isinstance(term, Variable):
        return [term]
    if isinstance(term, FunctionCall):
        return [v for arg in term.args for v in _variables_with_pos(arg)]
    return []


def check_annotations(rule: Rule) -> list[Diagnostic]:
    """Each rule needs an id, a source and both readings; readings may only name rule variables."""
    diags = []
    what = f"the rule concluding `{rule.head.predicate}`"
    if not rule.id:
        diags.append(Diagnostic(rule.pos, "missing-id", f"{what} has no `@id`", rule.heading,
                                "add a line `@id: B2.shared_secrecy` (statement number and a short name) "
                                "above the rule"))
    if not rule.source:
        named = f"rule `{rule.id}`" if rule.id else what
        under = f" (under “{rule.heading}”)" if rule.heading else ""
        diags.append(Diagnostic(rule.pos, "missing-source", f"{what} has no `@source`", rule.heading,
                                f"add a line `@source: B2; brochure § \"…\"; art. 458 Sw.` above {named}"
                                f"{under}: the statement number, the brochure's section and the articles "
                                f"it encodes"))
    variables = set(rule.variables())
    for lang, name in (("nl", "Dutch"), ("en", "English")):
        ann = rule.annotation(lang)
        if ann is None or not ann.value:
            diags.append(Diagnostic(rule.pos, "missing-reading", f"{what} has no {name} reading (`@{lang}`)",
                                    rule.heading, f"add a line `@{lang}: …` that reads the rule aloud, "
                                                  f"with its variables in braces like {{Actor}}"))
            continue
        for match in PLACEHOLDER.finditer(ann.value):
            name_in_braces = match.group(1)
            if name_in_braces not in variables:
                column = ann.value_column + match.start()
                diags.append(Diagnostic(
                    Position(ann.pos.file, ann.pos.line, column, ann.pos.line, column + len(match.group(0))),
                    "template-placeholder",
                    f"the {name} reading names `{{{name_in_braces}}}`, which is not a variable of this rule",
                    rule.heading, did_you_mean(name_in_braces, variables)
                    or f"the rule's variables are {', '.join(sorted(variables)) or 'none'}"))
    return diags


def _fold(name: str) -> str:
    """A name with case and `_` ignored: `given_on`, `givenon` and `GivenOn` fold alike."""
    return name.replace("_", "").lower()


def _symbols(rule: Rule, vocab: Vocabulary) -> Iterable[tuple[Constant, str | None]]:
    """Every name constant of the rule with the type of the argument it stands in; in a comparison,
    the type of the variable it is compared with (None when that is not known)."""
    variable_types: dict[str, str] = {}
    for atom, _ in _atoms(rule):
        pred = vocab.predicates.get(atom.predicate)
        types = [a.type for a in pred.args] if pred is not None and pred.arity == len(atom.args) else []
        for n, term in enumerate(atom.args):
            if isinstance(term, Constant) and term.kind == "symbol":
                yield term, (types[n] if types else None)
            elif isinstance(term, Variable) and types:
                variable_types.setdefault(term.name, types[n])
    for lit in rule.body:
        if isinstance(lit, Comparison):
            for term, other in ((lit.left, lit.right), (lit.right, lit.left)):
                if isinstance(term, Constant) and term.kind == "symbol":
                    yield term, variable_types.get(other.name) if isinstance(other, Variable) else None
                elif isinstance(term, FunctionCall):
                    fn = vocab.functions.get(term.name)
                    for n, arg in enumerate(term.args):
                        if isinstance(arg, Constant) and arg.kind == "symbol":
                            yield arg, (fn.arg_types[n] if fn is not None and n < len(fn.arg_types) else None)


def lowercase_variables(rule: Rule, vocab: Vocabulary) -> list[tuple[Constant, str]]:
    """Names written where a variable of the rule is meant, with the variable: the name folds to a
    variable of the rule or to a `{Placeholder}` of its readings, and is no value its argument's
    type declares (`school` stays the value of the type `group` beside a variable `School`)."""
    meant = {_fold(m.group(1)): m.group(1) for lang in ("nl", "en") for m in PLACEHOLDER.finditer(rule.reading(lang))}
    meant.update({_fold(name): name for name in rule.variables()})
    found = []
    for constant, type_name in _symbols(rule, vocab):
        name = meant.get(_fold(str(constant.value)))
        declared = vocab.types[type_name].values if type_name in vocab.types else None
        if name is not None and not (declared is not None and constant.value in declared):
            found.append((constant, name))
    return found


def _lowercase_diagnostic(rule: Rule, constant: Constant, meant: str) -> Diagnostic:
    return Diagnostic(constant.pos, "lowercase-variable",
                      f"`{constant.value}` starts with a lower-case letter, so it is read as the fixed name "
                      f"`{constant.value}`, not as the variable `{meant}`", rule.heading,
                      f"a variable starts with a capital letter: write `{meant}`")


def _without_follow_ons(diags: list[Diagnostic], slips: list[tuple[Constant, str]]) -> list[Diagnostic]:
    """A rule's diagnostics without those a lower-case variable causes: a wrong value or type at the
    name itself, a reading's `{Placeholder}` or a variable left alone once the name was read as a value."""
    if not slips:
        return diags
    at = {constant.pos for constant, _ in slips}
    meant = {name for _, name in slips}
    return [d for d in diags if not (
        (d.pos in at and d.code in ("unknown-value", "type-mismatch"))
        or (d.code == "template-placeholder" and any(f"`{{{name}}}`" in d.message for name in meant))
        or (d.code == "singleton-variable" and any(f"variable `{name}` " in d.message for name in meant)))]


def _variable_occurrences(rule: Rule) -> list[Variable]:
    """Every occurrence of a variable in the clause, head first, in writing order."""
    found: list[Variable] = []
    for term in rule.head.args:
        found += _variables_with_pos(term)
    for lit in rule.body:
        if isinstance(lit, Atom):
            terms = list(lit.args)
        elif isinstance(lit, Negation):
            terms = list(lit.atom.args)
        else:
            terms = [lit.left, lit.right]
        for term in terms:
            found += _variables_with_pos(term)
    return found


def check_singletons(rule: Rule) -> list[Diagnostic]:
    """Warn about a variable written only once in a clause: it joins nothing, so it is usually a typo.

    A variable that the rule's readings name (`{GivenOn}`) is shown in every explanation, so it is
    used even when the clause mentions it once; `_`-prefixed variables say "any value" on purpose.
    """
    occurrences = _variable_occurrences(rule)
    counts: dict[str, int] = defaultdict(int)
    for var in occurrences:
        counts[var.name] += 1
    in_readings = {m.group(1) for lang in ("nl", "en") for m in PLACEHOLDER.finditer(rule.reading(lang))}
    diags = []
    for var in occurrences:
        if counts[var.name] != 1 or var.name.startswith("_") or var.name in in_readings:
            continue
        others = [name for name in counts if name != var.name]
        hint = did_you_mean(var.name, others, f"(another variable of rule `{rule.id or '?'}`)")
        diags.append(Diagnostic(
            var.pos, "singleton-variable",
            f"variable `{var.name}` occurs only once in rule `{rule.id or '?'}`, so it matches anything",
            rule.heading,
            hint or f"if any value is meant, write `_{var.name}`; otherwise use the same name where it "
                    f"should join"))
    return diags


def check_unique_ids(rules: list[Rule]) -> list[Diagnostic]:
    first: dict[str, Rule] = {}
    diags = []
    for rule in rules:
        if not rule.id:
            continue
        if rule.id in first:
            other = first[rule.id]
            diags.append(Diagnostic(_id_pos(rule), "duplicate-id",
                                    f"the id `{rule.id}` is already used at {_id_pos(other)}",
                                    rule.heading, "give every rule its own id"))
        else:
            first[rule.id] = rule
    return diags


def check_kinds(rules: list[Rule], vocab: Vocabulary) -> list[Diagnostic]:
    """Input and context predicates are never concluded (facts and the question state them)."""
    diags = []
    for rule in rules:
        pred = vocab.predicates.get(rule.head.predicate)
        if pred and pred.kind == Kind.INPUT:
            diags.append(Diagnostic(rule.head.pos, "input-defined-by-rule",
                                    f"`{pred.name}` is an input predicate: facts state it, rules may not conclude it",
                                    rule.heading, "conclude a derived predicate instead, or change its kind "
                                                  "to `derived` in the vocabulary"))
        elif pred and pred.kind == Kind.CONTEXT:
            diags.append(Diagnostic(rule.head.pos, "context-defined-by-rule",
                                    f"`{pred.name}` is supplied by the question; rules may not conclude it",
                                    rule.heading))
    return diags


def check_derived_defined(rules: list[Rule], vocab: Vocabulary) -> list[Diagnostic]:
    """A derived or decision predicate used in a condition must be concluded by some rule."""
    diags = []
    defined = {rule.head.predicate for rule in rules}
    reported = set()
    for rule in rules:
        for atom, is_head in _atoms(rule):
            pred = vocab.predicates.get(atom.predicate)
            if (not is_head and pred and pred.kind in CONCLUDED
                    and pred.name not in defined and pred.name not in reported):
                reported.add(pred.name)
                diags.append(Diagnostic(atom.pos, "derived-never-defined",
                                        f"`{pred.name}` is a derived predicate, but no rule concludes it, "
                                        f"so this condition can never hold", rule.heading,
                                        f"write a rule concluding `{pred.name}`, or make it an input predicate"))
    return diags


def dependency_graph(rules: Iterable[Rule]) -> dict[str, set[tuple[str, bool]]]:
    """head predicate -> {(body predicate, negated)}."""
    graph: dict[str, set[tuple[str, bool]]] = defaultdict(set)
    for rule in rules:
        for lit in rule.body:
            if isinstance(lit, Atom):
                graph[rule.head.predicate].add((lit.predicate, False))
            elif isinstance(lit, Negation):
                graph[rule.head.predicate].add((lit.atom.predicate, True))
    return graph


def depending_on(graph: dict[str, set[tuple[str, bool]]], predicates: Iterable[str]) -> set[str]:
    """`predicates` and every predicate that (transitively) depends on one of them, in `graph`
    (a dependency_graph)."""
    reached = set(predicates)
    while True:
        more = {head for head, body in graph.items() if head not in reached
                and any(dep in reached for dep, _negated in body)}
        if not more:
            return reached
        reached |= more


def strata(rules: list[Rule]) -> list[set[str]]:
    """Strongly connected components of the predicate graph, dependencies first (Tarjan)."""
    graph = dependency_graph(rules)
    nodes = set(graph) | {dep for deps in graph.values() for dep, _ in deps}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for dep, _ in sorted(graph.get(node, ())):
            if dep not in index:
                visit(dep)
                low[node] = min(low[node], low[dep])
            elif dep in on_stack:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            components.append(component)

    for node in sorted(nodes):
        if node not in index:
            visit(node)
    return components


def check_stratification(rules: list[Rule], vocab: Vocabulary) -> list[Diagnostic]:
    """No predicate may depend on its own negation (through any chain of rules)."""
    diags = []
    graph = dependency_graph(rules)
    for component in strata(rules):
        for rule in rules:
            if rule.head.predicate not in component:
                continue
            for lit in rule.body:
                if isinstance(lit, Negation) and lit.atom.predicate in component:
                    cycle = _cycle(graph, lit.atom.predicate, rule.head.predicate, component)
                    diags.append(Diagnostic(
                        lit.pos, "negation-cycle",
                        f"`{rule.head.predicate}` depends on `not {lit.atom.predicate}`, which depends on "
                        f"`{rule.head.predicate}` again: {' -> '.join(cycle)}", rule.heading,
                        "a predicate may not depend on its own negation; break the cycle by splitting the "
                        "predicate in two"))
    return diags


def _cycle(graph, start: str, goal: str, component: set[str]) -> list[str]:
    """A shortest path start -> ... -> goal inside the component, printed with the negated edge first."""
    from collections import deque
    queue = deque([[goal, start]])
    seen = {start}
    while queue:
        path = queue.popleft()
        if path[-1] == goal and len(path) > 1 and path != [goal] and (len(path) > 2 or start == goal):
            return [path[0]] + ["not " + path[1]] + path[2:]
        for dep, _ in sorted(graph.get(path[-1], ())):
            if dep in component and (dep not in seen or dep == goal):
                seen.add(dep)
                queue.append(path + [dep])
    return [goal, "not " + start, goal]


def check_reachability(rules: list[Rule], vocab: Vocabulary) -> list[Diagnostic]:
    """Rules whose conclusion no decision (nor what a reader may see) depends on are dead law: report them."""
    graph = dependency_graph(rules)
    reachable: set[str] = set()
    todo = [p.name for p in vocab.by_kind(Kind.DECISION)] + [p.name for p in vocab.predicates.values() if p.disclosure]
    while todo:
        pred = todo.pop()
        if pred in reachable:
            continue
        reachable.add(pred)
        todo.extend(dep for dep, _ in graph.get(pred, ()))
    return [Diagnostic(rule.head.pos, "unreachable-rule",
                       f"no decision depends on `{rule.head.predicate}`, so rule `{rule.id or '?'}` never matters",
                       rule.heading, "use its conclusion in a rule that leads to a decision, or remove it")
            for rule in rules
            if rule.head.predicate in vocab.predicates and rule.head.predicate not in reachable]


def _id_pos(rule: Rule) -> Position:
    """Where a rule's @id is written (a rule with an id has the annotation; else its head)."""
    found = rule.annotation("id")
    return found.pos if found is not None else rule.head.pos
