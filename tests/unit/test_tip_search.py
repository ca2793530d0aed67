"""Keyword search over tips: folding, prefixes, weights, ranking."""

from __future__ import annotations

import pytest

from bot.core.tip_search import Document, Synonyms, TipIndex, fold, query_terms, search, words

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


SCAMS = [
    Document("sms-en", "A text message from your bank", "Call the bank back."),
    Document("sms-fr", "Un SMS de votre banque", "Rappelez la banque."),
    Document("scam-fr", "L'arnaque au colis", "Un faux livreur."),
    Document("scam-en", "The parcel scam", "A fake courier."),
    Document("text-only", "Text your friends", "Every day."),
    Document("password", "Mots de passe", "Un par compte."),
    Document("sms-scam", "Scams by text", "A text message that rushes you is a scam."),
]
SCAM_WORDS = Synonyms(
    [("sms", "text message"), ("scam", "arnaque", "fraude"), ("password", "mot de passe")]
)


def test_synonyms_find_each_other_in_both_directions_below_the_word_typed() -> None:
    index = TipIndex(SCAMS, SCAM_WORDS)
    assert index.search("sms")[:2] == ["sms-fr", "sms-en"]  # the word typed, then a synonym
    assert index.search("text message") == ["sms-en", "sms-fr", "sms-scam"]
    assert index.search("arnaque") == ["scam-fr", "scam-en", "sms-scam"]
    assert index.search("fraude") == ["scam-fr", "scam-en", "sms-scam"]  # synonyms only
    assert index.search("scams")[0] == "scam-en"  # a plural finds the entry "scam"
    assert index.search("passwords") == ["password"]  # "mots de passe": a phrase's plural
    assert index.search("mot de passe") == ["password"]


def test_a_phrase_and_its_synonyms_count_as_one_of_the_querys_words() -> None:
    index = TipIndex(SCAMS, SCAM_WORDS)
    assert query_terms("SMS arnaques", SCAM_WORDS) == ["=sms", "=arnaque"]
    assert query_terms("a text message scam", SCAM_WORDS) == ["=text message", "=scam"]
    # The tip holding both of the query's words first, whatever words it holds them in.
    assert index.search("arnaque sms")[0] == "sms-scam"
    # A phrase needs all its words: "text" alone is a word like any other.
    assert "sms-fr" not in index.search("text")


def test_every_group_of_synonyms_holds_each_entry_once() -> None:
    from bot.core.tip_synonyms import SYNONYM_GROUPS, SYNONYMS

    assert len(SYNONYMS.groups) == len(SYNONYM_GROUPS)
    assert all(len(group) >= 2 for group in SYNONYMS.groups)
    with pytest.raises(ValueError, match="two groups"):
        Synonyms([("sms", "texto"), ("textos", "message")])
