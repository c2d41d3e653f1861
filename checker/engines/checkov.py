"""The checkov engine: run the custom checks of checker/policies/checkov in checkov's own environment.

Checkov is never imported: it runs as a separate program (found through
`CHECKER_CHECKOV`, the environment `checker engines install` builds, or PATH), offline, on a view
of each plan where `depends_on` is visible (see `checkov_plan`). Its JSON
results become findings under the catalogue IDs. Checkov drops the checks that
return UNKNOWN from its report, so a supported resource without a result is
reported here as `unknown`, never as a pass. Nothing of the workspace or the
caller's environment configures it (issue 24): see `run_checkov_raw`.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import checker
from checker.config import CheckerConfig
from checker.engines.checkov_checks import checks
from checker.engines.checkov_plan import write_checkov_view
from checker.engines.coverage import coverage
from checker.engines.external import engine_finding, isolated_environment, policies_root
from checker.engines.install import TOOLS, find_engine
from checker.engines.names import EngineName
from checker.engines.redaction import scrub
from checker.errors import EngineError
from checker.inputs import PLAN_KINDS, LoadedInput
from checker.plan.model import PlanModel
from checker.report.model import Finding

ENGINE = EngineName.CHECKOV.value

OFFLINE_ENV = {
    "EVAL_TF_PLAN_AFTER_UNKNOWN": "1",
    "CKV_SKIP_PACKAGE_UPDATE_CHECK": "1",
    "BC_SKIP_MAPPING": "TRUE",
    "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
    "LOG_LEVEL": "WARNING",
}
# where checkov looks for a config file (checkov/common/util/config_utils.py `config_file_paths`)
CONFIG_FILES = (".checkov.yaml", ".checkov.yml")
# options that read configuration, HCL or checks from the workspace: never passed
FORBIDDEN_OPTIONS = (
    "--config-file",
    "--repo-root-for-plan-enrichment",
    "--deep-analysis",
    "--external-checks-dir",
    "--external-checks-git",
)
PATH_OPTIONS = ("-f", "--file", "-d", "--directory")


@dataclass(frozen=True)
class CheckovInput:
    name: str
    model: PlanModel
    raw: dict[str, Any]


def find_checkov() -> str:
    return find_engine(TOOLS[EngineName.CHECKOV])


def policies_dir() -> Path:
    directory = policies_root() / "checkov"
    if not (directory / "__init__.py").is_file():
        raise EngineError(
            f"custom checkov checks not found in {directory}",
            "reinstall the checker, or point CHECKER_POLICIES at a copy",
        )
    return directory


def _environment(
    rule_options: Mapping[str, object] | None = None, home: Path | None = None
) -> dict[str, str]:
    """checkov's environment: nothing of the caller's but PATH, the locale and TMPDIR.

    Every option of checkov's command line can also come from a variable
    (`CKV_SKIP_CHECK`, `CKV_FRAMEWORK`, ...) and checkov reads dozens more
    (`BC_*`, `CHECKOV_*`, `LOG_LEVEL`, `WORKDIR`; checkov/common/util/
    ext_argument_parser.py `env_var=` and env_vars_config.py), so the caller's are
    dropped by an allow-list (`isolated_environment`). HOME is `home`, the run's own
    directory; without one (a caller outside this module), /dev/null: a home
    that holds no `.checkov.yaml`.
    """
    env = isolated_environment(home or Path(os.devnull), OFFLINE_ENV)
    if home is not None:
        env["TMPDIR"] = str(home)  # checkov's cache (CKV_CACHE_DIR) defaults to TMPDIR/cache
    # the checks import the shared vocabulary (`checker.core`) of this very checker
    env["CHECKER_CORE_PATH"] = str(Path(checker.__file__).resolve().parent)
    # the rule options the checks honour (TAP014's api_gateway_account), validated already
    env["CHECKER_RULE_OPTIONS"] = json.dumps(rule_options or {}, default=str)
    return env


def _check_arguments(args: Sequence[str]) -> list[str]:
    """`args` with every file and directory made absolute (checkov runs elsewhere).

    Options that would read configuration or code from the workspace are
    refused, abbreviations included (argparse accepts any unique prefix): plan
    enrichment reads the HCL beside the plan, and with it its
    `# checkov:skip=` comments, which would turn a failure into an unknown.
    """
    out: list[str] = []
    takes_paths = False
    for arg in args:
        name = arg.split("=", 1)[0]
        if (
            name.startswith("--")
            and name != "--"
            and any(o.startswith(name) for o in FORBIDDEN_OPTIONS)
        ):
            raise EngineError(f"checkov is never run with {name}: it reads the workspace")
        if arg.startswith("-"):
            takes_paths = arg in PATH_OPTIONS
            out.append(arg)
        else:
            out.append(str(Path(arg).resolve()) if takes_paths else arg)
    return out


def _refuse_directory_config(args: Sequence[str]) -> None:
    """checkov also reads `.checkov.yaml` from every `--directory` it scans (config_utils.py)."""
    for flag, value in itertools.pairwise(args):
        if flag in ("-d", "--directory"):
            for name in CONFIG_FILES:
                if (Path(value) / name).exists():
                    raise EngineError(f"checkov would read its configuration from {value}/{name}")


def run_checkov_raw(
    args: Sequence[str],
    timeout: float = 600,
    rule_options: Mapping[str, object] | None = None,
) -> list[dict[str, Any]]:
    """Run checkov with the custom checks; return its JSON reports (one per framework).

    checkov reads a config file (any option, e.g. `skip-check`, `soft-fail`,
    `repo-root-for-plan-enrichment`) from `.checkov.yaml`/`.checkov.yml` in
    every `--directory`, the working directory and the home directory, and an
    explicit `--config-file` adds to those, it does not replace them
    (checkov/common/util/config_utils.py `get_default_config_paths`; configargparse
    `_open_config_files`). So checkov runs in a fresh directory of the checker's,
    which is its working directory, HOME and TMPDIR and holds the only
    `.checkov.yaml` it can find: an empty one, also named by `--config-file`.
    """
    arguments = _check_arguments(args)
    _refuse_directory_config(arguments)
    executable = find_checkov()
    with tempfile.TemporaryDirectory(prefix="checker-checkov-run-") as tmp:
        workdir = Path(tmp)
        config = workdir / CONFIG_FILES[0]
        config.write_text("{}\n", encoding="utf-8")  # an empty file is refused: a YAML mapping
        command = [
            executable,
            "--config-file",
            str(config),
            *arguments,
            "--external-checks-dir",
            str(policies_dir()),
            "--check",
            ",".join(checks()),
            "--output",
            "json",
            "--skip-download",
            "--compact",
        ]
        done = _run(command, timeout, _environment(rule_options, workdir), workdir)
    return _reports(done)


def _run(
    command: list[str], timeout: float, env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            command,
            capture_output=True,
            text=True,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise EngineError(
            f"checkov did not finish within {timeout:.0f} s", "check fewer plans per run"
        ) from None
    except OSError as error:
        raise EngineError(f"checkov could not run: {error.strerror or error}") from None


def _reports(done: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    """checkov's JSON reports, or an engine error saying why there are none."""
    if "Cannot load external check" in done.stderr:
        line = next(x for x in done.stderr.splitlines() if "Cannot load external check" in x)
        raise EngineError(f"checkov could not load a custom check: {line.strip()[:200]}")
    if done.returncode not in (0, 1):
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise EngineError(f"checkov crashed (exit {done.returncode}): {tail[:200]}")
    try:
        parsed = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise EngineError(
            "checkov printed no JSON report", "run checkov by hand to see why"
        ) from None
    reports = parsed if isinstance(parsed, list) else [parsed]
    return [r for r in reports if isinstance(r, dict)]


