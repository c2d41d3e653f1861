"""Run the script steps of our GitHub Action and GitLab template locally, as the runners would.

GitHub: each `run` step of `action.yml` runs with `bash --noprofile --norc -eo
pipefail` (the runner's `shell: bash`), its `env` evaluated from the inputs,
`github.*` and earlier steps' outputs (read back from `$GITHUB_OUTPUT`), and
its `if` evaluated; `uses` steps (setup-python, upload-sarif) are not run here,
but their `if` is, so a test can see whether SARIF would be uploaded. GitLab:
the template's `script` lines run in one shell, as its runner does, with the
template's variables under the test's.

Expressions are evaluated by a deliberately small evaluator that knows exactly
the forms our files use; an expression it does not know fails the test.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
TOKEN = re.compile(r"\s*(always\(\)|&&|\|\||==|!=|'[^']*'|[A-Za-z_][\w.-]*)")


@dataclass
class ActionRun:
    outputs: dict[str, str] = field(default_factory=dict)  # the gate step's
    ran: list[str] = field(default_factory=list)  # names of the steps that ran
    would_use: list[str] = field(default_factory=list)  # `uses` steps whose `if` held
    exit_code: int = 0  # the composite action's (its first failing step's)
    log: str = ""


def _lookup(name: str, context: dict[str, Any]) -> str:
    if name.startswith("inputs."):
        return str(context["inputs"][name.removeprefix("inputs.")])
    if name.startswith("github."):
        return str(context["github"][name.removeprefix("github.")])
    found = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", name)
    if found:
        return context["steps"].get(found[1], {}).get(found[2], "")
    raise AssertionError(f"the test runner does not know {name!r}")


def evaluate(expression: str, context: dict[str, Any]) -> str | bool:
    """`a`, `a == 'x'`, `a != ''`, `always()`, joined by && (all our files need)."""
    clauses = [c.strip() for c in expression.split("&&")]
    values: list[str | bool] = []
    for clause in clauses:
        tokens = [t for t in TOKEN.findall(clause) if t]
        if "".join(tokens).replace(" ", "") != clause.replace(" ", ""):
            raise AssertionError(f"the test runner cannot read {clause!r}")

        def value(token: str) -> str | bool:
            if token == "always()":
                return True
            if token.startswith("'"):
                return token[1:-1]
            return _lookup(token, context)

        if len(tokens) == 1:
            values.append(value(tokens[0]))
        elif len(tokens) == 3 and tokens[1] in ("==", "!="):
            same = value(tokens[0]) == value(tokens[2])
            values.append(same if tokens[1] == "==" else not same)
        else:
            raise AssertionError(f"the test runner cannot read {clause!r}")
    if len(values) == 1:
        return values[0]
    return all(bool(v) for v in values)


def _substitute(text: str, context: dict[str, Any]) -> str:
    return EXPRESSION.sub(lambda m: str(evaluate(m[1], context)), text)


def read_outputs(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if "=" in line:
            key, value = line.split("=", 1)
            out[key] = value
    return out


def run_action(
    action: Path, inputs: dict[str, str], env: dict[str, str], workdir: Path
) -> ActionRun:
    spec = yaml.safe_load(action.read_text())
    given = {k: str(v.get("default", "")) for k, v in spec["inputs"].items()}
    unknown = set(inputs) - set(given)
    assert not unknown, f"not inputs of the action: {unknown}"
    given.update(inputs)
    context: dict[str, Any] = {
        "inputs": given,
        "github": {"action_path": str(action.parent), "token": env.get("GITHUB_TOKEN", "")},
        "steps": {},
    }
    run = ActionRun()
    failed = False
    for index, step in enumerate(spec["runs"]["steps"]):
        condition = step.get("if", "success()")
        if condition == "success()":
            holds = not failed
        else:
            holds = bool(evaluate(condition.replace("${{", "").replace("}}", ""), context))
        if not holds:
            continue
        if "uses" in step:
            run.would_use.append(step["uses"])
            continue
        output_file = workdir / f"output-{index}"
        output_file.write_text("")
        step_env = {
            **env,
            **{k: _substitute(str(v), context) for k, v in (step.get("env") or {}).items()},
            "GITHUB_OUTPUT": str(output_file),
        }
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=workdir, env=step_env, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        run.ran.append(step.get("name", step.get("id", str(index))))
        run.log += done.stdout + done.stderr
        if "id" in step:
            context["steps"][step["id"]] = read_outputs(output_file)
        if done.returncode != 0 and not failed:
            failed, run.exit_code = True, done.returncode
    run.outputs = context["steps"].get("gate", {})
    return run


def run_gitlab_job(
    template: Path, job: str, variables: dict[str, str], env: dict[str, str], workdir: Path
) -> subprocess.CompletedProcess[str]:
    spec = yaml.safe_load(template.read_text())[job]
    merged = {**{k: str(v) for k, v in spec["variables"].items()}, **variables}
    # GitLab expands variables that name others ($CI_PROJECT_DIR) before the script runs
    expanded = {
        k: re.sub(r"\$(\w+)", lambda m: {**env, **merged}.get(m[1], ""), v)
        for k, v in merged.items()
    }
    script = "set -e\n" + "\n".join(spec["script"])
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-c", script],
        cwd=workdir, env={**env, **expanded}, capture_output=True, text=True, timeout=900,
    )  # fmt: skip


def clean_environment(path_first: Path) -> dict[str, str]:
    """The process environment without the checker's own variables, a venv's bin first."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHECKER_", "GITHUB_", "CI"))}
    env["PATH"] = f"{path_first}{os.pathsep}{env.get('PATH', '')}"
    return env
