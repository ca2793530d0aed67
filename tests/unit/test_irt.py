"""The IRT engine on the small fixture bank (1.1: tubes alpha and beta, levels 1-5)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from bot.core.engines import get_engine
from bot.core.engines.base import EngineState
from bot.core.engines.irt import (
    _CLASS,
    _TRUE_LEVEL,
    RESPONDERS,
    IrtEngine,
    _level_of,
    _uncertainty,
    guessing,
    parameters,
)
from bot.core.scoring import DEFAULT_MAX_LEVEL, Knowledge, Source, Status, infer, score
from content.bank import ContentBank
from content.models import ChallengeType


def state(
    bank: ContentBank,
    answers: list[tuple[str, bool]],
    seed: int = 1,
    known: dict[str, Knowledge] | None = None,
    competence: str = "1.1",
) -> EngineState:
    return EngineState(
        bank=bank,
        competence=competence,
        answers=[(bank.challenges[cid], ok) for cid, ok in answers],
        seed=seed,
        known=known or {},
    )


def test_registered() -> None:
    assert isinstance(get_engine("irt"), IrtEngine)


def test_parameters_follow_the_level_and_the_type(bank: ContentBank) -> None:
    for challenge in bank.challenges.values():
        a, b, c = parameters(challenge)
        assert b == challenge.level - 0.5 and a > 0
        options = len(challenge.text("en").options)
        if challenge.type is ChallengeType.SINGLE:
            assert c == 1 / options
        elif challenge.type is ChallengeType.MULTIPLE:
            assert 0 < c < 1 / options
        else:
            assert c == guessing(challenge) == 0


def test_posterior_moves_the_right_way(bank: ContentBank) -> None:
    engine = IrtEngine()
    prior_mean, prior_sd = engine.estimate(state(bank, []))
    up, up_sd = engine.estimate(state(bank, [("alpha-3a", True)]))
    down, _ = engine.estimate(state(bank, [("alpha-3a", False)]))
    assert down < prior_mean < up
    assert up_sd < prior_sd
    higher, _ = engine.estimate(state(bank, [("alpha-3a", True), ("beta-4b", True)]))
    assert higher > up
    # A right text answer says more than a right single-choice answer (no guessing).
    text, _ = engine.estimate(state(bank, [("alpha-1b", True)]))
    choice, _ = engine.estimate(state(bank, [("alpha-1a", True)]))
    assert bank.challenges["alpha-1b"].type is ChallengeType.TEXT
    assert bank.challenges["alpha-1a"].type is ChallengeType.SINGLE
    assert text > choice
    assert abs(sum(engine.level_probabilities(state(bank, []))) - 1) < 1e-9


def run(bank: ContentBank, engine: IrtEngine, seed: int, right: bool) -> list[str]:
    answers: list[tuple[str, bool]] = []
    while (challenge := engine.next_challenge(state(bank, answers, seed))) is not None:
        answers.append((challenge.id, right if challenge.level > 2 else True))
        assert len(answers) <= engine.max_length
    return [cid for cid, _ in answers]


def test_selection_never_repeats_a_skill_and_spreads_over_tubes(bank: ContentBank) -> None:
    engine = IrtEngine(stop_probability=1.1)  # only max length or exhaustion stop it
    for seed in range(10):
        for right in (True, False):
            asked = run(bank, engine, seed, right)
            skills = [bank.challenges[cid].skill for cid in asked]
            assert len(skills) == len(set(skills)) and skills
            if len(skills) >= 2:
                assert {bank.challenges[cid].tube for cid in asked} == {"alpha", "beta"}


def test_never_asks_a_skill_pix_inference_settled(bank: ContentBank) -> None:
    engine = IrtEngine(stop_probability=1.1)
    answers = [("alpha-3a", True)]
    for seed in range(10):
        nxt = engine.next_challenge(state(bank, answers, seed))
        assert nxt is not None and nxt.skill not in {"@alpha1", "@alpha2", "@alpha3"}
    known = {"@beta1": Knowledge("@beta1", Status.VALIDATED, Source.DIRECT)}
    for seed in range(10):
        nxt = engine.next_challenge(state(bank, [], seed, known=known))
        assert nxt is not None and nxt.skill != "@beta1"


def test_stop_rule_stops(bank: ContentBank) -> None:
    engine = IrtEngine()
    lengths = [len(run(bank, engine, seed, False)) for seed in range(10)]
    assert all(1 <= n < 10 for n in lengths)
    # A confident posterior stops the test while challenges are left.
    answers = [("alpha-2b", True), ("beta-3b", False)]
    best = max(engine.level_probabilities(state(bank, answers)))
    assert 0 < best < 1
    below = IrtEngine(stop_probability=best - 1e-6, min_length=1)
    above = IrtEngine(stop_probability=best + 1e-6, min_length=1)
    assert below.next_challenge(state(bank, answers)) is None
    assert above.next_challenge(state(bank, answers)) is not None
    assert IrtEngine(stop_probability=0.0).next_challenge(state(bank, answers)) is not None  # min
    short = IrtEngine(stop_probability=1.1, max_length=3)
    assert all(len(run(bank, short, seed, True)) == 3 for seed in range(5))
    # With nothing left to ask the test is over.
    everything = [(f"{t}-{lv}a", True) for t in ("alpha", "beta") for lv in range(1, 6)]
    assert IrtEngine(max_length=50).next_challenge(state(bank, everything)) is None
    assert engine.sureness(state(bank, everything)) == 1.0
    assert 0 <= engine.sureness(state(bank, [])) < 1


def test_knowledge_is_consistent_with_pix_inference(bank: ContentBank) -> None:
    engine = IrtEngine()
    for answers in (
        [("alpha-3a", True), ("beta-2a", False)],
        [("alpha-4a", True), ("beta-4a", True), ("alpha-5a", False)],
        [("alpha-1a", False), ("beta-1b", False)],
    ):
        st = state(bank, answers)
        knowledge = engine.knowledge(st)
        pix = infer(st.skills, st.observations)
        for name, known in pix.items():  # Pix inference is kept as it is
            assert knowledge[name] == known
        for cid, ok in answers:
            skill = bank.challenges[cid].skill
            assert knowledge[skill].source is Source.DIRECT
            assert knowledge[skill].validated is ok
        # Along a tube, validated skills are always the easier ones.
        for tube in ("alpha", "beta"):
            statuses = [knowledge.get(f"@{tube}{lv}") for lv in range(1, 6)]
            flags = [k.validated for k in statuses if k is not None]
            assert flags == sorted(flags, reverse=True)
    strong = engine.knowledge(state(bank, [("alpha-4a", True), ("beta-4b", True)]))
    assert strong["@beta3"].validated and strong["@beta3"].source is Source.INFERRED
    assert set(strong) == {s.name for s in bank.assessable_skills("1.1")}  # all credited
    weak = engine.knowledge(state(bank, [("alpha-1b", False), ("beta-1a", False)]))
    assert not any(k.validated for k in weak.values())


def with_twin(bank: ContentBank, cid: str, twin: str) -> ContentBank:
    """The bank plus a copy of challenge ``cid`` (same skill, type and parameters)."""
    tubes = {
        name: {"competence": bank.tube_competence[name], "tube": tube}
        for name, tube in bank.tubes.items()
    }
    challenges = [*bank.challenges.values(), bank.challenges[cid].model_copy(update={"id": twin})]
    return ContentBank.build(bank.framework, tubes, challenges, bank.tutorials.values(), bank.tips)


def test_deterministic_for_a_seed_and_varied_between_learners(bank: ContentBank) -> None:
    first = [run(bank, IrtEngine(), seed, True) for seed in range(8)]
    again = [run(bank, IrtEngine(), seed, True) for seed in range(8)]
    assert first == again
    # Two learners don't all start with the same challenge: the opening is drawn among the
    # skills nearly as good as the best.
    starts = {IrtEngine().next_challenge(state(bank, [], seed)).id for seed in range(30)}  # type: ignore[union-attr]
    assert len(starts) > 1
    start = bank.challenges[min(starts)]
    twins = with_twin(bank, start.id, "twin")
    engine = IrtEngine()
    drawn = {engine.next_challenge(state(twins, [], seed)).id for seed in range(60)}  # type: ignore[union-attr]
    assert {start.id, "twin"} <= drawn
    for ok in (True, False):  # either twin leads to the same test, and to the same memo entry
        after = {
            engine.next_challenge(state(twins, [(cid, ok)], 1)).id  # type: ignore[union-attr]
            for cid in (start.id, "twin")
        }
        assert len(after) == 1 and after <= set(bank.challenges)
        assert engine._key(state(twins, [(start.id, ok)])) == engine._key(
            state(twins, [("twin", ok)])
        )


def test_a_competence_without_the_challenge_is_ignored(bank: ContentBank) -> None:
    engine = IrtEngine()
    st = state(bank, [], competence="4.1")
    first = engine.next_challenge(st)
    assert first is not None and first.skill.startswith("@gamma")
    assert engine.next_challenge(state(bank, [], competence="1.2")) is None
    assert engine.knowledge(state(bank, [], competence="1.2")) == {}


def test_answers_inform_their_own_tube_most(bank: ContentBank) -> None:
    # The testlet model: a right answer at alpha-3 says more of @alpha4 than of @beta4.
    engine = IrtEngine()
    prior = engine.mastery(state(bank, []))
    after = engine.mastery(state(bank, [("alpha-3b", True)]))
    assert after["@alpha4"] - prior["@alpha4"] > after["@beta4"] - prior["@beta4"] > 0
    missed = engine.mastery(state(bank, [("alpha-3b", False)]))
    assert prior["@alpha2"] - missed["@alpha2"] > prior["@beta2"] - missed["@beta2"] > 0


def test_selection_prefers_what_settles_the_level(bank: ContentBank) -> None:
    engine = IrtEngine()
    progress = engine._progress(state(bank, [("alpha-3b", True)]))
    values = engine.expected_uncertainty(progress)
    asked = bank.challenges["alpha-3b"]
    row = progress.data.row[asked.id]
    assert values[row] == float("inf")  # never a skill twice
    finite = values[values < float("inf")]
    assert len(finite) and (finite >= 0).all()
    before = float(_uncertainty(progress.approximate))
    assert finite.min() <= before + 1e-9  # an answer is expected to reduce the uncertainty


def test_memo_gives_the_same_choices_as_a_fresh_engine(bank: ContentBank) -> None:
    shared = IrtEngine()
    for seed in range(6):
        for right in (True, False):
            assert run(bank, shared, seed, right) == run(bank, IrtEngine(), seed, right)


def test_a_bot_process_remembers_a_bounded_number_of_states(bank: ContentBank) -> None:
    """The memos serve shared prefixes; in a bot each learner's states are new, so unbounded
    (or simulation-sized) memos grew a process with every update."""
    engine = IrtEngine(memo_size=40, pix_memo_size=3)
    rng = np.random.default_rng(5)
    for seed in range(60):  # learners answering at random
        answers: list[tuple[str, bool]] = []
        while (chosen := engine.next_challenge(state(bank, answers, seed))) is not None:
            answers.append((chosen.id, bool(rng.integers(2))))
            assert 0 <= engine.sureness(state(bank, answers, seed)) <= 1
        engine.knowledge(state(bank, answers, seed))
    assert len(engine._memo) <= 40
    assert all(len(data.tube_pix) <= 3 for _, data in engine._cache.values())
    # The answers are the same as an engine remembering everything.
    for seed in range(4):
        assert run(bank, engine, seed, True) == run(bank, IrtEngine(memo_size=10**6), seed, True)


def test_knowledge_is_a_fresh_dict_each_time(bank: ContentBank) -> None:
    engine = IrtEngine()
    answered = state(bank, [("alpha-3a", True), ("beta-4b", False)])
    first = engine.knowledge(answered)
    first.clear()
    assert engine.knowledge(answered) == IrtEngine().knowledge(answered) != {}


@pytest.mark.parametrize(
    "answers",
    [
        [],
        [("alpha-3b", True)],
        [("alpha-4b", False), ("beta-2a", True)],
        [("alpha-1b", False), ("beta-5b", True), ("beta-4b", False)],
    ],
)
def test_exact_levels_are_the_enumerated_ones(
    bank: ContentBank, answers: list[tuple[str, bool]]
) -> None:
    # Every combination of tube offset points, weighted, summed, floored and clipped by hand.
    progress = IrtEngine()._progress(state(bank, answers))
    tubes, points, grid = progress.conditional.shape
    expected = np.zeros(DEFAULT_MAX_LEVEL + 1)
    lowest, highest = _level_of(progress.low), _level_of(progress.high)
    for column in range(grid):
        for combo in itertools.product(range(points), repeat=tubes):
            weight = progress.posterior[column] * np.prod(
                [progress.conditional[t, k, column] for t, k in enumerate(combo)]
            )
            total = sum(progress.tube_pix[t, k, column] for t, k in enumerate(combo))
            level = _level_of(total)
            if _TRUE_LEVEL[column]:
                level = min(max(level, lowest), highest)
            expected[level] += weight
    assert np.allclose(progress.level_probabilities, expected / expected.sum(), atol=1e-9)


def test_knowledge_reports_the_most_likely_level(bank: ContentBank) -> None:
    engine = IrtEngine()
    skills = bank.assessable_skills("1.1")
    for answers in (
        [],
        [("alpha-3b", True)],
        [("alpha-2b", True), ("beta-3b", False)],
        [("alpha-4b", True), ("beta-1b", False)],
        [("alpha-1b", False), ("beta-5b", True), ("beta-4b", False), ("alpha-5a", True)],
    ):
        st = state(bank, answers)
        knowledge = engine.knowledge(st)
        probabilities = engine.level_probabilities(st)
        assert score(skills, knowledge).level == int(np.argmax(probabilities))
        # The credited untested skills are the ones most likely mastered.
        mastery = engine.mastery(st)
        pix = infer(skills, st.observations)
        open_skills = [name for name in knowledge if name not in pix]
        credited = [mastery[n] for n in open_skills if knowledge[n].validated]
        refused = [mastery[n] for n in open_skills if not knowledge[n].validated]
        assert not credited or not refused or min(credited) >= max(refused) - 1e-12


def test_responder_classes(bank: ContentBank) -> None:
    engine = IrtEngine()
    prior = engine.responder_probabilities(state(bank, []))
    assert prior == pytest.approx({r.name: r.weight for r in RESPONDERS})
    assert len(_CLASS) == len(_TRUE_LEVEL)
    # A miss far below a success is a consistent learner's slip (graded learners do not slip,
    # and their tubes sit close together) ...
    odd = engine.responder_probabilities(state(bank, [("alpha-4b", True), ("beta-1b", False)]))
    assert odd["consistent"] > 0.8 and sum(odd.values()) == pytest.approx(1.0)
    # ... but a few ordinary answers hardly tell the two classes apart.
    for answers in (
        [("alpha-3b", True), ("beta-3b", False)],
        [("alpha-2b", True), ("alpha-4b", False), ("beta-3b", True), ("beta-4b", False)],
    ):
        found = engine.responder_probabilities(state(bank, answers))
        assert abs(found["graded"] - prior["graded"]) < 0.1


def test_a_worker_that_met_every_competence_keeps_small_tables() -> None:
    """The engine's per-competence tables stay small once a worker has served every competence
    of the shipped bank (a precomputed log of every challenge's outcomes took 10 MB more; a row
    of P(right) per challenge rather than per distinct (a, b, c), float masteries and their
    complement 6.5 MB more), and so does its memo of predicted pix (16 patterns: 5 MB)."""
    from bot.settings import Settings
    from content.cache import cached_bank

    shipped = cached_bank(Settings().content_path)
    irt = IrtEngine()
    for code in sorted(shipped.competences):
        state = EngineState(bank=shipped, competence=code, answers=[], seed=1)
        first = irt.next_challenge(state)
        assert first is not None
        state = EngineState(bank=shipped, competence=code, answers=[(first, False)], seed=1)
        irt.next_challenge(state)
    held = sum(
        value.nbytes
        for _, data in irt._cache.values()
        for value in vars(data).values()
        if isinstance(value, np.ndarray)
    )
    assert held < 3_000_000, held
    remembered = sum(
        pix.nbytes for _, data in irt._cache.values() for pix in data.tube_pix.values()
    )
    assert remembered < 1_000_000, remembered