def _records(reports: list[dict[str, Any]]) -> list[tuple[str, str, str, str, str]]:
    """(file path, check id, resource address, passed|failed, details) of every result."""
    out: list[tuple[str, str, str, str, str]] = []
    for report in reports:
        results = report.get("results") or {}
        for key, status in (("passed_checks", "passed"), ("failed_checks", "failed")):
            for record in results.get(key) or []:
                out.append(
                    (
                        str(record.get("file_abs_path") or record.get("file_path") or ""),
                        str(record.get("check_id")),
                        str(record.get("resource_address") or record.get("resource") or ""),
                        status,
                        "; ".join(str(d) for d in record.get("details") or []),
                    )
                )
    return out


def _finding(check_id: str, address: str, status: str, message: str, input_name: str) -> Finding:
    return engine_finding(
        ENGINE, checks()[check_id][0], check_id, status, address, message, input_name
    )


def run_checkov(
    inputs: Sequence[CheckovInput], rule_options: Mapping[str, object] | None = None
) -> list[Finding]:
    """One checkov run over every plan; findings per input, unknowns inferred."""
    if not inputs:
        return []
    with tempfile.TemporaryDirectory(prefix="checker-checkov-") as tmp:
        views: dict[str, CheckovInput] = {}
        args: list[str] = ["--framework", "terraform_plan"]
        for index, item in enumerate(inputs):
            view = write_checkov_view(item.raw, Path(tmp) / f"plan{index}.json", item.model)
            views[str(view.resolve())] = item
            args += ["--file", str(view)]
        # checkov reads the plans one after another: its time grows with their number
        timeout = max(600.0, 10.0 * len(inputs))
        records = _records(run_checkov_raw(args, timeout=timeout, rule_options=rule_options))
    findings: list[Finding] = []
    seen: set[tuple[str, str, str]] = set()
    partial = {
        c.rule_id: c.text.split("; not asserted: ", 1)[-1]
        for c in coverage(EngineName.CHECKOV)
        if c.level == "partial"
    }
    for path, check_id, address, status, details in records:
        found = views.get(str(Path(path).resolve())) if path else None
        if found is None and len(inputs) == 1:
            found = inputs[0]
        if found is None or check_id not in checks():
            continue
        item = found
        seen.add((item.name, check_id, address))
        if status == "passed" and checks()[check_id][0] in partial:
            # a rule the checks assert only in part never passes here (RuleMeta.engines: partial)
            status = "unknown"
            message = (
                f"checkov {check_id}: {address} meets what the check asserts; it does not "
                f"assert {partial[checks()[check_id][0]]}"
            )
        elif status == "passed":
            message = f"checkov {check_id}: {address} meets the check"
        else:
            message = f"checkov {check_id}: {details or 'violates the check'}"
        findings.append(_finding(check_id, address, status, message, item.name))
    for item in inputs:
        for check_id, (_rule, types) in checks().items():
            for type_ in types:
                for inst in item.model.resources(type_):
                    if (item.name, check_id, inst.address) not in seen:
                        findings.append(
                            _finding(
                                check_id,
                                inst.address,
                                "unknown",
                                f"checkov {check_id} gave no verdict for {inst.address}: a value "
                                "it needs is only known after apply",
                                item.name,
                            )
                        )
    return findings


class CheckovEngine:
    """The custom checkov checks, one run of the program for every plan; findings scrubbed of
    sensitive values (`checker.engines.redaction.scrub`)."""

    name = EngineName.CHECKOV
    accepts = PLAN_KINDS

    def run(self, inputs: Sequence[LoadedInput], config: CheckerConfig) -> list[Finding]:
        models = {i.name: i.model for i in inputs}
        found = run_checkov(
            [CheckovInput(i.name, i.model, i.raw) for i in inputs], config.rule_options
        )
        return [scrub(f, models[f.input]) for f in found]
