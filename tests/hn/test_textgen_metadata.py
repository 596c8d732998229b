"""What the text-generation assets show in the Dagster UI: typed tables, Dagster's standard
row count and column schema, counts the UI can display, and markdown that shows text as is."""

import html
import re
from pathlib import Path

import dagster as dg
import pytest
from markdown_it import MarkdownIt

from hn_assets.defs.textgen import (
    INT32_MAX,
    lstm_metadata,
    postings_metadata,
    postings_preview,
    training_set_metadata,
)
from hn_assets.reporting import escape_markdown
from hn_assets.textgen.corpus import PostingLengths, build_training_set
from hn_assets.textgen.sampling import GeneratedPosting, GenerateSettings
from hn_assets.textgen.training import TrainConfig, TrainResult

# The Dagster UI renders markdown as CommonMark with GitHub's tables.
MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])
BILLIONS = 5_000_000_000


def rendered_text(markdown: str) -> str:
    """The text a reader sees: the rendered HTML without its tags, breaks as newlines."""
    rendered = MARKDOWN.render(markdown)
    rendered = re.sub(r"<br />\n?", "\n", rendered).replace("</p>\n<p>", "\n\n")
    return html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip("\n").replace("\xa0", " ")


@pytest.mark.parametrize(
    "text",
    [
        "acme | backend engineer | remote | $150k",
        "email <jobs@acme.com> or <b>bold</b> &amp; <script>alert(1)</script>",
        "*not emphasis* and _not either_ and **nor this**",
        "run `make test` then ```code``` \\ and a backslash\\",
        "first line\nsecond line\n\nnew paragraph\n\n\n\nafter blank lines",
        "# not a heading\n- not a list\n1. not numbered\n> not a quote\n---\n===",
        "    indented four spaces, not code\n\ttabbed",
        "[not a link](http://x) ![not an image](y) ~~not struck~~",
    ],
)
def test_escaped_markdown_renders_as_the_text_itself(text):
    escaped = escape_markdown(text)
    shown = rendered_text(escaped)
    # Blank lines separate paragraphs however many there are; spaces at a line's end are lost.
    lines = re.sub(r"\n{3,}", "\n\n", text).replace("\t", " ").split("\n")
    assert shown == "\n".join(line.rstrip() for line in lines)
    assert "<script>" not in MARKDOWN.render(escaped) and "<b>" not in MARKDOWN.render(escaped)
    assert "<li>" not in MARKDOWN.render(escaped) and "<h1>" not in MARKDOWN.render(escaped)


def test_unescaped_text_would_not_render_as_itself():
    # The test above means something: these texts do turn into markup when left alone.
    assert "<em>" in MARKDOWN.render("*not emphasis*")
    assert "<code>" in MARKDOWN.render("run `make test`")
    assert "<h1>" in MARKDOWN.render("# not a heading")


def ints_in(metadata: dict) -> dict[str, int]:
    """Every value that would reach the UI as an IntMetadataEntry (plain ints included)."""
    found = {}
    for key, value in metadata.items():
        if isinstance(value, dg.IntMetadataValue):
            found[key] = value.value
        elif isinstance(value, int) and not isinstance(value, bool):
            found[key] = value
    return found


@pytest.fixture(scope="module")
def summary(tmp_path_factory):
    texts = [
        f"acme | role {i} | remote\n\nwe hire <people> who like *this*: a|b " * 3 for i in range(30)
    ]
    return build_training_set(
        texts,
        tmp_path_factory.mktemp("set"),
        min_frequency=0.0,
        seq_len=20,
        step=3,
        val_fraction=0.2,
        seed=0,
    )


def test_the_vocabulary_is_a_typed_table_with_a_visible_name_in_every_cell(summary, tmp_path):
    metadata = training_set_metadata(summary, tmp_path)
    vocabulary = metadata["vocabulary"]
    assert isinstance(vocabulary, dg.TableMetadataValue)
    assert [c.name for c in vocabulary.schema.columns] == ["id", "char", "count", "share"]
    chars = [record.data["char"] for record in vocabulary.records]
    assert chars[:3] == ["<START>", "<END>", "<UNKNOWN>"]
    assert {"<newline>", "<space>", "|", "<", "*"} <= set(chars)
    assert all(isinstance(char, str) and char.strip() for char in chars)
    assert [record.data["id"] for record in vocabulary.records] == list(range(len(chars)))
    assert not any(isinstance(value, dg.MarkdownMetadataValue) for value in metadata.values())


def test_the_training_set_reports_dagsters_row_count_and_column_schema(summary, tmp_path):
    metadata = training_set_metadata(summary, tmp_path)
    assert metadata["dagster/row_count"].value == summary["posts"] == 30
    schema = metadata["dagster/column_schema"]
    assert isinstance(schema, dg.TableSchema)
    assert [c.name for c in schema.columns] == ["offset", "ids"]
    assert all(c.description for c in schema.columns)
    assert isinstance(metadata["quarantined_posts"], dg.TableMetadataValue)
    assert metadata["median_posting_chars"] == summary["posting_lengths"].median > 0
    dg.MaterializeResult(metadata=metadata)  # Dagster accepts every value


