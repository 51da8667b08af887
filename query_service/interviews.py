"""Interviews: when the stored facts leave an outcome open, ask the questions that would decide it.

Shared by the API (`/v1/interviews`) and the pages (`/interviews`). An interview holds a question
and the answers given so far; each step decides again (kb/explain/interview.py lists the open
questions). A "yes" acts as a hypothetical fact for this interview only and a "no" leaves the fact
absent; neither is ever stored as a fact, and nothing is written to the decision log (a decision
worth keeping is asked through /v1/decisions with the answers as `hypothetical` facts).

Interviews are kept in the store (table `interviews`), so every worker process and replica sharing
it serves them. Each belongs to whoever opened it — a token, by a digest of it, whether it came as
a bearer header or through a page's login — and is found only by its owner: to anyone else it does
not exist. An owner keeps at most MAX_PER_OWNER interviews (starting one more drops that owner's
oldest), and an interview untouched for EXPIRES is dropped, so no one can push out another's
interviews. Two answers racing on one interview cannot both apply: the second gets
InterviewChanged and changes nothing.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import uuid
import weakref

from kb.decide import Question
from kb.explain.explainer import question_words
from kb.explain.interview import answer_fact, open_questions
from kb.facts.validate import build_fact
from kb.language.ast import Position
from kb.store.db import Database

from .state import state

MAX_PER_OWNER = 50
EXPIRES = datetime.timedelta(days=2)
SCHEMA = [
    """CREATE TABLE IF NOT EXISTS interviews (
        id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        version INTEGER NOT NULL,
        body TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS interviews_owner ON interviews (owner, updated_at)",
    "CREATE INDEX IF NOT EXISTS interviews_updated ON interviews (updated_at)",
]


class UnknownQuestion(ValueError):
    """An answer to a question that is not open in the interview."""

    def __init__(self, question_id: str, open_ids):
        super().__init__(f"`{question_id}` is not one of the open questions: {', '.join(open_ids) or 'none'}")
        self.question_id = question_id


class InterviewChanged(RuntimeError):
    """Another answer changed the interview first; this one changed nothing."""


def owner_of_token(token: str) -> str:
    """Whom an interview started with this token belongs to (through the API or the pages' login):
    a digest of the token for this purpose alone, so the store never holds one a client could use."""
    return hashlib.sha256(b"deelwijzer interview owner\0" + token.encode("utf-8")).hexdigest()


_READY: weakref.WeakSet = weakref.WeakSet()  # the databases whose interview table exists


def _db() -> Database:
    db = state().db
    if db not in _READY:
        db.create_schema(SCHEMA)
        _READY.add(db)
    return db


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def start(request: dict, question: Question, owner: str) -> dict:
    """Start an interview on a checked question (`request`: its fields as recorded) for `owner`; its
    state. Raises DecisionError for an unknown person, item or setting, and stores nothing then."""
    interview = {"id": uuid.uuid4().hex, "request": request, "yes": [], "no": [], "outcomes": [],
                 "paused": False, "ended": False}
    out = view(interview, question)
    now = _now()
    with _db().transaction() as cur:
        cur.execute("DELETE FROM interviews WHERE updated_at < ?", ((now - EXPIRES).isoformat(),))
        cur.execute("INSERT INTO interviews (id, owner, updated_at, version, body) VALUES (?, ?, ?, 1, ?)",
                    (interview["id"], owner, now.isoformat(), json.dumps(interview)))
        kept = cur.execute("SELECT id FROM interviews WHERE owner = ? ORDER BY updated_at DESC, id",
                           (owner,)).fetchall()
        for (old,) in kept[MAX_PER_OWNER:]:
            cur.execute("DELETE FROM interviews WHERE id = ? AND owner = ?", (old, owner))
    return out


def find(interview_id: str, owner: str) -> dict | None:
    """The interview with this id if `owner` opened it (and it has not expired), else None."""
    rows = _db().query("SELECT body, version, updated_at FROM interviews WHERE id = ? AND owner = ?",
                       (interview_id, owner))
    if not rows or rows[0][2] < (_now() - EXPIRES).isoformat():
        return None
    interview = json.loads(rows[0][0])
    return {**interview, "_version": rows[0][1], "_owner": owner}


