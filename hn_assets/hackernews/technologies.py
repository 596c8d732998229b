"""Find the technologies a "Who is hiring?" post names, as canonical names.

The taxonomy lives in ``data/technologies.yaml`` (its header says what each key means): every
technology has a canonical name ("PostgreSQL"), a category and the spellings posters use
("Postgres", "psql").  :func:`find_technologies` reads a post in one pass: every spelling of
every technology is one alternation, factored into a trie so that the regex engine follows
one branch per character instead of trying each spelling in turn, run over the lower-cased
text; a dict then maps what matched to its technology.

Names that are also ordinary words are the hard part.  A spelling is one of three kinds:

* any case ("Golang", "PostgreSQL"): never anything else;
* exact ("React", "Swift", "Rails"): the capitalised name is the technology, "react to",
  "swift" and "guard rails" are not;
* ambiguous ("Go", "C", "R", "Spring", "Chef", "Next"): taken only where the words around it
  are about technology: next to another technology in a list ("Go, Rust", "C/C++"), before a
  technical noun ("Go services", "C code"), after a phrase such as "experience with", and for
  names that are rarely anything else there, after a plain "in", "with" or "using" ("in Go").

An exact or ambiguous name written in another case ("go, rust", "frontend react") is
taken only inside a list of technologies or after such a phrase.  A name that is also a
company's ("Stripe", "Cloudflare") is not taken in a sentence about the company ("backed by
the founders of Cloudflare").  Links and e-mail addresses are left out first:
"jobs/golang-engineer" in a URL is not a statement about the stack.  Any text is read in time
linear in its length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, NamedTuple

import yaml

from hn_assets.hackernews.text_caches import text_cache

TAXONOMY_FILE = "technologies.yaml"
CATEGORIES = (
    "language",
    "frontend",
    "backend",
    "mobile",
    "database",
    "messaging",
    "cloud",
    "infrastructure",
    "observability",
    "data",
    "ml",
    "graphics",
    "embedded",
    "web3",
    "tool",
)
CONTEXTS = ("list", "code")

#: The technology names of the Gemini Flash Lite labels of the real posts (../shared/real-hn),
#: spelled as our canonical names (Gemini's 59 names, its one "Vue.js" being "Vue"): scores
#: against those labels count only these.
GEMINI_TECHNOLOGIES = frozenset(
    {
        "TypeScript", "React", "Python", "PostgreSQL", "AWS", "Kubernetes", "Node.js", "Rust",
        "Go", "Next.js", "GCP", "Terraform", "Docker", "C++", "Redis", "Java", "GraphQL",
        "JavaScript", "FastAPI", "Rails", "Ruby", "React Native", "iOS", "MongoDB", "Django",
        "Azure", "MySQL", "PyTorch", "Vue", "Kotlin", "GitHub Actions", "C#", "Swift", "PHP",
        "Android", "Elasticsearch", "Flutter", "LangChain", "Cloudflare", "Laravel", "Angular",
        "OpenAI API", "Scala", "Svelte", "Elixir", "Kafka", "TensorFlow", "SQLite", "SQL",
        "CUDA", "RabbitMQ", "Spring", "Prisma", "Dart", "C", "Clojure", "Hugging Face", "gRPC",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Technology:
    name: str
    category: str
    #: Spellings matched in any case.
    aliases: tuple[str, ...]
    #: Spellings matched only as written.
    exact: tuple[str, ...] = ()
    #: Spellings matched as written and only in a technical context.
    ambiguous: tuple[str, ...] = ()
    context: str | None = None
    #: Also a company's name: not taken in a sentence about the company.
    company: bool = False
    reject_before: tuple[str, ...] = ()
    reject_after: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Spelling:
    """What one lower-cased key of the pattern stands for."""

    technology: Technology
    #: Case-sensitive forms accepted; empty when any case is.
    cased: frozenset[str]
    needs_context: bool
    reject_before: re.Pattern[str] | None
    reject_after: tuple[str, ...]


@dataclass(frozen=True)
class _Taxonomy:
    technologies: tuple[Technology, ...]
    spellings: dict[str, _Spelling]
    #: Lower-cased canonical names and spellings -> canonical name.
    names: dict[str, str]
    pattern: re.Pattern[str]
    #: The same pattern for text whose lower-casing changes its length ("İ" becomes two
    #: characters), where spans of the lowered text would not fit the original.
    pattern_ignorecase: re.Pattern[str]


# --- loading -----------------------------------------------------------------------------


def _strings(entry: dict[str, Any], key: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"{TAXONOMY_FILE}: {entry.get('name')!r}: {key} must be a list of text")
    return tuple(value)


_KEYS = frozenset(
    {
        "name",
        "category",
        "aliases",
        "exact",
        "ambiguous",
        "context",
        "company",
        "reject_before",
        "reject_after",
    }
)


def _technology(entry: Any) -> Technology:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise ValueError(f"{TAXONOMY_FILE}: every entry needs a name: {entry!r}")
    name = entry["name"]
    unknown = set(entry) - _KEYS
    if unknown:
        raise ValueError(f"{TAXONOMY_FILE}: {name!r}: unknown keys {sorted(unknown)}")
    if entry.get("category") not in CATEGORIES:
        raise ValueError(f"{TAXONOMY_FILE}: {name!r}: category must be one of {CATEGORIES}")
    exact, ambiguous = _strings(entry, "exact"), _strings(entry, "ambiguous")
    aliases = _strings(entry, "aliases")
    context = entry.get("context")
    if bool(ambiguous) != (context in CONTEXTS):
        raise ValueError(
            f"{TAXONOMY_FILE}: {name!r}: ambiguous spellings need a context {CONTEXTS}"
        )
    return Technology(
        name=name,
        category=entry["category"],
        aliases=aliases,
        exact=exact,
        ambiguous=ambiguous,
        context=context,
        company=entry.get("company") is True,
        reject_before=_strings(entry, "reject_before"),
        reject_after=_strings(entry, "reject_after"),
    )


def _reject_before(words: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words:
        return None
    alternation = "|".join(re.escape(word.lower()) for word in words)
    return re.compile(rf"(?:^|[^\w'])(?:{alternation})\s+$")


def _spellings(technologies: tuple[Technology, ...]) -> dict[str, _Spelling]:
    spellings: dict[str, _Spelling] = {}
    for tech in technologies:
        before = _reject_before(tech.reject_before)
        after = tuple(text.lower() for text in tech.reject_after)
        groups: dict[str, list[str]] = {}
        for spelling in tech.exact + tech.ambiguous:
            groups.setdefault(spelling.lower(), []).append(spelling)
        any_case = [alias.lower() for alias in tech.aliases]
        keys = any_case + list(groups)
        for key in keys:
            owner = spellings[key].technology.name if key in spellings else None
            if owner is not None or keys.count(key) > 1:
                raise ValueError(
                    f"{TAXONOMY_FILE}: {key!r} is listed twice ({owner or tech.name!r}, {tech.name!r})"
                )
            spellings[key] = _Spelling(
                technology=tech,
                cased=frozenset(groups.get(key, ())),
                needs_context=any(s.lower() == key for s in tech.ambiguous),
                reject_before=before,
                reject_after=after,
            )
    return spellings


def trie_alternation(keys: list[str]) -> str:
    """One regex alternation of the literal ``keys`` that shares their prefixes
    ("java|javascript" -> "java(?:script)?"): the engine then follows one branch per character
    instead of trying each key at each position."""
    trie: dict[str, Any] = {}
    for key in keys:
        node = trie
        for char in key:
            node = node.setdefault(char, {})
        node[""] = {}
    return _node_pattern(trie)


def _node_pattern(node: dict[str, Any]) -> str:
    ends_here = "" in node
    branches = [
        re.escape(char) + _node_pattern(child) for char, child in sorted(node.items()) if char
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    # Optional, and greedy: the longest spelling is tried first, shorter ones on backtracking.
    if ends_here:
        return f"(?:{body})?" if len(branches) == 1 else body + "?"
    return body


# A spelling starts where no word, ".", "@" or "$" goes before it ("foo.go", "@go"), and ends
# where no word character, "++", "#", "@" or ".word" follows ("Cfoo", "C++" is not "C",
# "Vue.jsx"), but ".NET" may ("C#.NET"); a single "+" may follow ("React+TS"), and after "C++"
# or "C#" a version ("C++20").
_LEFT = r"(?<![\w.@$])"
_RIGHT = r"(?:(?<=[+#])\d+)?(?!\w|\+\+|[#@]|\.(?!net\b)\w)"


@lru_cache(maxsize=1)
def _taxonomy() -> _Taxonomy:
    text = resources.files(__package__).joinpath("data", TAXONOMY_FILE).read_text("utf-8")
    entries = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(entries, list):
        raise ValueError(f"{TAXONOMY_FILE}: expected a list of technologies")
    technologies = tuple(_technology(entry) for entry in entries)
    if len({tech.name.lower() for tech in technologies}) != len(technologies):
        raise ValueError(f"{TAXONOMY_FILE}: a technology is listed twice")
    spellings = _spellings(technologies)
    source = rf"{_LEFT}(?P<key>{trie_alternation(sorted(spellings))}){_RIGHT}"
    names = {key: spelling.technology.name for key, spelling in spellings.items()}
    names.update({tech.name.lower(): tech.name for tech in technologies})
    return _Taxonomy(
        technologies=technologies,
        spellings=spellings,
        names=names,
        pattern=re.compile(source),
        pattern_ignorecase=re.compile(source, re.IGNORECASE),
    )


def technologies() -> tuple[Technology, ...]:
    """Every technology of the taxonomy, in the order of the data file."""
    return _taxonomy().technologies


def canonical_technology(name: str) -> str | None:
    """The canonical name of a technology named by its name or any of its spellings, in any
    case ("golang" -> "Go"); ``None`` for a name the taxonomy does not know."""
    return _taxonomy().names.get(name.strip().lower())


def technology_category(name: str) -> str | None:
    canonical = canonical_technology(name)
    if canonical is None:
        return None
    return next(tech.category for tech in technologies() if tech.name == canonical)


# --- matching ----------------------------------------------------------------------------

# Links start with a literal, which the regex engine scans for quickly; a look-behind in
# front would make it try every position.  Addresses are found from their "@" instead.
_URL = re.compile(r"(?:https?://|www\.)\S+")
_EMAIL_DOMAIN = re.compile(r"[\w-]+(?:\.[\w-]+)+")
_EMAIL_LOCAL = frozenset("._%+-")
_LINK_MARK = " ~ "
# What may stand between two items of a list: "Go, Rust", "Go/Rust", "Go+Postgres",
# "Go and Rust", "Node on AWS", "(Go)", "Java 17, Spring", a bullet on the next line.  Not a
# full stop: "Python. Next, we" is two sentences.
_LIST_GAP = re.compile(
    r"[\s\d,/&|+;()\[\]*•·–-]*(?:\b(?:and|or|on|plus|as well as)\b[\s\d,/&|+;()\[\]*•·–-]*)?"
)
_LONGEST_GAP = 16
# What after a name makes it a technology: "Go services", "C code", "Spark jobs", "Go 1.22",
# "Go required", "Go (lang)", "C, firmware".
_AFTER_CUE = re.compile(
    r"[ \t-]*(?:developers?|engineers?|engineering|programmers?|programming|code|codebases?|"
    r"services?|microservices|back-?ends?|stack|experience|expertise|skills|librar(?:y|ies)|"
    r"frameworks?|SDKs?|language|modules?|ecosystem|runtime|APIs?|jobs|pipelines?|clusters?|"
    r"workflows?|cookbooks?|manifests?|apps?|software|SWEs?|(?:is\s+)?required|"
    r"(?:is\s+)?preferred|(?:is\s+)?a\s+plus|\d+(?:\.\d+)+)\b|\s*[\[(]\s*(?:go)?lang\s*[\])]|"
    r"\s*[,/]\s*(?:embedded|firmware)\b",
    re.IGNORECASE,
)
# Phrases that name a skill, a stack or a role's language right before the name:
# "experience with Julia", "Stack: Go", "back-end Go", "Backend Engineer (Go)".
_STRONG_CUE = re.compile(
    r"(?:experience\s+(?:with|in)|proficien\w*\s+(?:with|in)|expertise\s+(?:with|in)|"
    r"knowledge\s+of|familiar\w*\s+with|written\s+in|built\s+(?:in|with|on)|coding\s+in|"
    r"code\s+in|programming\s+in|fluent\s+in|skilled\s+in|such\s+as|e\.g\.,?|i\.e\.,?|"
    r"including|languages?\s*:|stack\s*:|stack\s+is|technologies\s*:|tools\s*:|frameworks?\s*:|"
    r"back-?end|server-?side|front-?end|(?:engineers?|developers?|programmers?)\s*[(:–-]|"
    r"(?:embedded|firmware)\s*[,/])\s*$",
    re.IGNORECASE,
)
# "in Go", "using 100% Go", "99% Go".
_WEAK_CUE = re.compile(
    r"(?:\b(?:in|using|use|uses|with|via|of|writing|write|writes)\s+|\d%\s*)(?:\d+%\s+)?$",
    re.IGNORECASE,
)
_CUE_WINDOW = 40
# The end of a sentence before a name: a full stop after a word ("Python. Next"), not after an
# abbreviation ("Sr. Ruby", "e.g. Go", "opp. Node").
_SENTENCE_START = re.compile(r"(?:[^\W\d_]{4,}\.|[!?])[\"')]?[ \t]+$")
_SENTENCE_START_WINDOW = 16
# A sentence that names a company as backer, employer or customer ("backed by the founders of
# Cloudflare", "ex-Stripe", "teams at OpenAI") is not about the stack.
_COMPANY_CUE = re.compile(
    r"\b(?:backed\s+by|investors?|invested|founders?|founded\s+by|co-?founded|leaders|alumni|"
    r"ex-|former|formerly|previously|worked\s+at|engineers\s+from|people\s+from|folks\s+from|"
    r"teams?\s+(?:at|from)|trusted\s+by|used\s+by|acquired|(?:companies|customers|clients|"
    r"partners)\s+(?:like|such\s+as|including|include)|(?:companies|customers|clients)\s*:)",
    re.IGNORECASE,
)
_SENTENCE_WINDOW = 160
_SENTENCE_ENDS = ("\n", ". ", "! ", "? ")


class _Match(NamedTuple):  # a tuple: a post has many, and a frozen dataclass is slow to make
    start: int
    end: int
    spelling: _Spelling
    #: Written in another case than the exact spelling ("react", "GO"): taken only inside a
    #: list of technologies or after a strong cue.
    weak: bool


def _candidates(taxonomy: _Taxonomy, text: str) -> list[_Match]:
    lowered = text.lower()
    if len(lowered) == len(text):
        found = taxonomy.pattern.finditer(lowered)
    else:
        found = taxonomy.pattern_ignorecase.finditer(text)
    matches = []
    for match in found:
        spelling = taxonomy.spellings.get(match["key"].lower())
        if spelling is None:
            continue
        weak = bool(spelling.cased) and text[match.start() : match.end("key")] not in spelling.cased
        matches.append(_Match(match.start(), match.end(), spelling, weak))
    return matches


def _sentence_before(text: str, start: int) -> str:
    before = text[max(0, start - _SENTENCE_WINDOW) : start]
    cut = max(before.rfind(end) for end in _SENTENCE_ENDS)
    return before[cut + 1 :]


def _rejected(text: str, match: _Match) -> bool:
    spelling = match.spelling
    if spelling.reject_after:
        after = text[match.end : match.end + 20].lower()
        if after.startswith(spelling.reject_after):
            return True
    if spelling.reject_before is not None:
        before = text[max(0, match.start - _CUE_WINDOW) : match.start].lower()
        if spelling.reject_before.search(before):
            return True
    return spelling.technology.company and bool(
        _COMPANY_CUE.search(_sentence_before(text, match.start))
    )


def _listed_with(text: str, first: _Match, second: _Match) -> bool:
    gap = text[first.end : second.start]
    # Words in a row ("LLMs go through") are a sentence, not a list: a list needs a separator.
    return (
        len(gap) <= _LONGEST_GAP
        and gap.strip(" \t") != ""
        and _LIST_GAP.fullmatch(gap.lower()) is not None
    )


def _strong_cue(text: str, match: _Match) -> bool:
    return bool(_STRONG_CUE.search(text[max(0, match.start - _CUE_WINDOW) : match.start]))


def _listed_at(text: str, matches: list[_Match], first: int) -> bool:
    """Whether ``matches[first]`` and the match after it are items of one list."""
    if first < 0 or first + 1 >= len(matches):
        return False
    return _listed_with(text, matches[first], matches[first + 1])


def _in_list(text: str, matches: list[_Match], index: int) -> bool:
    """Whether an ambiguous name is an item of a list of technologies."""
    before, after = matches[index - 1] if index else None, matches[index + 1 : index + 2]
    if before is not None and not before.weak and _listed_at(text, matches, index - 1):
        return True
    if not after or after[0].weak or not _listed_at(text, matches, index):
        return False
    # A capitalised word that opens a sentence and one name after it are no list ("Python.
    # Next, React is"); a longer list is ("opp. Node, TypeScript, React").
    match = matches[index]
    opens_sentence = _SENTENCE_START.search(
        text, max(0, match.start - _SENTENCE_START_WINDOW), match.start
    )
    return not opens_sentence or _listed_at(text, matches, index + 1)


def _in_context(text: str, matches: list[_Match], index: int) -> bool:
    """Whether an ambiguous name written as listed stands where technology is meant."""
    match = matches[index]
    if _in_list(text, matches, index):
        return True
    if _AFTER_CUE.match(text, match.end) or _strong_cue(text, match):
        return True
    before = text[max(0, match.start - _CUE_WINDOW) : match.start]
    return match.spelling.technology.context == "code" and _WEAK_CUE.search(before) is not None


def _joined(text: str, first: _Match, second: _Match) -> bool:
    """Two names joined by a bare "/" or "+": "ruby/rails", "react+ts"."""
    return text[first.end : second.start] in ("/", "+")


def _weak_in_context(text: str, matches: list[_Match], accepted: list[bool], index: int) -> bool:
    """Whether a name in another case ("react", "GO") is listed with accepted technologies, or
    joined to another name in another case ("ruby/rails")."""
    for first, second in ((index - 1, index), (index, index + 1)):
        if first < 0 or second >= len(matches):
            continue
        other = first if first != index else second
        pair = matches[first], matches[second]
        if accepted[other] and _listed_with(text, *pair):
            return True
        if matches[other].weak and _joined(text, *pair):
            return True
    return _strong_cue(text, matches[index])


def _accepted(text: str, matches: list[_Match]) -> list[bool]:
    rejected = [
        _rejected(text, m)
        if m.spelling.reject_after or m.spelling.reject_before or m.spelling.technology.company
        else False
        for m in matches
    ]
    accepted = [
        not m.weak
        and not rejected[i]
        and (not m.spelling.needs_context or _in_context(text, matches, i))
        for i, m in enumerate(matches)
    ]
    # Twice, once each way, so that a list of weak names joins an accepted one on either side.
    for order in (range(len(matches)), range(len(matches) - 1, -1, -1)):
        for i in order:
            if matches[i].weak and not accepted[i] and not rejected[i]:
                accepted[i] = _weak_in_context(text, matches, accepted, i)
    return accepted


def _without_emails(text: str) -> str:
    pieces = []
    done = 0  # text before this is copied or replaced
    at = text.find("@")
    while at >= 0:
        local = at
        # Never back past the previous address or "@": each character is looked at once.
        while local > done and (text[local - 1].isalnum() or text[local - 1] in _EMAIL_LOCAL):
            local -= 1
        domain = _EMAIL_DOMAIN.match(text, at + 1)
        if local < at and domain is not None:
            pieces += [text[done:local], _LINK_MARK]
            done = domain.end()
        at = text.find("@", max(at + 1, done))
    pieces.append(text[done:])
    return "".join(pieces)


@text_cache(maxsize=8)  # a post is read by both find_technologies and the role rules
def without_links(text: str) -> str:
    """``text`` with its URLs and e-mail addresses replaced by " ~ ", which no list joins."""
    if "://" in text or "www." in text:
        text = _URL.sub(_LINK_MARK, text)
    if "@" in text:
        text = _without_emails(text)
    return text


def find_technologies(text: str) -> list[str]:
    """Canonical names of the technologies ``text`` names, each once, in order of first mention."""
    text = without_links(text)
    matches = _candidates(_taxonomy(), text)
    accepted = _accepted(text, matches)
    names = [m.spelling.technology.name for m, ok in zip(matches, accepted, strict=True) if ok]
    return list(dict.fromkeys(names))


# --- scoring against reference labels -----------------------------------------------------


def technology_scores(
    reference: list[str], ours: list[str], taxonomy: set[str] | frozenset[str]
) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) of ``ours`` against ``reference``,
    counting only names in ``taxonomy``.  Both sides are read through our spellings first, so
    a reference that writes "Vue.js" or "Golang" agrees with our "Vue" or "Go"."""
    counted = {canonical_technology(name) or name for name in taxonomy}

    def names(values: list[str]) -> set[str]:
        return {canonical_technology(v) or v for v in values} & counted

    expected, found = names(reference), names(ours)
    return len(found & expected), len(found - expected), len(expected - found)
