"""Item calibration: Rasch / 2PL by marginal maximum likelihood (Bock-Aitkin EM), with each
item's guessing fixed as the engine assumes it (choice items can be guessed, typed ones not).

Abilities are integrated out on a quadrature grid with a standard normal prior; the fitted
difficulties are then linked (linear least squares) to the difficulties the bank declares
through skill levels, so calibrated and uncalibrated items share the engine's scale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

QUADRATURE: Final = np.linspace(-4.0, 4.0, 41)
PRIOR: Final = np.exp(-0.5 * QUADRATURE**2) / np.exp(-0.5 * QUADRATURE**2).sum()
MIN_FOR_2PL: Final = 150  # fewer answers than this: discrimination stays at 1 (Rasch)
B_PRIOR_SD: Final = 3.0  # a weak prior keeps items answered all right or all wrong finite
FAR_FROM_LEVEL: Final = 1.5  # logits between fitted and declared difficulty worth a look


@dataclass(frozen=True)
class Response:
    person: str  # one measurement occasion (an assessment), not a user across years
    item: str
    correct: bool


@dataclass(frozen=True)
class ItemInfo:
    declared_difficulty: float  # from the skill level, on the engine's scale
    guessing: float  # fixed lower asymptote: 1/options for single choice, 0 for typed answers


@dataclass(frozen=True)
class ItemFit:
    item: str
    difficulty: float  # on the engine's scale (linked)
    discrimination: float
    responses: int
    right_share: float
    flags: tuple[str, ...]


def _probability(
    a: NDArray[np.float64], b: NDArray[np.float64], c: NDArray[np.float64]
) -> NDArray[np.float64]:
    """P(right) for every item (rows) at every quadrature node (columns)."""
    logits = a[:, None] * (QUADRATURE[None, :] - b[:, None])
    p: NDArray[np.float64] = c[:, None] + (1 - c[:, None]) / (1 + np.exp(-logits))
    return np.clip(p, 1e-9, 1 - 1e-9)


def _m_step(
    a: NDArray[np.float64],
    b: NDArray[np.float64],
    guess: NDArray[np.float64],
    expected_right: NDArray[np.float64],
    expected_n: NDArray[np.float64],
    free_a: NDArray[np.bool_],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """All items at once: the expected log-likelihood is a sum over items, so one L-BFGS-B
    with the analytic gradient maximises every item's term together."""
    count = a.size

    def objective(params: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        b_, a_ = params[:count], params[count:]
        sig = 1 / (1 + np.exp(-a_[:, None] * (QUADRATURE[None, :] - b_[:, None])))
        p = np.clip(guess[:, None] + (1 - guess[:, None]) * sig, 1e-9, 1 - 1e-9)
        log_lik = expected_right * np.log(p) + (expected_n - expected_right) * np.log(1 - p)
        # d log L / dz, with z = a (x - b) and dP/dz = (1 - c) sig (1 - sig)
        d_z = (
            (expected_right - expected_n * p)
            / (p * (1 - p))
            * (1 - guess[:, None])
            * sig
            * (1 - sig)
        )
        grad_b = -(d_z * a_[:, None]).sum(axis=1) - b_ / B_PRIOR_SD**2
        grad_a = (d_z * (QUADRATURE[None, :] - b_[:, None])).sum(axis=1)
        value = -(log_lik.sum() - 0.5 * np.sum((b_ / B_PRIOR_SD) ** 2))
        return float(value), -np.concatenate([grad_b, np.where(free_a, grad_a, 0.0)])

    bounds = [(-8.0, 8.0)] * count + [(-3.0, 4.0) if free else (1.0, 1.0) for free in free_a]
    from scipy.optimize import minimize  # a worker loads the types above, never the fitting

    result = minimize(
        objective,
        np.concatenate([b, a]),
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": 100},
    )
    return result.x[count:], result.x[:count]


def fit(
    responses: Sequence[Response],
    items: Mapping[str, ItemInfo],
    iterations: int = 40,
    min_for_2pl: int = MIN_FOR_2PL,
) -> list[ItemFit]:
    """Fit every item that has answers; items without any are left out."""
    answered = [r for r in responses if r.item in items]
    if not answered:
        return []
    item_ids = sorted({r.item for r in answered})
    person_ids = sorted({r.person for r in answered})
    item_index = {item: i for i, item in enumerate(item_ids)}
    person_index = {person: j for j, person in enumerate(person_ids)}
    ii = np.array([item_index[r.item] for r in answered])
    jj = np.array([person_index[r.person] for r in answered])
    uu = np.array([1.0 if r.correct else 0.0 for r in answered])
    counts = np.bincount(ii, minlength=len(item_ids)).astype(float)
    rights = np.bincount(ii, weights=uu, minlength=len(item_ids))
    guess = np.array([items[item].guessing for item in item_ids])
    free_a = counts >= min_for_2pl
    # Sparse incidence matrices sum the responses by person and by item.
    ones = np.ones(len(answered))
    rows = np.arange(len(answered))
    from scipy.sparse import csr_matrix

    by_person = csr_matrix((ones, (jj, rows)), shape=(len(person_ids), len(answered)))
    by_item = csr_matrix((ones, (ii, rows)), shape=(len(item_ids), len(answered)))

    a = np.ones(len(item_ids))
    b = np.zeros(len(item_ids))
    for _ in range(iterations):
        p = _probability(a, b, guess)
        # E-step: each occasion's posterior over the quadrature nodes.
        contribution = np.where(uu[:, None] > 0, np.log(p[ii]), np.log(1 - p[ii]))
        log_like = by_person @ contribution
        log_post = log_like + np.log(PRIOR)[None, :]
        log_post -= log_post.max(axis=1, keepdims=True)
        posterior = np.exp(log_post)
        posterior /= posterior.sum(axis=1, keepdims=True)
        expected_n = by_item @ posterior[jj]
        expected_right = by_item @ (posterior[jj] * uu[:, None])
        # M-step: every item's parameters given those expected counts.
        new_a, new_b = _m_step(a, b, guess, expected_right, expected_n, free_a)
        change = float(max(np.max(np.abs(new_a - a)), np.max(np.abs(new_b - b))))
        a, b = new_a, new_b
        if change < 1e-4:
            break

    declared = np.array([items[item].declared_difficulty for item in item_ids])
    scale, shift = _link(b, declared)
    fits = []
    for i, item in enumerate(item_ids):
        linked_b = scale * b[i] + shift
        linked_a = a[i] / scale
        flags = []
        if free_a[i] and a[i] < 0:
            flags.append("negative discrimination")
        if rights[i] == 0:
            flags.append("never answered right")
        if abs(linked_b - declared[i]) > FAR_FROM_LEVEL:
            flags.append(
                "harder than its level" if linked_b > declared[i] else "easier than its level"
            )
        fits.append(
            ItemFit(
                item,
                float(linked_b),
                float(linked_a),
                int(counts[i]),
                float(rights[i] / counts[i]),
                tuple(flags),
            )
        )
    return fits


def _link(fitted: NDArray[np.float64], declared: NDArray[np.float64]) -> tuple[float, float]:
    """Scale and shift that put fitted difficulties on the declared scale (mean and sigma)."""
    if fitted.size < 2 or np.std(fitted) < 1e-9 or np.std(declared) < 1e-9:
        return 1.0, float(np.mean(declared) - np.mean(fitted))
    scale = float(np.std(declared) / np.std(fitted))
    return scale, float(np.mean(declared) - scale * np.mean(fitted))
