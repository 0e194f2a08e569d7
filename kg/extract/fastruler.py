"""The trained pipeline's attribute ruler, applied by table instead of by spaCy's Matcher.

``en_core_web_sm``'s ``attribute_ruler`` maps fine-grained tags to coarse POS and morphology
and fixes a few lemmas with 179 token patterns.  spaCy runs them through its ``Matcher``, which
tries every pattern at every token: about 10% of the whole pipeline's time.  Its patterns only
test a token's ``TAG``, ``LOWER``, ``DEP`` and ``IS_SPACE`` (a few also the token next to it),
so :class:`TableRuler` works out, once per distinct value of each of those fields, which pattern
tokens it satisfies (a bit set), and once per combination what a token ends with; it then writes
the same POS, morphology, lemma, tag and dependency label the ruler would (a test compares both
on whole articles).  A pattern using anything else makes :func:`compile_ruler` return ``None``,
and the original ruler stays.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.pipeline import AttributeRuler
    from spacy.tokens import Doc

_FIELDS = ("TAG", "LOWER", "DEP", "IS_SPACE")
Value = str | bool
Test = Callable[[Value], bool]


def _value_test(spec: Any) -> tuple[Test, Value | None] | None:
    """A test of one field against one pattern value, and the value when it is an equality."""
    if isinstance(spec, (str, bool)):
        return (lambda v: v == spec), spec
    if isinstance(spec, dict) and len(spec) == 1:
        ((op, arg),) = spec.items()
        if op == "IN" and isinstance(arg, list):
            allowed = frozenset(arg)
            return (lambda v: v in allowed), None
        if op == "NOT_IN" and isinstance(arg, list):
            banned = frozenset(arg)
            return (lambda v: v not in banned), None
        if op == "REGEX" and isinstance(arg, str):
            rx = re.compile(arg)
            return (lambda v: isinstance(v, str) and rx.search(v) is not None), None
    return None


class _Field:
    """For one token field: which pattern tokens (bits) each of its values satisfies."""

    def __init__(self) -> None:
        self.free = 0  # bits of the pattern tokens that do not test this field
        self.equal: dict[Value, int] = {}
        self.other: list[tuple[int, Test]] = []
        self.memo: dict[int, int] = {}

    def add(self, bit: int, spec: Any) -> bool:
        if spec is None:
            self.free |= 1 << bit
            return True
        made = _value_test(spec)
        if made is None:
            return False
        test, equal = made
        if equal is not None:
            self.equal[equal] = self.equal.get(equal, 0) | 1 << bit
        else:
            self.other.append((bit, test))
        return True

    def mask(self, value: Value) -> int:
        mask = self.free | self.equal.get(value, 0)
        for bit, test in self.other:
            if test(value):
                mask |= 1 << bit
        return mask


class TableRuler:
    """Applies an attribute ruler's patterns through memo tables (same results, same order).

    Each pattern group (one ``add`` of the ruler) keeps its place in the ruler's list: where
    several groups touch a token, they are applied in that order, later ones winning, as the
    ruler does.
    """

    def __init__(self, ruler: AttributeRuler, slots: list[tuple[int, int, int, int]],
                 fields: list[_Field], attrs: list[dict[int, int]]) -> None:
        self.ruler = ruler
        self.name = getattr(ruler, "name", "attribute_ruler")
        self.slots = slots  # bit -> (group, pattern, position, pattern length)
        self.fields = fields
        self.attrs = attrs
        self.indices = list(ruler.indices)
        self._own: dict[int, tuple[tuple[int, ...], tuple[tuple[int, int, int], ...]]] = {}
        self._effects: dict[tuple[int, ...], dict[int, int]] = {}
        self._bit_of = {(g, p, j): b for b, (g, p, j, _) in enumerate(slots)}

    def __call__(self, doc: Doc) -> Doc:
        """Set POS, MORPH, LEMMA (and TAG, DEP of spaces) as the attribute ruler would."""
        from spacy.attrs import DEP, IS_SPACE, LOWER, TAG
        from spacy.tokens._retokenize import set_token_attrs

        strings = doc.vocab.strings
        masks = []
        for row in doc.to_array([TAG, LOWER, DEP, IS_SPACE]).tolist():
            mask = -1
            for field, value in zip(self.fields, row, strict=True):
                m = field.memo.get(value)
                if m is None:
                    m = field.memo[value] = field.mask(
                        bool(value) if field is self.fields[3] else strings[value])
                mask &= m
            masks.append(mask)
        n = len(masks)
        hits: list[list[int]] = []
        starts: list[tuple[int, tuple[tuple[int, int, int], ...]]] = []
        for i, mask in enumerate(masks):
            own, firsts = self._split(mask)
            hits.append(list(own))
            if firsts:
                starts.append((i, firsts))
        for i, firsts in starts:
            for gid, pi, length in firsts:
                bits = [self._bit_of[gid, pi, k] for k in range(1, length)]
                if i + length <= n and all(masks[i + k] >> b & 1 for k, b in enumerate(bits, start=1)):
                    index = self.indices[gid]
                    hits[i + (index if index >= 0 else length + index)].append(gid)
        for tok, found in zip(doc, hits, strict=True):
            if found:
                set_token_attrs(tok, self._effect(tuple(sorted(set(found)))))
        return doc

    def pipe(self, docs: Iterable[Doc], *, batch_size: int = 128) -> Iterator[Doc]:
        """Apply to a stream of docs (what ``nlp.pipe`` calls)."""
        for doc in docs:
            yield self(doc)

    def _split(self, mask: int) -> tuple[tuple[int, ...], tuple[tuple[int, int, int], ...]]:
        """Groups a token matches alone; the longer patterns it may start (group, pattern, length)."""
        found = self._own.get(mask)
        if found is None:
            own: list[int] = []
            firsts: list[tuple[int, int, int]] = []
            for bit, (gid, pi, j, length) in enumerate(self.slots):
                if mask >> bit & 1:
                    if length == 1:
                        own.append(gid)
                    elif j == 0:
                        firsts.append((gid, pi, length))
            found = self._own[mask] = (tuple(own), tuple(firsts))
        return found

    def _effect(self, groups: tuple[int, ...]) -> dict[int, int]:
        """The attributes a token ends with after these groups, in order (later ones win)."""
        found = self._effects.get(groups)
        if found is None:
            found = {}
            for gid in groups:
                found.update(self.attrs[gid])
            self._effects[groups] = found
        return found

    def __getattr__(self, name: str) -> Any:  # labels, patterns ...: what the ruler has
        return getattr(self.ruler, name)


def compile_ruler(ruler: AttributeRuler) -> TableRuler | None:
    """A :class:`TableRuler` doing what ``ruler`` does, or None if a pattern reads other fields."""
    fields = [_Field() for _ in _FIELDS]
    slots: list[tuple[int, int, int, int]] = []
    attrs: list[dict[int, int]] = []
    for gid, group_attrs in enumerate(ruler.attrs):
        if any(not isinstance(k, int) for k in group_attrs):
            return None  # extension attributes ("_")
        attrs.append(dict(group_attrs))
        patterns = ruler.matcher.get(ruler.vocab.strings[str(gid)])[1]
        for pi, pattern in enumerate(patterns):
            if not pattern:
                return None
            for j, spec in enumerate(pattern):
                names = {name.upper(): value for name, value in spec.items()}
                if set(names) - set(_FIELDS):
                    return None
                bit = len(slots)
                slots.append((gid, pi, j, len(pattern)))
                if not all(f.add(bit, names.get(name)) for f, name in zip(fields, _FIELDS, strict=True)):
                    return None
    return TableRuler(ruler, slots, fields, attrs)


def install(nlp: Language) -> bool:
    """Replace ``nlp``'s attribute ruler by its table version; returns whether it did."""
    if "attribute_ruler" not in nlp.pipe_names:
        return False
    table = compile_ruler(nlp.get_pipe("attribute_ruler"))  # type: ignore[arg-type]
    if table is None:
        return False
    i = [name for name, _ in nlp._components].index("attribute_ruler")
    nlp._components[i] = ("attribute_ruler", table)  # same name and place; spaCy has no API for this
    return True
