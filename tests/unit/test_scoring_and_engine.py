"""Pix scoring and the smart-random engine on the small fixture bank."""

from __future__ import annotations

from bot.core.engines import get_engine
from bot.core.engines.base import EngineState
from bot.core.engines.smart_random import predicted_level
from bot.core.scoring import Knowledge, Observation, Source, Status, infer, score, skill_pix
from content.bank import ContentBank, Skill
from content.models import SkillText

TEXT = SkillText(en="x", fr="x")


def skill(tube: str, level: int, competence: str = "1.1") -> Skill:
    return Skill(f"@{tube}{level}", tube, level, competence, TEXT)


def test_skill_pix_follows_the_pix_rule() -> None:
    skills = [skill("a", 1), skill("b", 1), skill("c", 1), skill("a", 2)]
    pix = skill_pix(skills)
    assert pix["@a1"] == 8 / 3
    assert pix["@a2"] == 4  # a lone skill is capped at 4


def test_level_is_pix_over_8_capped() -> None:
    skills = [skill(t, level) for t in ("a", "b") for level in range(1, 7)]
    everything = {s.name: Knowledge(s.name, Status.VALIDATED, Source.DIRECT) for s in skills}
    assert score(skills, everything, max_level=6).level == 6
    assert score(skills, everything, max_level=5).pix == 40
    half = {n: k for n, k in everything.items() if n.endswith(("1", "2", "3"))}
    assert score(skills, half).pix == 24 and score(skills, half).level == 3
    three = [skill(t, 1) for t in ("a", "b", "c")]
    all_three = {s.name: Knowledge(s.name, Status.VALIDATED, Source.DIRECT) for s in three}
    assert score(three, all_three).pix == 8  # 3 x 8/3 is 8, not 7.99


def test_inference_along_a_tube() -> None:
    skills = [skill("a", level) for level in range(1, 6)] + [skill("b", 3)]
    right = infer(skills, [Observation("@a3", True)])
    assert {n for n, k in right.items() if k.validated} == {"@a1", "@a2", "@a3"}
    assert right["@a1"].source is Source.INFERRED and right["@a3"].source is Source.DIRECT
    wrong = infer(skills, [Observation("@a3", False)])
    assert {n for n, k in wrong.items() if not k.validated} == {"@a3", "@a4", "@a5"}
    # A direct answer overrides; what is already known is not overwritten by inference.
    both = infer(skills, [Observation("@a2", False), Observation("@a4", True)])
    assert not both["@a2"].validated and not both["@a3"].validated
    assert both["@a4"].validated and both["@a4"].source is Source.DIRECT
    assert "@b3" not in both


def test_predicted_level_from_answers() -> None:
    assert predicted_level([]) == 3.5  # the two virtual answers alone balance at 3.5
    assert predicted_level([(2, True), (3, True), (4, True)]) > 3.5
    assert predicted_level([(2, False), (1, False)]) < 3.5


def state(bank: ContentBank, answers: list[tuple[str, bool]], seed: int = 1) -> EngineState:
    return EngineState(
        bank=bank,
        competence="1.1",
        answers=[(bank.challenges[cid], ok) for cid, ok in answers],
        seed=seed,
    )


def test_smart_random_starts_at_level_2_and_stays_within_2_levels(bank: ContentBank) -> None:
    engine = get_engine("smart-random")
    for seed in range(20):
        first = engine.next_challenge(state(bank, [], seed))
        assert first is not None and first.level == 2
    after_miss = engine.next_challenge(state(bank, [("alpha-2a", False)]))
    assert after_miss is not None and after_miss.level <= 1 + 2
    assert after_miss.tube == "beta" or after_miss.level < 2


def test_smart_random_is_deterministic_for_a_seed(bank: ContentBank) -> None:
    engine = get_engine("smart-random")
    answers = [("alpha-2a", True)]
    picks = {engine.next_challenge(state(bank, answers, seed=5)).id for _ in range(5)}  # type: ignore[union-attr]
    assert len(picks) == 1


def test_smart_random_stops_when_no_skill_is_eligible(bank: ContentBank) -> None:
    engine = get_engine("smart-random")
    answers = [(f"{tube}-{level}a", True) for tube in ("alpha", "beta") for level in (5,)]
    answers = [("alpha-2a", True), ("beta-2a", True), *answers]
    assert engine.next_challenge(state(bank, answers)) is None
    misses = [("alpha-2a", False), ("beta-2a", False), ("alpha-1a", False), ("beta-1a", False)]
    assert engine.next_challenge(state(bank, misses)) is None
    knowledge = engine.knowledge(state(bank, misses))
    assert not any(k.validated for k in knowledge.values())
