"""The ``hn-jobs search`` query syntax, parsed into a :class:`~hn_assets.search.query.Query`.

Syntax (precedence from loosest to tightest: OR, AND, NOT)::

    ("san francisco" OR "bay area") AND ("machine learning" OR "data analysis") AND NOT onsite
    rust remote:true month:2026-11          adjacent terms are ANDed
    company:stripe  location:"bay area"     field:value, field:"several words"
    location:(berlin OR london)             a field applies to a whole group
    salary>=150k  salary_min:>=150k  visa:true  employment:contract

* A bare word searches the posting text; a "quoted phrase" searches for the words in order.
  Unquoted words are separate terms: ``san francisco`` means san AND francisco.
* AND, OR and NOT are operators in any letter case ("rust or go" is an OR). To search for the
  word itself, quote it: ``"not"``.
* ``name>=N`` (also ``>``, ``<``, ``<=``) is ``name:>=N`` for a number field.
* ``name:`` prefixes a field from :data:`~hn_assets.search.query.FIELDS`; a word with an
  unknown prefix such as ``https://example.com`` is an error: quote it to search for the text.
* Groups nest up to :data:`~hn_assets.search.query.MAX_QUERY_DEPTH` levels, counted on the
  query as parsed: ``((rust))`` is one term, ``NOT NOT rust`` is ``rust``, and a chain of any
  length of one operator (``a OR b OR c ...``) is one level. A deeper query is a
  :class:`QuerySyntaxError` pointing at the group to flatten. Any length of input and any
  number of parentheses or NOTs parse without recursion.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from hn_assets.search.errors import QueryError
from hn_assets.search.query import (
    DEFAULT_FIELD,
    OPERATORS,
    Clause,
    Query,
    Term,
    all_of,
    any_of,
    negate,
    resolve_field,
)
from hn_assets.search.schema import POST_SCHEMA, PostSchema

TokenKind = Literal["word", "phrase", "field", "compare", "(", ")", "AND", "OR", "NOT", "end"]

_FIELD_PREFIX = re.compile(r"^([A-Za-z_]+):")
#: ``salary>=150k``: the comparison stays with the value, as in ``salary:>=150k``.
_COMPARISON_PREFIX = re.compile(r"^([A-Za-z_]+)(?=(?:>=|<=|>|<)[^\s<>=])")
_WORD_END = re.compile(r'[\s()"]')
#: Characters of a long query shown around the caret of a syntax error.
_SHOWN_CHARS = 72


class QuerySyntaxError(QueryError):
    """Malformed query text; ``str()`` shows the query with a caret under the problem."""

    def __init__(self, message: str, query: str, position: int) -> None:
        self.message = message
        self.query = query
        self.position = max(0, min(position, len(query)))
        shown, column = _shown(query, self.position)
        super().__init__(f"{message}\n  {shown}\n  {' ' * column}^")


def _shown(query: str, position: int) -> tuple[str, int]:
    """The query as one printable line, cut around ``position`` when it is long, and the
    caret's column in that line."""
    # One column per character keeps the caret aligned; control characters would let a query
    # move the cursor or restyle the terminal the error is printed to.
    line = "".join(" " if char.isspace() else char if char.isprintable() else "?" for char in query)
    if len(line) <= _SHOWN_CHARS:
        return line, position
    start = max(0, min(position - _SHOWN_CHARS // 2, len(line) - _SHOWN_CHARS))
    end = start + _SHOWN_CHARS
    shown, column = line[start:end], position - start
    if start > 0:
        shown, column = "…" + shown, column + 1
    if end < len(line):
        shown += "…"
    return shown, column


@dataclass(frozen=True)
class _Token:
    kind: TokenKind
    text: str
    start: int
    end: int


def _tokens(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(query):
        char = query[i]
        if char.isspace():
            i += 1
        elif char in "()":
            tokens.append(_Token(char, char, i, i + 1))  # type: ignore[arg-type]
            i += 1
        elif char == '"':
            close = query.find('"', i + 1)
            if close < 0:
                raise QuerySyntaxError('unterminated quoted phrase: add the closing "', query, i)
            tokens.append(_Token("phrase", query[i + 1 : close], i, close + 1))
            i = close + 1
        else:
            found = _WORD_END.search(query, i)
            end = found.start() if found else len(query)
            word = query[i:end]
            compare = _COMPARISON_PREFIX.match(word)
            prefix = _FIELD_PREFIX.match(word) or compare
            if prefix:
                kind = "compare" if compare else "field"
                tokens.append(_Token(kind, prefix.group(1), i, i + len(prefix.group(0))))
                if len(word) > len(prefix.group(0)):
                    value_start = i + len(prefix.group(0))
                    tokens.append(_Token("word", word[len(prefix.group(0)) :], value_start, end))
            elif word.upper() in OPERATORS:
                tokens.append(_Token(word.upper(), word, i, end))  # type: ignore[arg-type]
            else:
                tokens.append(_Token("word", word, i, end))
            i = end
    tokens.append(_Token("end", "", len(query), len(query)))
    return tokens


_TERM_START = frozenset({"word", "phrase", "field", "compare", "(", "NOT"})


@dataclass(frozen=True)
class _Operand:
    clause: Clause
    start: int  # where the operand begins in the query: the caret for an error about it


class _Group:
    """A parenthesised group being read, or the whole query (``paren`` None)."""

    def __init__(self, field: str, paren: _Token | None) -> None:
        self.field = field  # the field its bare words search: location:(...) sets it
        self.paren = paren
        self.alternatives: list[_Operand] = []  # finished AND-chains, ORed when it closes
        self.chain: list[_Operand] = []  # the AND-chain being read
        self.nots: list[_Token] = []  # NOTs read since the last operand


class _Parser:
    """Reads the tokens left to right with an explicit stack of open groups.

    There is no Python recursion, so neither thousands of parentheses nor thousands of NOTs can
    reach the interpreter's recursion limit; how deep the result nests is checked where each
    :class:`Query` is built (:data:`~hn_assets.search.query.MAX_QUERY_DEPTH`).
    """

    def __init__(self, query: str, schema: PostSchema) -> None:
        self.query = query
        self.schema = schema
        self.tokens = _tokens(query)
        self.index = 0
        self.groups = [_Group(DEFAULT_FIELD, None)]

    def error(self, message: str, position: int) -> QuerySyntaxError:
        return QuerySyntaxError(message, self.query, position)

    @property
    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Query:
        want_operand = True
        while True:
            group = self.groups[-1]
            if want_operand:
                want_operand = not self.read_operand(group)
                continue
            token = self.peek
            if token.kind == "AND":
                self.expect_term_after(self.take())
                want_operand = True
            elif token.kind == "OR":
                self.expect_term_after(self.take())
                self.end_chain(group)
                want_operand = True
            elif token.kind in _TERM_START:
                want_operand = True  # adjacent terms are ANDed
            elif token.kind == ")":
                if group.paren is None:
                    raise self.error(
                        "unmatched closing parenthesis: remove it or add a (", token.start
                    )
                self.take()
                self.groups.pop()
                self.add(self.groups[-1], self.close(group))
            else:  # the end
                if group.paren is not None:
                    raise self.error("unclosed parenthesis: add the matching )", group.paren.start)
                clause = self.close(group).clause
                return clause if isinstance(clause, Query) else Query(must=clause)

    def read_operand(self, group: _Group) -> bool:
        """Read the next token where an operand must start; True once an operand is complete
        (False after a NOT or an opening parenthesis, which the operand follows)."""
        token = self.take()
        if token.kind == "NOT":
            self.expect_term_after(token)
            group.nots.append(token)
            return False
        if token.kind == "(":
            self.open_group(group.field, token)
            return False
        if token.kind in ("word", "phrase"):
            self.add(group, _Operand(self.term(group.field, token), token.start))
            return True
        if token.kind in ("field", "compare"):
            name = self.field_name(token)
            value = self.take()
            if value.kind == "(":
                self.open_group(name, value)
                return False
            if value.kind not in ("word", "phrase"):
                raise self.error(f"missing value after {token.text}:", token.end)
            self.add(group, _Operand(self.term(name, value), token.start))
            return True
        if token.kind == ")":
            raise self.error("unmatched closing parenthesis: remove it or add a (", token.start)
        if token.kind == "end":
            message = "empty query" if token.start == 0 else "expected a term"
            raise self.error(message, token.start)
        raise self.error(f"expected a term before {token.text}", token.start)

    def field_name(self, token: _Token) -> str:
        try:
            field = resolve_field(token.text, self.schema)
        except QueryError as exc:
            raise self.error(
                f"{exc}; to search for the text itself, put it in double quotes", token.start
            ) from None
        if token.kind == "compare" and field.kind != "number":
            raise self.error(
                f"{token.text} is not a number field, so it cannot be compared: write "
                f"{token.text}:value, or quote the text to search for it",
                token.start,
            )
        return field.name

    def expect_term_after(self, operator: _Token) -> None:
        if self.peek.kind not in _TERM_START:
            raise self.error(f"expected a term after {operator.text}", self.peek.start)

    def open_group(self, field: str, paren: _Token) -> None:
        if self.peek.kind == ")":
            raise self.error("empty parentheses: put a term inside", paren.start)
        self.groups.append(_Group(field, paren))

    def add(self, group: _Group, operand: _Operand) -> None:
        """Append ``operand`` to the group's AND-chain, under the NOTs read before it."""
        if group.nots:
            first = group.nots[0]
            # NOT NOT x means x (matching is two-valued), so only the parity of a run counts.
            if len(group.nots) % 2:
                operand = _Operand(self.build(negate, [operand], first.start), first.start)
            else:
                operand = _Operand(operand.clause, first.start)
            group.nots.clear()
        group.chain.append(operand)

    def end_chain(self, group: _Group) -> None:
        chain = group.chain
        if len(chain) == 1:
            group.alternatives.append(chain[0])
        else:
            group.alternatives.append(_Operand(self.build(all_of, chain), chain[0].start))
        group.chain = []

    def close(self, group: _Group) -> _Operand:
        """The group as one operand, starting at its opening parenthesis."""
        self.end_chain(group)
        alternatives = group.alternatives
        start = 0 if group.paren is None else group.paren.start
        if len(alternatives) == 1:
            return _Operand(alternatives[0].clause, start)
        return _Operand(self.build(any_of, alternatives), start)

    def build(
        self, combine: Callable[..., Query], operands: list[_Operand], at: int | None = None
    ) -> Query:
        """``combine`` the operands' clauses; a query nested too deeply is reported at ``at``,
        or else at the start of the deepest operand, which is the part to flatten."""
        try:
            return combine(*(operand.clause for operand in operands))
        except QueryError as exc:
            if at is None:
                at = max(operands, key=lambda operand: _depth(operand.clause)).start
            raise self.error(str(exc), at) from None

    def term(self, field: str, token: _Token) -> Term:
        try:
            return Term(field, token.text, schema=self.schema)
        except QueryError as exc:
            raise self.error(str(exc), token.start) from None


def _depth(clause: Clause) -> int:
    return clause.depth if isinstance(clause, Query) else 0


def parse_query(text: str, schema: PostSchema = POST_SCHEMA) -> Query:
    """Parse ``hn-jobs search`` syntax (see the module docstring) into a :class:`Query` over
    the fields of ``schema``.

    Raises :class:`QuerySyntaxError` (a :class:`QueryError`) for malformed input.
    """
    if not text.strip():
        raise QuerySyntaxError(
            'empty query: give terms such as rust AND remote:true or "machine learning"', text, 0
        )
    return _Parser(text, schema).parse()