def test_counts_past_32_bits_do_not_go_as_ints(summary, tmp_path):
    huge = {
        **summary,
        "characters": BILLIONS,
        "train_windows": BILLIONS // 3,
        "val_windows": BILLIONS // 30,
        "bytes_on_disk": BILLIONS + 12,
        "onehot_bytes": 3_547_112_627_000,
    }
    metadata = training_set_metadata(huge, tmp_path)
    assert all(value <= INT32_MAX for value in ints_in(metadata).values()), ints_in(metadata)
    assert metadata["characters"] == dg.MetadataValue.float(5e9)
    assert metadata["train_windows"].value == pytest.approx(BILLIONS / 3, abs=1)
    assert metadata["size_on_disk_mib"].value == pytest.approx(BILLIONS / 2**20, abs=0.01)
    assert metadata["onehot_mib_blog_post"].value == pytest.approx(3_382_790.6, abs=1)


def train_result(**overrides) -> TrainResult:
    values = dict(
        checkpoint_path=Path("last.ckpt"),
        best_checkpoint_path=Path("best.ckpt"),
        val_bpc=1.5,
        unigram_bpc=4.4,
        train_curve=[(1, 5.0), (10, 3.0)],
        val_curve=[(10, 2.0)],
        parameters=235_067,
        chars_per_s=14_000.0,
        global_step=4200,
        resumed=False,
        validation_rounds=70,
        epochs=0.2517,
        epochs_this_call=0.2517,
        train_batches=4200,
        train_windows=533_951,
        val_windows=1918,
        wall_s=160.0,
        train_s=150.2,
        device="cpu",
        precision="32-true",
        stopped_by="time budget",
        posting_lengths=PostingLengths(posts=1347, median=1279, p90=1664, longest=2262),
        train_chars_seen=13_440_000,
    )
    return TrainResult(**{**values, **overrides})


def test_the_training_run_is_reported_in_honest_units():
    config = TrainConfig.small_cpu()
    metadata = lstm_metadata(train_result(), config, "small_cpu", Path("model.ckpt"))
    assert metadata["epochs"] == 0.2517  # passes over the data, not Lightning's rounds
    assert metadata["steps"] == metadata["steps_this_run"] == 4200
    assert metadata["validations"] == 70
    assert (metadata["batch_size"], metadata["seq_len"]) == (32, 100)
    assert (metadata["profile"], metadata["device"], metadata["stopped_by"]) == (
        "small_cpu",
        "cpu",
        "time budget",
    )
    assert metadata["parameters"] == 235_067 and metadata["wall_time_s"] == 160.0
    assert metadata["model"] == "2 x 128 LSTM, 64-d embedding, dropout 0.2"
    summary = metadata["training"].value
    assert "4,200 steps of 32 windows x 100 characters" in summary
    assert "0.252 epochs (passes over 533,951 training windows)" in summary
    assert "fresh_start_reason" not in metadata
    dg.MaterializeResult(metadata=metadata)


def test_a_long_training_run_reports_its_counts_as_floats():
    result = train_result(
        global_step=2_000_000, train_windows=3 * BILLIONS, train_chars_seen=20 * BILLIONS
    )
    metadata = lstm_metadata(result, TrainConfig(), "paper", Path("model.ckpt"))
    assert all(value <= INT32_MAX for value in ints_in(metadata).values()), ints_in(metadata)
    assert metadata["characters_trained_this_run"].value == 1e11
    assert metadata["train_windows"].value == 1.5e10


POSTINGS = [
    GeneratedPosting("acme | sre | remote\n\n*apply* at <jobs@acme.com>", terminated=True),
    GeneratedPosting("x" * 300, terminated=False),
    GeneratedPosting("   ", terminated=True),
]


def test_generated_postings_are_a_table_with_the_standard_metadata():
    settings = GenerateSettings(n=3)
    metadata = postings_metadata(POSTINGS, settings, 1279, Path("model.ckpt"))
    assert metadata["dagster/row_count"].value == 3 == metadata["postings"]
    assert [c.name for c in metadata["dagster/column_schema"].columns] == [
        "posting",
        "text",
        "chars",
        "terminated",
    ]
    assert metadata["terminated"] == 2
    assert metadata["end_bias_after_chars"] == 1279 and metadata["end_bias"] == settings.end_bias
    table = metadata["postings_table"]
    assert isinstance(table, dg.TableMetadataValue)
    assert [r.data["chars"] for r in table.records] == [len(p.text) for p in POSTINGS]
    assert len(table.records[1].data["text"]) <= 200
    dg.MaterializeResult(metadata=metadata)


def test_the_preview_shows_each_posting_as_written():
    preview = postings_preview(POSTINGS, max_chars=2000)
    assert f"**posting 1** ({len(POSTINGS[0].text)} characters, ended)" in preview
    assert "**posting 2** (300 characters, cut at 2000 characters)" in preview
    assert "_(empty)_" in preview
    shown = rendered_text(preview)
    assert "acme | sre | remote\n\n*apply* at <jobs@acme.com>" in shown
    assert "<em>" not in MARKDOWN.render(preview.split("---")[0].split("\n\n", 1)[1])
