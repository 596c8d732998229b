"""Technologies named by a post: taxonomy, aliases, ambiguous names, speed, real posts.

The real-post test scores us against Gemini Flash Lite's labels of ../shared/real-hn within
Gemini's own 59-name taxonomy.  Those labels are an LLM's reading: where one is plainly wrong,
a test below says so and follows the post.
"""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hn_assets.hackernews.cleaning import clean_html
from hn_assets.hackernews.technologies import (
    CATEGORIES,
    GEMINI_TECHNOLOGIES,
    canonical_technology,
    find_technologies,
    technologies,
    technology_category,
    technology_scores,
    without_links,
)
from tests.fakes.real_hn import load_real_posts, real_sample_dir

CANONICAL = {tech.name for tech in technologies()}

# --- the taxonomy ----------------------------------------------------------------------------


def test_taxonomy_is_large_and_every_spelling_names_one_technology():
    assert len(technologies()) >= 150
    owners: dict[str, str] = {}
    for tech in technologies():
        assert tech.category in CATEGORIES, tech
        spellings = tech.aliases + tech.exact + tech.ambiguous
        assert spellings, tech.name
        for spelling in {s.lower() for s in spellings}:
            assert spelling not in owners, (spelling, owners.get(spelling), tech.name)
            owners[spelling] = tech.name
    names = [tech.name.lower() for tech in technologies()]
    assert len(names) == len(set(names))


def test_gemini_names_are_canonical_names():
    # Gemini's labels hold 59 names: these 58 and "Vue.js", once, for what it elsewhere calls
    # "Vue".
    assert len(GEMINI_TECHNOLOGIES) == 58
    assert GEMINI_TECHNOLOGIES <= CANONICAL
    assert canonical_technology("Vue.js") == "Vue"


def test_canonical_names_and_categories():
    assert canonical_technology("golang") == "Go"
    assert canonical_technology("  K8S ") == "Kubernetes"
    assert canonical_technology("AWS CDK") == "AWS CDK"  # a name, though not a spelling
    assert canonical_technology("COBOL on wheels") is None
    assert technology_category("postgres") == "database"
    assert technology_category("React") == "frontend"
    assert technology_category("nothing") is None


# --- aliases --------------------------------------------------------------------------------

ALIASES = [
    ("Golang", ["Go"]),
    ("k8s", ["Kubernetes"]),
    ("Postgres", ["PostgreSQL"]),
    ("psql", ["PostgreSQL"]),
    ("RoR", ["Rails"]),
    ("Ruby on Rails", ["Ruby", "Rails"]),  # Gemini labels both for this phrase
    ("TypeScript, TS and JS", ["TypeScript", "JavaScript"]),
    ("ReactJS or React.js", ["React"]),
    ("NodeJS and Node.js", ["Node.js"]),
    ("NextJS", ["Next.js"]),
    ("Vue.js", ["Vue"]),
    ("GCP, Google Cloud, Google Cloud Platform", ["GCP"]),
    ("Amazon Web Services", ["AWS"]),
    ("C++ and cpp", ["C++"]),
    ("C++20", ["C++"]),
    ("C# on .NET Core", ["C#", ".NET"]),
    ("C#.NET", ["C#", ".NET"]),
    ("Obj-C", ["Objective-C"]),
    ("LLMs", ["LLM"]),
    ("Spring Boot", ["Spring"]),
    ("Hugging Face and HuggingFace", ["Hugging Face"]),
    ("GitHub Actions", ["GitHub Actions"]),
    ("OpenAI API", ["OpenAI API"]),
    ("React Native", ["React Native"]),  # not React as well
    ("AWS CDK", ["AWS", "AWS CDK"]),  # "AWS" is what posters mean too
    ("Go+Postgres", ["Go", "PostgreSQL"]),
    ("React+TS", ["React", "TypeScript"]),
]


