"""Writes the inspect_ai logs of the reducer, scorer and unfinished-run fixtures with its mock
model (no network): `python make_logs.py OUT_DIR`. Each eval prints its results (display
"plain"); the line with the metric is kept beside each log as `<log>.printed.txt`.

- reducer_max: three epochs reduced with `max` (q1 right once in three, q2 never, q3 always).
- yes_no: a scorer whose values are "yes" / "no".
- dict_scorer: a scorer whose value is a dict ({"exact": ..., "close": ...}).
- no_samples: reducer_max written with log_samples=False.
- with_error: one sample's solver raises (fail_on_error=False keeps the run going).
- unfinished: a run whose process dies after its first sample (only _journal/ is written).
"""
import itertools
import os
import sys

from inspect_ai import Epochs, Task, eval
from inspect_ai.dataset import Sample
from inspect_ai.model import ModelOutput, ModelUsage, get_model
from inspect_ai.scorer import Score, Target, accuracy, includes, mean, scorer
from inspect_ai.solver import Generate, TaskState, generate, solver

QUESTIONS = [Sample(id="q1", input="Capital of France?", target="Paris"),
             Sample(id="q2", input="Capital of Spain?", target="Madrid"),
             Sample(id="q3", input="Capital of Italy?", target="Rome"),
             Sample(id="q4", input="Capital of Norway?", target="Oslo")]
# q1 is right on one call in three; the others always answer the same.
ANSWERS = {"Capital of France?": itertools.cycle(["Lyon", "Paris", "Nice"]),
           "Capital of Spain?": itertools.repeat("Lisbon"),
           "Capital of Italy?": itertools.repeat("Rome"),
           "Capital of Norway?": itertools.repeat("Oslo")}


def outputs(input, tools, tool_choice, config):
    text = next(ANSWERS[input[-1].text])
    output = ModelOutput.from_content(model="mockllm", content=text)
    output.usage = ModelUsage(input_tokens=5, output_tokens=1, total_tokens=6)
    return output


@scorer(metrics=[accuracy()])
def yes_no():
    async def score(state: TaskState, target: Target) -> Score:
        right = target.text in state.output.completion
        return Score(value="yes" if right else "no", answer=state.output.completion)
    return score


@scorer(metrics={"exact": [mean()], "close": [mean()]})
def graded():
    async def score(state: TaskState, target: Target) -> Score:
        answer = state.output.completion
        return Score(value={"exact": 1.0 if answer == target.text else 0.0,
                            "close": 1.0 if answer[:1] == target.text[:1] else 0.0},
                     answer=answer)
    return score


@solver
def failing_on(sample_input: str):
    async def solve(state: TaskState, generate: Generate) -> TaskState:
        if state.input_text == sample_input:
            raise RuntimeError("the tool this sample needs is down")
        return await generate(state)
    return solve


@solver
def dying_on(sample_input: str):
    async def solve(state: TaskState, generate: Generate) -> TaskState:
        if state.input_text == sample_input:
            os._exit(1)  # the process dies mid-run, as when a machine is stopped
        return await generate(state)
    return solve


def task(name, **kwargs):
    return Task(name=name, dataset=QUESTIONS[:3] if name != "with_error" else QUESTIONS,
                **kwargs)


RUNS = {
    "reducer_max": (task("reducer_max", solver=generate(), scorer=includes(),
                         epochs=Epochs(3, "max")), {}),
    "yes_no": (task("yes_no", solver=generate(), scorer=yes_no()), {}),
    "dict_scorer": (task("dict_scorer", solver=generate(), scorer=graded()), {}),
    "no_samples": (task("no_samples", solver=generate(), scorer=includes(),
                        epochs=Epochs(3, "max")), {"log_samples": False}),
    "with_error": (task("with_error", solver=failing_on("Capital of Spain?"),
                        scorer=includes()), {"fail_on_error": False}),
    "unfinished": (task("unfinished", solver=dying_on("Capital of Italy?"),
                        scorer=includes()), {"max_samples": 1}),
}

out = sys.argv[1]
names = sys.argv[2:] or list(RUNS)
for name in names:
    made, options = RUNS[name]
    model = get_model("mockllm/model", custom_outputs=outputs)
    eval(made, model=model, log_dir=os.path.join(out, name), log_format="eval",
         display="plain", **options)
