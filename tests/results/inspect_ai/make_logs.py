"""Writes inspect_ai logs with its mock model (no network): `python make_logs.py OUT_DIR`.

The mock model's answers carry their token usage, so inspect_ai does not count tokens itself
(which would fetch a tokenizer file from the network).
"""
import sys

from inspect_ai import Task, eval
from inspect_ai.dataset import Sample
from inspect_ai.model import ModelOutput, ModelUsage, get_model
from inspect_ai.scorer import includes
from inspect_ai.solver import generate

ANSWERS = {"Capital of France?": "Paris", "Capital of Spain?": "Lisbon",
           "Capital of Italy?": "Rome"}


def outputs(input, tools, tool_choice, config):
    text = ANSWERS[input[-1].text]
    output = ModelOutput.from_content(model="mockllm", content=text)
    output.usage = ModelUsage(input_tokens=5, output_tokens=1, total_tokens=6)
    return output


def capitals():
    return Task(
        name="capitals",
        dataset=[Sample(id="q1", input="Capital of France?", target="Paris"),
                 Sample(id="q2", input="Capital of Spain?", target="Madrid"),
                 Sample(id=3, input="Capital of Italy?", target="Rome")],
        solver=generate(),
        scorer=includes(),
        epochs=2,
    )


out = sys.argv[1]
for fmt in ("eval", "json"):
    model = get_model("mockllm/model", custom_outputs=outputs)
    eval(capitals(), model=model, log_dir=out, log_format=fmt, display="none")