@pytest.mark.parametrize(("text", "expected"), ALIASES)
def test_aliases(text, expected):
    assert find_technologies(text) == expected


def test_names_come_once_in_order_of_first_mention():
    text = "Postgres and Python; later PostgreSQL again, then Go, Rust and psql."
    assert find_technologies(text) == ["PostgreSQL", "Python", "Go", "Rust"]


def test_links_and_addresses_are_not_read():
    text = "Apply at https://acme.com/jobs/golang-engineer or golang-jobs@acme.com (www.react.jobs)"
    assert find_technologies(text) == []
    assert without_links("mail a.b@acme.co.uk, see https://x.io now") == "mail  ~ , see  ~  now"


def test_a_bare_tf_is_not_terraform():
    # "tf" is as often TensorFlow, and mostly a file suffix: no alias.
    assert find_technologies("edit the .tf files, tf apply") == []


# --- ambiguous names: each with a post that means it and one that does not ---------------------

AMBIGUOUS = [
    ("Go", "Our backend is written in Go and Python.", "We help teams go to market faster."),
    ("Go", "Senior Backend Engineer (Go)", "Our go-to tool for planning"),
    ("Go", "Stack: Go/Rust", "Let's go! Apply now."),
    ("Go", "Go, Rust and TypeScript", "She is a go-getter."),
    ("Go", "using 100% Go with AWS", "LLMs go through the codebase"),
    ("C", "Firmware in C, C++ and Rust", "We raised our Series C last year."),
    ("C", "written in C", "C-suite executives"),
    ("C", "(embedded, C, firmware)", "Option A, B or C."),
    ("R", "Python and R for statistics", "Our R&D team is growing"),
    ("R", "Data science in R", "R. Smith is our CEO"),
    ("Swift", "iOS in Swift and SwiftUI", "SWIFT payments and banking"),
    ("Swift", "Swift, Kotlin", "a swift hiring process"),
    ("Rust", "Rust backend", "jobs in the Rust Belt"),
    ("Spring", "Java, Spring Boot, Kafka", "Spring 2024 internship"),
    ("Spring", "Java 17, Spring and Hibernate", "starting this Spring"),
    ("Rails", "Ruby on Rails monolith", "payment rails for banks"),
    ("Elixir", "Elixir and Phoenix", "the elixir of life"),
    ("Dart", "Flutter and Dart mobile apps", "DART transit"),
    ("Flutter", "Flutter apps", "butterflies flutter"),
    ("Julia", "models in Julia and Python", "Julia, our CTO, will reply"),
    ("Ruby", "Ruby, Python and Go", "Ruby is our head of people."),
    ("Java", "Java and Kotlin", "JavaScript only"),
    ("Scala", "Scala and Spark", "we scala up"),
    ("Express", "Node.js and Express", "Express your interest by email"),
    ("Flask", "Python/Flask APIs", "a flask of coffee"),
    ("Next.js", "React, Next, Tailwind", "Python. Next, React is what we use"),
    ("Next.js", "React/Next", "Next, we will talk."),
    ("Ember", "Rails, Ember, Postgres", "a glowing ember"),
    ("Chef", "Chef, Ansible, Terraform", "Our Chef prepares lunch daily."),
    ("Puppet", "Puppet and Ansible", "Puppet shows for kids"),
    ("SaltStack", "Salt, Ansible", "Salt Lake City"),
    ("Vault", "Terraform, Vault, Consul", "a bank vault"),
    ("Airflow", "Airflow and dbt", "airflow in the data center"),
    ("Spark", "Spark, Kafka, Flink", "Spark Capital led our round"),
    ("Node.js", "Node services in TypeScript", "each node in the graph"),
    ("TypeScript", "React+TS", "TS/SCI clearance required"),
    ("React", "React and Redux", "we react quickly to incidents"),
    ("Oracle Database", "Oracle, MongoDB", "the Oracle of Omaha"),
    ("Ray", "PyTorch, Ray, Kubernetes", "Ray joined us in May"),
    ("Phoenix", "Elixir/Phoenix", "offices in Phoenix, AZ"),
    ("Temporal", "Go, Temporal, Postgres", "temporal data"),
    ("Stripe", "Node.js, Stripe, Postgres", "ex-Stripe engineers"),
    ("Cloudflare", "Cloudflare Workers and D1", "backed by the founders of Cloudflare"),
    ("OpenAI API", "Stack: Python, OpenAI, Pinecone", "previously worked at OpenAI and Google"),
    ("Excel", "Python, SQL, Excel", "we excel at shipping"),
    ("Tailwind CSS", "React, Tailwind", "macro tailwind for the sector"),
]


