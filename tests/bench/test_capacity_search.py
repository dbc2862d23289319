"""The W2 capacity search (bench/run.py), against a server whose p99 crosses the
budget at a known rate: no processes, only the search's choice of rates."""
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import run  # noqa: E402  (bench/ is not a package)


class FakeRunner:
    """Answers each step as a server that keeps p99 under the budget up to `limit`
    messages/s; `generator_limit` marks steps at or above it generator-bound."""

    def __init__(self, limit, generator_limit=float("inf"), flaky_rates=(), paused_rates=()):
        self.limit = limit
        self.generator_limit = generator_limit
        self.flaky_rates = set(flaky_rates)  # rates that fail although below the limit
        self.paused_rates = set(paused_rates)  # rates whose first measurement fails
        self.steps = []  # (rate, phase) of each step's first measurement
        self.retries = []  # rates measured a second time

    def measure(self, contestant, spec, repeat, extra=None):
        retry = extra.get("search_retry", False)
        (self.retries if retry else self.steps).append(
            spec.rate if retry else (spec.rate, extra["search_phase"]))
        bound = spec.rate >= self.generator_limit
        paused = not retry and round(spec.rate) in self.paused_rates
        good = (spec.rate <= self.limit and round(spec.rate) not in self.flaky_rates
                and not paused)
        p99 = 2_000 if good else 40_000
        return {"ok": True, "generator_bound": bound,
                "result": {"latency_us": {"p99": p99}, "delivery_ratio": 1.0, "errors": []}}


def search(runner):
    return run.capacity_search(runner, run.CONTESTANTS["hearth"], run.FULL, 1)


class CapacitySearch(unittest.TestCase):
    def assert_within_refinement(self, found, limit):
        # Two halvings of the x1.25 step leave the answer at most 1.25^(1/4) below.
        self.assertLessEqual(found, limit)
        self.assertGreater(found, limit / 1.25 ** 0.25)

    def test_raises_then_refines_between_the_last_pass_and_the_first_failure(self):
        runner = FakeRunner(limit=7_300)
        found = search(runner)
        self.assert_within_refinement(found, 7_300)
        scale = [rate for rate, phase in runner.steps if phase == "scale"]
        self.assertEqual([round(r) for r in scale], [4000, 5000, 6250, 7812])
        refine = [rate for rate, phase in runner.steps if phase == "refine"]
        self.assertEqual(len(refine), run.REFINE_STEPS)
        self.assertTrue(all(6250 < r < 7812.5 for r in refine))

    def test_lowers_from_a_failing_start_and_refines_upward(self):
        runner = FakeRunner(limit=3_000)
        found = search(runner)
        self.assert_within_refinement(found, 3_000)
        scale = [round(rate) for rate, phase in runner.steps if phase == "scale"]
        self.assertEqual(scale, [4000, 3200, 2560])

    def test_a_generator_bound_step_counts_as_a_failure_and_is_refined_below(self):
        runner = FakeRunner(limit=20_000, generator_limit=7_000)
        found = search(runner)
        self.assertLess(found, 7_000)
        self.assertGreater(found, 7_000 / 1.25 ** 0.25)

    def test_a_failure_below_the_limit_keeps_the_highest_pass_seen(self):
        # Noise: 6,988/s fails once although 7,300 would pass; the search refines below it.
        runner = FakeRunner(limit=7_300, flaky_rates={6988})
        found = search(runner)
        self.assertGreaterEqual(found, 6_250)
        self.assertLess(found, 6_988)

    def test_every_failure_is_measured_again_and_a_pause_does_not_count(self):
        # Without the second measurement 6,250/s would fail and the capacity be
        # found below it; a server that passes it once more is credited with it.
        runner = FakeRunner(limit=7_300, paused_rates={6250})
        found = search(runner)
        self.assert_within_refinement(found, 7_300)
        failed_first = [r for r, _ in runner.steps if r > 7_300 or round(r) == 6250]
        self.assertEqual(sorted(runner.retries), sorted(failed_first))

    def test_a_generator_bound_step_is_not_measured_again(self):
        runner = FakeRunner(limit=20_000, generator_limit=7_000)
        search(runner)
        self.assertEqual(runner.retries, [])

    def test_no_pass_at_all_finds_nothing(self):
        self.assertIsNone(search(FakeRunner(limit=0)))


if __name__ == "__main__":
    unittest.main()
