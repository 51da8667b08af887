"""Interviews: when the stored facts leave an outcome open, ask the questions that would decide it.

Shared by the API (`/v1/interviews`) and the pages (`/interviews`). An interview holds a question
and the answers given so far; each step decides again (kb/explain/interview.py lists the open
questions). A "yes" acts as a hypothetical fact for this interview only and a "no" leaves the fact
absent; neither is ever stored, and nothing is written to the decision log (a decision worth
keeping is asked through /v1/decisions with the answers as `hypothetical` facts). Interviews live
in this process's memory, the oldest dropped beyond MAX_INTERVIEWS.
"""
from __future__ import annotations

import threading
import uuid
from collections import OrderedDict

from flask import current_app

from kb.decide import Question
from kb.explain.interview import answer_fact, open_questions

from .state import state

MAX_INTERVIEWS = 1000
_KEY = "deelwijzer.interviews"


class UnknownQuestion(ValueError):
    """An answer to a question that is not open in the interview."""

    def __init__(self, question_id: str, open_ids):
        super().__init__(f"`{question_id}` is not one of the open questions: {', '.join(open_ids) or 'none'}")
        self.question_id = question_id


def _store() -> tuple[OrderedDict, threading.Lock]:
    return current_app.extensions.setdefault(_KEY, (OrderedDict(), threading.Lock()))


def start(request: dict, question: Question) -> dict:
    """Start an interview on a checked question (`request`: its fields as recorded); its state.
    Raises DecisionError for an unknown person, item or setting, and stores nothing then."""
    interview = {"id": uuid.uuid4().hex, "request": request, "question": question, "yes": [], "no": []}
    out = view(interview)
    store, lock = _store()
    with lock:
        store[interview["id"]] = interview
        while len(store) > MAX_INTERVIEWS:
            store.popitem(last=False)
    return out


def find(interview_id: str) -> dict | None:
    store, lock = _store()
    with lock:
        return store.get(interview_id)


def answer(interview: dict, question_id: str, yes: bool) -> dict:
    """Record one answer to an open question and decide again; the new state. Raises
    UnknownQuestion (and changes nothing) when the question is not open."""
    asked = interview.get("open", {}).get(question_id)
    if asked is None:
        raise UnknownQuestion(question_id, interview.get("open", {}))
    updated = {**interview, "yes": list(interview["yes"]), "no": list(interview["no"])}
    (updated["yes"] if yes else updated["no"]).append(asked)
    out = view(updated)  # a failure here leaves the interview as it was
    store, lock = _store()
    with lock:
        store[interview["id"]] = updated
    return out


def view(interview: dict) -> dict:
    """Decide the question with the answers so far, and list the questions still open."""
    st = state()
    base = interview["question"]
    with st.changing():  # one snapshot of rules and facts for all the re-decisions
        ws = st.workspace
        yes = tuple(answer_fact(ws.kb, asked, base) for asked in interview["yes"])
        question = Question(base.actor, base.recipient, base.item, base.at, base.setting, base.hypothetical + yes)

        def decide_with(extra):
            return ws.decide(Question(question.actor, question.recipient, question.item, question.at,
                                      question.setting, question.hypothetical + tuple(extra)))
        decision = decide_with(())
        answered = {q["id"] for q in interview["yes"] + interview["no"]}
        questions = open_questions(ws.kb, ws.facts, question, decide_with, answered)
    interview["open"] = {q["id"]: q for q in questions}
    return {
        "id": interview["id"], "question": interview["request"], "outcome": decision.outcome,
        "deciding_rules": list(decision.deciding_rules), "kb_version": decision.kb_version,
        "facts_version": decision.facts_version, "questions": questions,
        "answers": [{"question": q["id"], "answer": answer_, "predicate": q["predicate"], "args": q["args"],
                     "text": q["text"]}
                    for answer_, given in ((True, interview["yes"]), (False, interview["no"])) for q in given],
    }
