"""Keyword search over tips: folding, prefixes, weights, ranking."""

from __future__ import annotations

from bot.core.tip_search import Document, TipIndex, fold, query_terms, search, words

DOCS = [
    Document("text-only", "Check the sender", "A rushed message is often phishing."),
    Document("title", "Spot phishing", "Look at the address."),
    Document("prefix-title", "Phishers and their tricks", "Fake pages."),
    Document("keyword", "Read before you click", "Links lie.", keywords="phishing"),
    Document("french", "L'hameçonnage", "Un courriel piégé."),
    Document("none", "Back up your photos", "Twice, in two places."),
]


def test_fold_drops_accents_case_and_ligatures() -> None:
    assert fold("Hameçonnage ÉLÈVE") == "hameconnage eleve"
    assert fold("Œuvre") == "oeuvre"
    assert fold("Straße") == "strasse"
    assert words("L'hameçonnage, c'est… mal!") == ["l", "hameconnage", "c", "est", "mal"]


def test_query_terms_skip_stop_words_unless_nothing_else() -> None:
    assert query_terms("the phishing of the mails") == ["phishing", "mails"]
    assert query_terms("Le le LA") == ["le", "la"]
    assert query_terms("  ?! ") == []


def test_title_beats_keywords_beats_text_whole_word_beats_prefix() -> None:
    assert search(DOCS, "phishing") == ["title", "keyword", "text-only"]
    assert search(DOCS, "phish") == ["title", "prefix-title", "keyword", "text-only"]


def test_accent_insensitive_both_ways() -> None:
    assert search(DOCS, "hameconnage") == ["french"]
    assert search(DOCS, "HAMEÇONNAGE") == ["french"]


def test_short_words_match_whole_words_only() -> None:
    assert search(DOCS, "phi") == []
    assert search(DOCS, "two") == ["none"]
    assert search(DOCS, "tw") == []


def test_documents_matching_more_words_come_first() -> None:
    index = TipIndex(DOCS)
    assert index.search("sender phishing")[0] == "text-only"  # both words, in title and text
    # One word each: a title match, whichever word, beats keywords and text.
    assert index.search("photos phishing") == ["title", "none", "keyword", "text-only"]
    assert index.search("zebra") == []
    assert len(index) == len(DOCS)


def test_ties_keep_the_documents_order() -> None:
    docs = [Document("b", "Wi-Fi", ""), Document("a", "Wi-Fi", "")]
    assert search(docs, "wi fi") == ["b", "a"]
