"""The workflow helper: one transition table per workflow, one function that applies it.

Each workflow's ``states.py`` declares its ``TransitionTable``; its ``services.py`` calls ``workflow_apply``
which locks the row, looks up ``(state, action)``, checks the guard, saves the new state with
``update_fields``, writes the transition row and the audit entry in one transaction, and queues the
follow-ups after commit. No FSM library (STYLE.md).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from zhifa.core.actors import Actor
from zhifa.core.audit import audit_record, audited_transaction
from zhifa.core.errors import InvalidTransition, ValidationFailed

Guard = Callable[[Any, Any], str | None]
"""A guard gets (obj, actor) and returns None when allowed, or a Chinese reason why not."""


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    guard: Guard | None = None
    requires_reason: bool = False


@dataclass
class TransitionTable:
    name: str
    initial: str
    transitions: list[Transition]
    labels: dict[str, str] = field(default_factory=dict)
    _index: dict[tuple[str, str], Transition] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._index = {}
        for t in self.transitions:
            key = (t.source, t.action)
            if key in self._index:
                raise ValueError(f"{self.name}: duplicate transition {key}")
            self._index[key] = t

    @property
    def states(self) -> set[str]:
        return {self.initial} | {t.source for t in self.transitions} | {t.target for t in self.transitions}

    @property
    def terminal_states(self) -> set[str]:
        return {s for s in self.states if not self.actions_from(s)}

    def actions_from(self, state: str) -> list[str]:
        return [t.action for t in self.transitions if t.source == state]

    def lookup(self, state: str, action: str) -> Transition:
        try:
            return self._index[(state, action)]
        except KeyError:
            label = self.labels.get(state, state)
            raise InvalidTransition(
                f"当前状态“{label}”下不能执行“{self.labels.get(action, action)}”",
                code="invalid_transition",
                details={"state": state, "action": action, "allowed": self.actions_from(state)},
            ) from None

    def reachable(self) -> set[str]:
        seen = {self.initial}
        frontier = [self.initial]
        while frontier:
            state = frontier.pop()
            for t in self.transitions:
                if t.source == state and t.target not in seen:
                    seen.add(t.target)
                    frontier.append(t.target)
        return seen

    def mermaid(self) -> str:
        """The state diagram for the docs, drawn from the same table the code runs."""
        lines = ["stateDiagram-v2", f"    [*] --> {self.initial}"]
        lines += [f"    {t.source} --> {t.target}: {t.action}" for t in self.transitions]
        lines += [f"    {s} --> [*]" for s in sorted(self.terminal_states)]
        return "\n".join(lines)


def workflow_check(
    *, table: TransitionTable, obj: Any, action: str, actor: Actor, reason: str = "", state: str
) -> Transition:
    """The transition ``action`` takes from ``state``, with its reason and guard checked; writes nothing.

    ``workflow_apply`` calls it under the row lock, ``workflow_apply_new`` before its row's INSERT; a service
    may call it to refuse early, before it writes anything."""
    transition = table.lookup(state, action)
    if transition.requires_reason and not reason.strip():
        raise ValidationFailed("此操作必须填写理由", code="reason_required", details={"action": action})
    if transition.guard is not None:
        refusal = transition.guard(obj, actor)
        if refusal:
            raise InvalidTransition(refusal, code="transition_guard_failed", details={"action": action})
    return transition


def workflow_apply(
    *,
    table: TransitionTable,
    obj: models.Model,
    action: str,
    actor: Actor,
    reason: str = "",
    state_field: str = "status",
    record_transition: Callable[[models.Model, str, str], None] | None = None,
    extra_updates: dict[str, Any] | None = None,
    after_commit: Iterable[Callable[[], None]] = (),
    is_locked: bool = False,
) -> models.Model:
    """Apply ``action`` to ``obj`` under the row lock and return the fresh, updated object.

    ``is_locked``: the caller inserted or locked ``obj`` earlier in the open transaction, so ``obj`` is
    already the current row and no one else can change it; it is used as it is instead of read again."""
    with audited_transaction():
        locked = obj if is_locked else type(obj)._default_manager.select_for_update().get(pk=obj.pk)

        def save(updates: dict[str, Any]) -> None:
            update_fields = list(updates)
            if any(f.name == "updated_at" for f in locked._meta.concrete_fields):
                update_fields.append("updated_at")
            locked.save(update_fields=update_fields)

        _apply(
            table=table,
            obj=locked,
            action=action,
            actor=actor,
            reason=reason,
            state_field=state_field,
            write=save,
            record_transition=record_transition,
            extra_updates=extra_updates,
            after_commit=after_commit,
        )
    return locked


def workflow_apply_new(
    *,
    table: TransitionTable,
    obj: models.Model,
    action: str,
    actor: Actor,
    insert: Callable[[models.Model], None],
    reason: str = "",
    state_field: str = "status",
    record_transition: Callable[[models.Model, str, str], None] | None = None,
    extra_updates: dict[str, Any] | None = None,
    after_commit: Iterable[Callable[[], None]] = (),
) -> models.Model:
    """``workflow_apply`` for a row not stored yet: ``obj`` (unsaved, in its first state) takes ``action`` and
    is written once, already in the target state, by ``insert`` — one INSERT instead of an INSERT and an
    UPDATE (event intake stores an event triaged, ADR 0005). The same check, guard, transition row, audit
    entry and follow-ups as ``workflow_apply``: a rule added to the table applies to both."""
    if obj.pk is not None:
        raise ValueError(f"{table.name}: workflow_apply_new takes an unsaved row")
    with audited_transaction():
        _apply(
            table=table,
            obj=obj,
            action=action,
            actor=actor,
            reason=reason,
            state_field=state_field,
            write=lambda _updates: insert(obj),
            record_transition=record_transition,
            extra_updates=extra_updates,
            after_commit=after_commit,
        )
    return obj


def _apply(
    *,
    table: TransitionTable,
    obj: models.Model,
    action: str,
    actor: Actor,
    reason: str,
    state_field: str,
    write: Callable[[dict[str, Any]], None],
    record_transition: Callable[[models.Model, str, str], None] | None,
    extra_updates: dict[str, Any] | None,
    after_commit: Iterable[Callable[[], None]],
) -> None:
    """The one transition writer, inside the caller's transaction: check, set, write the row (``write`` gets
    the fields set), transition row, audit entry, follow-ups after commit."""
    source = getattr(obj, state_field)
    transition = workflow_check(table=table, obj=obj, action=action, actor=actor, reason=reason, state=source)
    updates = {state_field: transition.target, **(extra_updates or {})}
    for name, value in updates.items():
        setattr(obj, name, value)
    write(updates)
    if record_transition is not None:
        record_transition(obj, source, transition.target)
    audit_record(
        actor=actor,
        action=f"{table.name}.{action}",
        obj=obj,
        before={state_field: source},
        after=dict(updates),
        reason=reason,
    )
    for follow_up in after_commit:
        transaction.on_commit(follow_up)