@pytest.mark.parametrize(("name", "means_it", "does_not"), AMBIGUOUS)
def test_ambiguous_names(name, means_it, does_not):
    assert name in find_technologies(means_it), means_it
    assert name not in find_technologies(does_not), does_not


def test_other_case_counts_only_inside_a_list():
    # Casual posts write "python, go, rust"; "go" alone is the verb.
    assert find_technologies("stack: python, go, rust") == ["Python", "Go", "Rust"]
    assert find_technologies("frontend react, redux") == ["React", "Redux"]
    assert find_technologies("we are a ruby/rails shop") == ["Ruby", "Rails"]
    assert find_technologies("ready to go, then react fast") == []
    assert find_technologies("go/no-go decision, spring/summer") == []


# --- properties ------------------------------------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        *(spelling for tech in technologies()[:80] for spelling in tech.aliases + tech.exact),
        *("Go", "C", "R", "go", "Spring", "Next", "Node", "TS", "c++", "C#", ".NET"),
        *(", ", "/", " and ", ". ", "\n", "- ", " (", ")", "+", "#", "@", "https://", " in "),
        *("Series", "experience with", "written in", "backed by", "ex-", "İ", "ß"),
    ]
)


@given(st.text(max_size=400))
@settings(deadline=None, max_examples=300)
def test_any_text_gives_canonical_names_once(text):
    found = find_technologies(text)
    assert set(found) <= CANONICAL
    assert len(found) == len(set(found))


@given(st.lists(FRAGMENTS, max_size=60).map("".join))
@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_text_made_of_spellings_gives_canonical_names_once(text):
    found = find_technologies(text)
    assert set(found) <= CANONICAL
    assert len(found) == len(set(found))


def test_text_whose_lower_case_is_longer_still_reads_names():
    # "İ" lower-cases to two characters: positions of the lowered text no longer fit.
    assert find_technologies("İstanbul team: Go, Rust, Postgres") == ["Go", "Rust", "PostgreSQL"]


@pytest.mark.parametrize(
    "text",
    [
        "C, " * 40_000,
        "go " * 40_000,
        "Go. " * 30_000,
        "@" * 100_000,
        "a" * 100_000 + "@acme.com",
        "https://" * 15_000,
        "Spark Capital backed by " * 5_000,
        "ruby/rails/" * 10_000,
    ],
)
def test_hostile_text_is_read_in_linear_time(text):
    started = time.perf_counter()
    find_technologies(text)
    assert time.perf_counter() - started < 3.0


# --- scores ---------------------------------------------------------------------------------


def test_technology_scores_count_only_the_taxonomy_and_read_spellings():
    taxonomy = {"Go", "Vue.js", "PostgreSQL", "Rust"}
    reference = ["Golang", "Vue", "Rust", "Excel"]  # Excel is outside the taxonomy
    ours = ["Go", "Vue", "PostgreSQL", "Linux"]  # and so is Linux
    assert technology_scores(reference, ours, taxonomy) == (2, 1, 1)
    assert technology_scores([], [], taxonomy) == (0, 0, 0)


# --- real posts -------------------------------------------------------------------------------