def answer(interview: dict, question_id: str, yes: bool) -> dict:
    """Record one answer to an open question and decide again; the new state. Raises
    UnknownQuestion (and changes nothing) when the question is not open, InterviewChanged when
    another answer came first."""
    asked = interview.get("open", {}).get(question_id)
    if asked is None or interview.get("ended"):
        raise UnknownQuestion(question_id, [] if interview.get("ended") else interview.get("open", {}))
    updated = {**interview, "yes": list(interview["yes"]), "no": list(interview["no"])}
    (updated["yes"] if yes else updated["no"]).append(asked)
    out = view(updated)  # a failure here leaves the interview as it was
    # An answer that changes the outcome reaches one: the page then asks whether to go on.
    outcomes = updated["outcomes"]
    updated["paused"] = out["reached"] = len(outcomes) > 1 and outcomes[-1] != outcomes[-2]
    _save(updated)
    return out


def go_on(interview: dict) -> None:
    """After an answer was reached: ask the next question."""
    _save({**interview, "paused": False})


def end(interview: dict) -> None:
    """Stop asking: the interview keeps its answers and outcome, and takes no more answers."""
    _save({**interview, "paused": False, "ended": True})


def _save(interview: dict) -> None:
    body = {k: v for k, v in interview.items() if not k.startswith("_")}
    with _db().transaction() as cur:
        cur.execute("UPDATE interviews SET body = ?, version = version + 1, updated_at = ? "
                    "WHERE id = ? AND owner = ? AND version = ?",
                    (json.dumps(body), _now().isoformat(), interview["id"], interview["_owner"], interview["_version"]))
        if cur.cursor.rowcount != 1:
            raise InterviewChanged(interview["id"])


def view(interview: dict, question: Question | None = None) -> dict:
    """Decide the question with the answers so far, and list the questions still open."""
    st = state()
    with st.changing():  # one snapshot of rules and facts for all the re-decisions
        ws = st.workspace
        base = question or question_of(interview["request"], ws.kb)
        yes = tuple(answer_fact(ws.kb, asked, base) for asked in interview["yes"])
        asked = Question(base.actor, base.recipient, base.item, base.at, base.setting, base.hypothetical + yes)

        def decide_with(extra):
            return ws.decide(Question(asked.actor, asked.recipient, asked.item, asked.at,
                                      asked.setting, asked.hypothetical + tuple(extra)))
        decision = decide_with(())
        answered = {q["id"] for q in interview["yes"] + interview["no"]}
        questions = [] if interview.get("ended") else open_questions(ws.kb, ws.facts, asked, decide_with, answered)
        words, _ = question_words(ws.kb, ws.facts, asked)
    interview["open"] = {q["id"]: q for q in questions}
    if not interview["outcomes"] or len(interview["outcomes"]) <= len(answered):
        interview["outcomes"] = [*interview["outcomes"], decision.outcome]
    return {
        "id": interview["id"], "question": interview["request"], "outcome": decision.outcome,
        "deciding_rules": list(decision.deciding_rules), "kb_version": decision.kb_version,
        "facts_version": decision.facts_version, "questions": questions, "words": words,
        "answers": [{"question": q["id"], "answer": answer_, "predicate": q["predicate"], "args": q["args"],
                     "text": q["text"]}
                    for answer_, given in ((True, interview["yes"]), (False, interview["no"])) for q in given],
        "started_with": interview["outcomes"][0], "reached": bool(interview.get("paused")),
        "ended": bool(interview.get("ended")),
    }


def question_of(request: dict, kb) -> Question:
    """The Question of a stored interview request (its hypothetical facts were checked when it started)."""
    facts = []
    for raw in request.get("hypothetical", []):
        fact, problems = build_fact(raw, kb.vocabulary, Position("interview", 1, 1), "hypothetical")
        if fact is None:  # checked at the start, on rules that have changed since
            raise ValueError("; ".join(p.message for p in problems))
        facts.append(fact)
    return Question(request["actor"], request["recipient"], request["item"],
                    datetime.date.fromisoformat(request["at"]), request["setting"], tuple(facts))
