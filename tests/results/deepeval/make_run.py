"""Writes a deepeval test run with metrics that need no model: `python make_run.py`."""
from deepeval import evaluate
from deepeval.metrics import ExactMatchMetric, PatternMatchMetric
from deepeval.test_case import LLMTestCase

cases = [
    LLMTestCase(name="q1", input="Capital of France?", actual_output="Paris",
                expected_output="Paris"),
    LLMTestCase(name="q2", input="Capital of Spain?", actual_output="Lisbon",
                expected_output="Madrid"),
    LLMTestCase(name="q3", input="Capital of Italy?", actual_output="Rome",
                expected_output="Rome"),
]
evaluate(test_cases=cases, metrics=[ExactMatchMetric(), PatternMatchMetric(pattern=r"^[A-Z]\w+$")])