GEMINI_LABELS = "labels-gemini-flash-lite.jsonl.gz"
GPT_LABELS = "labels-gpt-4o-mini.jsonl.gz"
GEMINI_F1_FLOOR = 0.92
GPT_RECALL_FLOOR = 0.97


def _labels(folder: Path, name: str) -> dict[int, dict]:
    with gzip.open(folder / name, "rt", encoding="utf-8") as lines:
        return {int(row["id"]): row for row in map(json.loads, lines)}


@pytest.fixture(scope="module")
def real_posts() -> tuple[Path, dict[int, str]]:
    folder = real_sample_dir()
    return folder, {post.id: clean_html(post.text).text for post in load_real_posts(folder)}


def _micro(scores: list[tuple[int, int, int]]) -> tuple[int, int, int, float, float, float]:
    tp, fp, fn = (sum(column) for column in zip(*scores, strict=True))
    precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
    f1 = 2 * precision * recall / max(1e-9, precision + recall)
    return tp, fp, fn, precision, recall, f1


def test_agrees_with_gemini_on_real_posts(real_posts):
    folder, texts = real_posts
    labels = _labels(folder, GEMINI_LABELS)
    scores = [
        technology_scores(row["technologies"], find_technologies(texts[i]), GEMINI_TECHNOLOGIES)
        for i, row in labels.items()
        if i in texts
    ]
    assert len(scores) > 600
    tp, fp, fn, precision, recall, f1 = _micro(scores)
    # Most of what Gemini counts against us is its own omission: it rarely lists SQL, iOS,
    # Android, C in "C/C++" or JavaScript next to TypeScript, all of which the posts name.
    assert f1 >= GEMINI_F1_FLOOR, f"tp={tp} fp={fp} fn={fn} P={precision:.3f} R={recall:.3f}"


def test_finds_what_gpt_4o_mini_names_on_real_posts(real_posts):
    # gpt-4o-mini lists at most about five names per post, so only its recall is meaningful:
    # every name it gives that the taxonomy knows, we should find too.
    folder, texts = real_posts
    labels = _labels(folder, GPT_LABELS)
    scores = [
        technology_scores(row["technologies"], find_technologies(texts[i]), CANONICAL)
        for i, row in labels.items()
        if i in texts
    ]
    tp, fp, fn, *_ = _micro(scores)
    assert tp / (tp + fn) >= GPT_RECALL_FLOOR, f"tp={tp} fn={fn}"


# Posts where Gemini's label is plainly wrong; we follow the post.
LABEL_ERRORS = [
    # "Backend: Golang, PostgreSQL": Gemini leaves Go out.
    (46521389, "Go", True),
    # "APIs: Golang, Elysia/Node": Gemini leaves Go out.
    (46860342, "Go", True),
    # A Microsoft networking post that names no language: Gemini says C++.
    (46903459, "C++", False),
    # "Our tech stack: Go, CockroachDB, RocksDB, ...": Gemini says PostgreSQL.
    (46869827, "PostgreSQL", False),
    # A quant post that names no language: Gemini says Python.
    (46859859, "Python", False),
    # "5+ years backend experience; Go required, Rust a plus": Gemini is right, and so are we.
    (46543871, "Go", True),
]


@pytest.mark.parametrize(("post_id", "name", "named"), LABEL_ERRORS)
def test_follows_the_post_where_a_label_is_wrong(real_posts, post_id, name, named):
    _, texts = real_posts
    assert (name in find_technologies(texts[post_id])) is named


def test_speed_on_real_posts(real_posts):
    _, texts = real_posts
    posts = list(texts.values())
    find_technologies(posts[0])  # loads the taxonomy
    started = time.perf_counter()
    for text in posts:
        find_technologies(text)
    per_post = (time.perf_counter() - started) / len(posts)
    # A generous bound for shared CI machines; bench/ measures the real figure.
    assert per_post < 0.002, f"{per_post * 1e6:.0f} us per post"
