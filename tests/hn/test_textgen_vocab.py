"""Vocabulary rules of the char-LSTM training set."""

import sys

import numpy as np
import pytest

from hn_assets.textgen.vocab import (
    END,
    START,
    UNKNOWN,
    ReservedCharacterError,
    Vocabulary,
    build_vocabulary,
    check_no_reserved,
    describe_char,
    normalise,
    vocabulary_table,
)


def test_normalise_lowercases_and_folds_quotes_apostrophes():
    assert normalise("We\u2019re HIRING \u201cSenior\u201d Devs") == 'we\'re hiring "senior" devs'
    assert normalise("it`s \u2018ok\u2019 \u00abyes\u00bb") == "it's 'ok' \"yes\""


def test_normalise_maps_dashes_and_bullets_to_unknown_but_keeps_hyphens():
    text = "Berlin \u2014 Remote\n\u2022 Python\n\u00b7 Go \u2013 Rust full\u2010time full-time"
    assert normalise(text) == (
        f"berlin {UNKNOWN} remote\n{UNKNOWN} python\n{UNKNOWN} go {UNKNOWN} rust full-time full-time"
    )


def test_normalise_whitespace_and_idempotence():
    text = "A\r\nB\rC\u00a0D\tE\u200bF\u2026"
    assert normalise(text) == "a\nb\nc d ef..."
    assert normalise(normalise(text)) == normalise(text)


def test_vocabulary_keeps_frequent_characters_and_reserves_ids():
    texts = ["aaaa bbbb", "aaab z"]  # 15 chars: a=7, b=4, space=2, z=1
    vocab = build_vocabulary(texts, min_frequency=2 / 15)
    assert vocab.chars == (START, END, UNKNOWN, " ", "a", "b")
    assert (vocab.start_id, vocab.end_id, vocab.unknown_id) == (0, 1, 2)
    ids = vocab.encode("Ab Z!")
    assert ids.dtype == np.uint8
    assert vocab.decode(ids) == f"ab {UNKNOWN}{UNKNOWN}"


def test_default_threshold_is_2000_in_17_8_million():
    # the blog's 17.8 M characters scaled down 10x: 200 occurrences stay, 199 are rare
    vocab = build_vocabulary(["e" * (1_780_000 - 399), "x" * 200, "y" * 199])
    assert "x" in vocab.chars
    assert "y" not in vocab.chars


def test_normalise_drops_markers_and_controls_a_reader_never_sees():
    text = f"a{START}b{END}c\x00d\x1be\x7ff\x85g\x9fh\tI\nj"
    assert normalise(text) == "abcdefgh i\nj"
    # a literal UNKNOWN is an unknown character: kept, so normalise stays idempotent
    assert normalise(f"x{UNKNOWN}y \u2014") == f"x{UNKNOWN}y {UNKNOWN}"
    assert normalise(normalise(text)) == normalise(text)


def test_normalise_turns_lone_surrogates_into_unknown():
    assert normalise("a\ud800b\udfff") == f"a{UNKNOWN}b{UNKNOWN}"
    vocab = build_vocabulary(["ab"], min_frequency=0.0)
    assert vocab.decode(vocab.encode_normalised("a\udc80b")) == f"a{UNKNOWN}b"


def test_reserved_characters_never_enter_the_vocabulary_as_text():
    vocab = build_vocabulary([f"{START}{END}{UNKNOWN}\x01" * 50, "ok"], min_frequency=0.0)
    assert vocab.chars == (START, END, UNKNOWN, "k", "o")


def test_normalise_refuses_a_non_string_with_a_clear_error():
    for value in (None, float("nan"), b"bytes", 3):
        with pytest.raises(TypeError, match="normalise\\(\\) takes a str"):
            normalise(value)


def test_check_no_reserved_still_refuses_for_callers_that_want_it():
    for char in (START, END, UNKNOWN):
        with pytest.raises(ReservedCharacterError, match=r"post 1 .*reserved .*U\+000"):
            check_no_reserved(f"bad{char}text", where="post 1")
    check_no_reserved("fine")


def test_only_two_characters_normalise_to_more_than_one():
    # The corpus is sized from the normalised text; this pins down what lengthens it: the
    # ellipsis rule and str.lower() of the dotted capital I.
    longer = {
        char: normalise(char)
        for char in map(chr, range(sys.maxunicode + 1))
        if len(normalise(char)) > 1
    }
    assert longer == {"\u2026": "...", "\u0130": "i\u0307"}


def test_encode_maps_characters_beyond_the_lookup_table_to_unknown():
    vocab = build_vocabulary(["abc"], min_frequency=0.0)
    ids = vocab.encode("a\U0001f600c\u4e2d")
    assert vocab.decode(ids) == f"a{UNKNOWN}c{UNKNOWN}"


def test_json_round_trip_and_validation():
    vocab = build_vocabulary(["hello, world\n"], min_frequency=0.0)
    again = Vocabulary.from_json(vocab.to_json())
    assert again == vocab
    with pytest.raises(ValueError, match="START, END, UNKNOWN"):
        Vocabulary(("a", "b"))
    with pytest.raises(ValueError, match="not a vocabulary JSON"):
        Vocabulary.from_json("{}")


def test_too_many_characters_for_uint8_is_a_clear_error():
    text = "".join(chr(0x4E00 + i) for i in range(300))
    with pytest.raises(ValueError, match="raise min_frequency"):
        build_vocabulary([text], min_frequency=0.0)


def test_vocabulary_table_rows():
    vocab = build_vocabulary(["ab a"], min_frequency=0.0)
    rows = vocabulary_table(vocab, [1, 1, 0, 1, 2, 1])
    assert rows[0]["char"] == "<START>"
    assert rows[3] == {"id": 3, "char": "<space>", "count": 1, "share": 1 / 6}


@pytest.mark.parametrize(
    "char, name",
    [
        (START, "<START>"),
        (END, "<END>"),
        (UNKNOWN, "<UNKNOWN>"),
        ("\n", "<newline>"),
        (" ", "<space>"),
        ("\t", "<tab>"),
        ("\x7f", "<U+007F>"),
        ("\u200b", "<U+200B>"),
        ("\u3000", "<U+3000>"),
        ("|", "|"),
        ("<", "<"),
        ("é", "é"),
    ],
)
def test_every_character_has_a_visible_name(char, name):
    assert describe_char(char) == name
