"""The ``hn-jobs search`` query syntax, parsed into a :class:`~hn_assets.search.query.Query`.

Syntax (precedence from loosest to tightest: OR, AND, NOT)::

    ("san francisco" OR "bay area") AND ("machine learning" OR "data analysis") AND NOT onsite
    rust remote:true month:2026-11          adjacent terms are ANDed
    company:stripe  location:"bay area"     field:value, field:"several words"
    location:(berlin OR london)             a field applies to a whole group
    salary_min:>=150k  visa:true  employment:contract

* A bare word searches the posting text; a "quoted phrase" searches for the words in order.
  Unquoted words are separate terms: ``san francisco`` means san AND francisco.
* AND, OR and NOT are operators in any letter case ("rust or go" is an OR). To search for the
  word itself, quote it: ``"not"``.
* ``name:`` prefixes a field from :data:`~hn_assets.search.query.FIELDS`; a word with an
  unknown prefix such as ``https://example.com`` is an error: quote it to search for the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from hn_assets.search.query import (
    DEFAULT_FIELD,
    OPERATORS,
    Clause,
    Query,
    QueryError,
    Term,
    all_of,
    any_of,
    negate,
    resolve_field,
)

TokenKind = Literal["word", "phrase", "field", "(", ")", "AND", "OR", "NOT", "end"]

_FIELD_PREFIX = re.compile(r"^([A-Za-z_]+):")
_WORD_END = re.compile(r'[\s()"]')


class QuerySyntaxError(QueryError):
    """Malformed query text; ``str()`` shows the query with a caret under the problem."""

    def __init__(self, message: str, query: str, position: int) -> None:
        self.message = message
        self.query = query
        self.position = max(0, min(position, len(query)))
        shown = re.sub(r"\s", " ", query)  # one column per character keeps the caret aligned
        super().__init__(f"{message}\n  {shown}\n  {' ' * self.position}^")


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
            prefix = _FIELD_PREFIX.match(word)
            if prefix:
                name_end = i + len(prefix.group(1))
                tokens.append(_Token("field", prefix.group(1), i, name_end + 1))
                if len(word) > len(prefix.group(0)):
                    tokens.append(_Token("word", word[len(prefix.group(0)) :], name_end + 1, end))
            elif word.upper() in OPERATORS:
                tokens.append(_Token(word.upper(), word, i, end))  # type: ignore[arg-type]
            else:
                tokens.append(_Token("word", word, i, end))
            i = end
    tokens.append(_Token("end", "", len(query), len(query)))
    return tokens


_TERM_START = frozenset({"word", "phrase", "field", "(", "NOT"})


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = _tokens(query)
        self.index = 0

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
        clause = self.parse_or(DEFAULT_FIELD)
        token = self.peek
        if token.kind == ")":
            raise self.error("unmatched closing parenthesis: remove it or add a (", token.start)
        if token.kind != "end":  # pragma: no cover - parse_and consumes every other token
            raise self.error(f"unexpected {token.text!r}", token.start)
        return clause if isinstance(clause, Query) else Query(must=clause)

    def parse_or(self, field: str) -> Clause:
        alternatives = [self.parse_and(field)]
        while self.peek.kind == "OR":
            self.expect_term_after(self.take())
            alternatives.append(self.parse_and(field))
        return any_of(*alternatives) if len(alternatives) > 1 else alternatives[0]

    def parse_and(self, field: str) -> Clause:
        parts = [self.parse_not(field)]
        while True:
            if self.peek.kind == "AND":
                self.expect_term_after(self.take())
            elif self.peek.kind not in _TERM_START:
                break
            parts.append(self.parse_not(field))
        return all_of(*parts) if len(parts) > 1 else parts[0]

    def parse_not(self, field: str) -> Clause:
        if self.peek.kind == "NOT":
            self.expect_term_after(self.take())
            return negate(self.parse_not(field))
        return self.parse_atom(field)

    def expect_term_after(self, operator: _Token) -> None:
        if self.peek.kind not in _TERM_START:
            raise self.error(f"expected a term after {operator.text}", self.peek.start)

    def parse_atom(self, field: str) -> Clause:
        token = self.take()
        if token.kind == "(":
            if self.peek.kind == ")":
                raise self.error("empty parentheses: put a term inside", token.start)
            inner = self.parse_or(field)
            if self.peek.kind != ")":
                raise self.error("unclosed parenthesis: add the matching )", token.start)
            self.take()
            return inner
        if token.kind in ("word", "phrase"):
            return self.term(field, token)
        if token.kind == "field":
            try:
                name = resolve_field(token.text).name
            except QueryError as exc:
                raise self.error(
                    f"{exc}; to search for the text itself, put it in double quotes",
                    token.start,
                ) from None
            value = self.peek
            if value.kind == "(":
                return self.parse_atom(name)
            if value.kind not in ("word", "phrase"):
                raise self.error(f"missing value after {token.text}:", token.end)
            return self.term(name, self.take())
        if token.kind == ")":
            raise self.error("unmatched closing parenthesis: remove it or add a (", token.start)
        if token.kind == "end":
            message = "empty query" if token.start == 0 else "expected a term"
            raise self.error(message, token.start)
        raise self.error(f"expected a term before {token.text}", token.start)

    def term(self, field: str, token: _Token) -> Term:
        try:
            return Term(field, token.text)
        except QueryError as exc:
            raise self.error(str(exc), token.start) from None


def parse_query(text: str) -> Query:
    """Parse ``hn-jobs search`` syntax (see the module docstring) into a :class:`Query`.

    Raises :class:`QuerySyntaxError` (a :class:`QueryError`) for malformed input.
    """
    if not text.strip():
        raise QuerySyntaxError(
            'empty query: give terms such as rust AND remote:true or "machine learning"', text, 0
        )
    return _Parser(text).parse()
