"""Writes a deepeval test run where one case fails one metric and errors on another, with
metrics that need no model: `python make_run.py` (deepeval keeps `.deepeval/.latest_test_run.json`
in the working folder and writes `test_run_<time>.json` under DEEPEVAL_RESULTS_FOLDER)."""
from deepeval import evaluate
from deepeval.evaluate import ErrorConfig
from deepeval.metrics import BaseMetric, ExactMatchMetric
from deepeval.test_case import LLMTestCase


class Lookup(BaseMetric):
    """A metric that needs a service: it errors on the case whose service is down."""

    def __init__(self):
        self.threshold = 0.5

    def measure(self, test_case, *args, **kwargs):
        if "Spain" in test_case.input:
            raise RuntimeError("the lookup service is down")
        self.score = 1.0
        self.success = True
        return self.score

    async def a_measure(self, test_case, *args, **kwargs):
        return self.measure(test_case)

    def is_successful(self):
        return bool(self.success)

    @property
    def __name__(self):
        return "Lookup"


cases = [
    LLMTestCase(name="q1", input="Capital of France?", actual_output="Paris",
                expected_output="Paris"),
    LLMTestCase(name="q2", input="Capital of Spain?", actual_output="Lisbon",
                expected_output="Madrid"),
    LLMTestCase(name="q3", input="Capital of Italy?", actual_output="Rome",
                expected_output="Rome"),
    LLMTestCase(name="q4", input="Capital of Norway?", actual_output="Bergen",
                expected_output="Oslo"),
    LLMTestCase(name="q5", input="Capital of Peru?", actual_output="Lima",
                expected_output="Lima"),
]
evaluate(test_cases=cases, metrics=[ExactMatchMetric(), Lookup()],
         error_config=ErrorConfig(ignore_errors=True))
