"""Quality rules for the text-generation assets, as plain functions returning a
:class:`~hn_assets.quality.Verdict` (``hn_assets.defs.textgen`` reports them as asset checks).
"""

from __future__ import annotations

from collections.abc import Sequence

from hn_assets.quality import Verdict
from hn_assets.textgen.sampling import GeneratedPosting

#: Share of the training text the vocabulary must cover (the rest is <UNKNOWN>): below it the
#: model learns a language with holes, and min_frequency is set too high for the corpus.
MIN_VOCABULARY_COVERAGE = 0.99
#: Share of generated postings that must end on their own (END before max_chars).
MIN_TERMINATED_SHARE = 0.8


def training_set_covered(
    posts: int, unknown_rate: float, min_coverage: float = MIN_VOCABULARY_COVERAGE
) -> Verdict:
    """The training set has posts, and its vocabulary covers at least ``min_coverage`` of
    their characters (``unknown_rate`` is the share that became <UNKNOWN>)."""
    coverage = 1.0 - unknown_rate
    if posts == 0:
        description = "the training set is empty: there is no post to learn from"
    else:
        description = (
            f"the vocabulary covers {coverage:.2%} of the characters of {posts} posts "
            f"(at least {min_coverage:.0%} needed)"
        )
        if coverage < min_coverage:
            description += "; lower min_frequency so fewer characters become <UNKNOWN>"
    return Verdict(
        passed=posts > 0 and coverage >= min_coverage,
        description=description,
        metadata={
            "posts": posts,
            "coverage": round(coverage, 5),
            "min_coverage": min_coverage,
        },
    )


def postings_terminate(
    postings: Sequence[GeneratedPosting], min_share: float = MIN_TERMINATED_SHARE
) -> Verdict:
    """At least ``min_share`` of the postings are non-empty and reached END before the
    length cap (a warning: the model and the sampling settings, not the data, are at fault)."""
    ended = sum(1 for posting in postings if posting.terminated and posting.text.strip())
    share = ended / len(postings) if postings else 0.0
    return Verdict(
        passed=bool(postings) and share >= min_share,
        description=f"{ended} of {len(postings)} postings end on their own "
        f"({share:.0%}; at least {min_share:.0%} needed)",
        metadata={
            "terminated": ended,
            "postings": len(postings),
            "terminated_share": round(share, 3),
            "min_share": min_share,
        },
        warning=True,
    )
