"""Calibration recovers known item parameters from simulated answers."""

from __future__ import annotations

import numpy as np

from bot.core.calibration import ItemInfo, Response, fit


def simulate(
    seed: int, items: int, people: int, per_person: int
) -> tuple[list[Response], dict[str, ItemInfo], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    b = rng.uniform(-2.5, 2.5, items)
    a = rng.uniform(0.7, 2.0, items)
    c = np.where(np.arange(items) % 2 == 0, 0.0, 0.25)  # typed answers and 4-option choices
    theta = rng.normal(0, 1, people)
    responses = []
    for person in range(people):
        for item in rng.choice(items, per_person, replace=False):
            p = c[item] + (1 - c[item]) / (1 + np.exp(-a[item] * (theta[person] - b[item])))
            responses.append(Response(str(person), f"i{item}", bool(rng.random() < p)))
    # Declared difficulties are the true ones blurred, as skill levels would be.
    info = {f"i{i}": ItemInfo(float(b[i] + rng.normal(0, 0.5)), float(c[i])) for i in range(items)}
    return responses, info, a, b


def test_difficulty_and_discrimination_are_recovered() -> None:
    responses, info, a, b = simulate(seed=3, items=30, people=1500, per_person=12)
    fits = {f.item: f for f in fit(responses, info, iterations=25)}
    fitted_b = np.array([fits[f"i{i}"].difficulty for i in range(30)])
    fitted_a = np.array([fits[f"i{i}"].discrimination for i in range(30)])
    assert np.corrcoef(fitted_b, b)[0, 1] > 0.95
    assert np.corrcoef(fitted_a, a)[0, 1] > 0.5
    assert sum(f.responses for f in fits.values()) == len(responses)


def test_sparse_items_stay_rasch_and_odd_items_are_flagged() -> None:
    responses, info, _, _ = simulate(seed=4, items=10, people=300, per_person=5)
    # An item nobody gets right, and an item whose declared level is far off.
    responses += [Response(f"x{k}", "never", False) for k in range(40)]
    info = {**info, "never": ItemInfo(1.0, 0.0)}
    fits = {f.item: f for f in fit(responses, info, min_for_2pl=10_000)}
    assert all(f.discrimination == fits["i0"].discrimination for f in fits.values())
    assert "never answered right" in fits["never"].flags
    assert "harder than its level" in fits["never"].flags
