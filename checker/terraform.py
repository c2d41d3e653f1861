"""Finding Terraform, and asking it for the JSON of a binary plan file, fenced in.

`checker check tfplan` on a binary plan (what `terraform plan -out` writes)
runs `terraform show -json` itself. To print a plan's JSON, Terraform starts
every provider the plan names to read its schema, and it takes those
providers from the working directory: `<TF_DATA_DIR>/providers`, selected by
the working directory's `.terraform.lock.hcl` (Terraform's
`Meta.providerFactoriesFromLocks`, `internal/command/meta_providers.go`: "the
only location consulted for provider plugin packages for Terraform operations
other than provider installation"). Run in the plan's own directory, as it
once was here, a pull request that commits a binary plan named `x.plan.json`
beside `.terraform/providers/.../terraform-provider-aws_v5_x5` (a shell
script) and a lock file without hashes makes the gate run that script, with
the job's tokens in its environment. The caller's CLI configuration
(`dev_overrides`), `TF_DATA_DIR`, `TF_CLI_ARGS*` and `TF_REATTACH_PROVIDERS`
choose providers too.

So a binary plan is converted only like this (docs/security.md, "Binary plans"):

- in CI mode (`CI`, `GITHUB_ACTIONS` or `GITLAB_CI` says so) it is refused
  unless the job passes `--binary-plans convert` (or `CHECKER_BINARY_PLANS`);
- the plan's bytes are copied into a fresh directory the checker owns (0700),
  which is Terraform's working directory, `TF_DATA_DIR`, `HOME` and `TMPDIR`;
  the environment is an allow-list (no `TF_*` of the caller) with a CLI
  configuration the checker writes (no mirrors, credentials helpers,
  `dev_overrides` or plugin cache);
- the providers and versions the plan needs are read from the dependency lock
  Terraform embeds in the plan (size-capped; no other member is extracted);
  the checker writes its own lock with those versions and no hashes (the
  plan's hashes are the pull request's word, so they cannot vouch for
  anything: the trusted directory is the authority), and links
  `<TF_DATA_DIR>/providers/<host>/<ns>/<type>/<version>/<os_arch>` to the same
  path in a trusted plugin directory: `--plugin-dir` / `CHECKER_TERRAFORM_PLUGIN_DIR`,
  else the job's `TF_PLUGIN_CACHE_DIR` and Terraform's implied local mirror
  directories (https://developer.hashicorp.com/terraform/cli/config/config-file#implied-local-mirror-directories;
  the unpacked layout only). A directory inside the checked tree (the plan's
  directory, the working directory, or the git repository holding either)
  is never a plugin source;
- outside CI mode, for a plan named on the command line (not one `--changed`
  found), when no trusted directory has a provider, the plan directory's own
  `.terraform/providers` (or the caller's `TF_DATA_DIR/providers`) is used:
  the laptop flow `terraform plan -out tfplan && checker check tfplan`.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from checker.errors import EngineError, InputError
from checker.workspace import TRUE, ci_mode, inside_any, tree_root

INSTALL_HINT = (
    "install Terraform (https://developer.hashicorp.com/terraform/install) or set CHECKER_TERRAFORM"
)
SHOW_TIMEOUT = 300
VERSION_TIMEOUT = 60
MODES = ("refuse", "convert")
LOCK_MEMBER = ".terraform.lock.hcl"
LOCK_LIMIT = 256 * 1024
MAX_PROVIDERS = 200
KEPT_ENVIRONMENT = ("PATH", "SYSTEMROOT", "LANG", "LC_ALL")

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
PROVIDER_ADDRESS = re.compile(
    rf"(?P<host>{_LABEL}(?:\.{_LABEL})*(?::[0-9]{{1,5}})?)/(?P<namespace>{_LABEL})/(?P<type>{_LABEL})"
)
VERSION = re.compile(r"(0|[1-9][0-9]{0,8})(\.(0|[1-9][0-9]{0,8})){2}(-[0-9A-Za-z-]{1,40})?")
PLATFORM = re.compile(r"[a-z0-9]{1,20}_[a-z0-9]{1,20}")
LOCK_HEADER = re.compile(r'provider\s+"([^"\\]{0,300})"\s*\{')
LOCK_VERSION = re.compile(r'version\s*=\s*"([^"\\]{0,100})"')


def find_terraform() -> str:
    explicit = os.environ.get("CHECKER_TERRAFORM")
    if explicit:
        if Path(explicit).is_file() and os.access(explicit, os.X_OK):
            return explicit
        raise EngineError(f"CHECKER_TERRAFORM={explicit} is not an executable", INSTALL_HINT)
    found = shutil.which("terraform")
    if found is None:
        raise EngineError("terraform is not installed or not on PATH", INSTALL_HINT)
    return found


def ci_reason(env: Mapping[str, str] | None = None) -> str:
    """Which variable makes this a CI job (`checker.workspace.ci_mode`), e.g. 'CI=true', or ''."""
    env = os.environ if env is None else env
    if not ci_mode(env):
        return ""
    key = next(
        k for k in ("CI", "GITHUB_ACTIONS", "GITLAB_CI") if env.get(k, "").strip().lower() in TRUE
    )
    return f"{key}={env[key].strip()}"


@dataclass(frozen=True)
class BinaryPlanPolicy:
    """What a binary plan costs: refused, or converted with providers from where.

    `plugin_dirs` are the directories the job named (`--plugin-dir`,
    `CHECKER_TERRAFORM_PLUGIN_DIR`); without them Terraform's own trusted
    locations are used. `plan_dir_providers` allows the last resort of the
    laptop flow (never in CI mode, never for a plan `--changed` found).
    """

    mode: str = "convert"
    why: str = ""
    plugin_dirs: tuple[Path, ...] = ()
    plan_dir_providers: bool = False


def binary_plan_policy(
    choice: str | None = None,
    plugin_dirs: Sequence[Path] = (),
    *,
    named: bool = True,
    env: Mapping[str, str] | None = None,
) -> BinaryPlanPolicy:
    """The policy from the command line, then `CHECKER_BINARY_PLANS`, then CI mode."""
    env = os.environ if env is None else env
    ci = ci_reason(env)
    from_env = env.get("CHECKER_BINARY_PLANS", "").strip()
    if choice:
        mode, why = choice, f"by --binary-plans {choice}"
    elif from_env:
        if from_env not in MODES:
            raise InputError(
                f"CHECKER_BINARY_PLANS={from_env[:40]!r} is not a choice", "use refuse or convert"
            )
        mode, why = from_env, f"by CHECKER_BINARY_PLANS={from_env}"
    elif ci:
        mode, why = "refuse", f"in CI mode ({ci})"
    else:
        mode, why = "convert", "outside CI mode"
    if mode not in MODES:
        raise InputError(f"--binary-plans {mode}: not a choice", "use refuse or convert")
    listed = [Path(p) for p in env.get("CHECKER_TERRAFORM_PLUGIN_DIR", "").split(os.pathsep) if p]
    return BinaryPlanPolicy(
        mode=mode,
        why=why,
        plugin_dirs=(*(Path(p) for p in plugin_dirs), *listed),
        plan_dir_providers=named and not ci,
    )


@dataclass(frozen=True)
class LockedProvider:
    """One provider of the plan's embedded lock: a validated address and version."""

    host: str
    namespace: str
    type: str
    version: str

    @property
    def address(self) -> str:
        return f"{self.host}/{self.namespace}/{self.type}"

    def package(self, platform: str) -> Path:
        """Its relative path in an unpacked mirror, plugin cache or TF_DATA_DIR/providers."""
        return Path(self.host, self.namespace, self.type, self.version, platform)


@dataclass(frozen=True)
class PluginSource:
    """A directory providers may be taken from, and how the report names it."""

    path: Path
    label: str
    trusted: bool = True


def _lock_text(name: str, data: bytes) -> str:
    """The plan zip's `.terraform.lock.hcl`, read with a cap; no other member is touched."""
    bad = f"{name}: is a binary plan file whose dependency lock cannot be read"
    hint = (
        f"run 'terraform show -json {name} > plan.json' where it was planned, then check plan.json"
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [i for i in archive.infolist() if i.filename == LOCK_MEMBER]
            if len(members) != 1:
                found = "no" if not members else "more than one"
                raise InputError(
                    f"{name}: is a binary plan file with {found} dependency lock "
                    f"({LOCK_MEMBER}); Terraform 0.14 and later write exactly one",
                    hint,
                )
            if members[0].file_size > LOCK_LIMIT:
                raise InputError(f"{bad} (over {LOCK_LIMIT // 1024} KiB)", hint)
            with archive.open(members[0]) as handle:
                raw = handle.read(LOCK_LIMIT + 1)
    except InputError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        RuntimeError,
        OSError,
        EOFError,
        ValueError,
        zlib.error,
    ) as error:
        raise InputError(f"{bad} ({type(error).__name__})", hint) from None
    if len(raw) > LOCK_LIMIT:
        raise InputError(f"{bad} (over {LOCK_LIMIT // 1024} KiB)", hint)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{bad} (not UTF-8)", hint) from None


def plan_providers(name: str, data: bytes) -> tuple[LockedProvider, ...]:
    """The providers and versions a binary plan's embedded lock selects.

    Terraform writes the lock with hclwrite, one `provider "ADDR" {` block per
    provider with a `version = "V"` line; that is all this reads. The result
    only chooses which trusted packages to link, and the lock Terraform reads
    is the checker's, so lines of other attributes are skipped, but every
    address and version must be what Terraform itself would write.
    """
    bad = f"{name}: is a binary plan file whose dependency lock is not one Terraform wrote"
    hint = "convert it where it was planned: 'terraform show -json PLAN > plan.json'"
    found: dict[str, LockedProvider] = {}
    current: str | None = None
    version: str | None = None
    opened = 0
    for number, line in enumerate(_lock_text(name, data).splitlines(), 1):
        text = line.strip()
        if current is None:
            header = LOCK_HEADER.fullmatch(text)
            if header is not None:
                current, version, opened = header.group(1), None, number
            elif text and not text.startswith(("#", "//")):
                raise InputError(f"{bad} (line {number})", hint)
            continue
        if text == "}":
            found[current] = _provider(current, version, found, bad, hint, opened)
            current = None
            continue
        assigned = LOCK_VERSION.fullmatch(text)
        if assigned is not None:
            if version is not None:
                raise InputError(f"{bad} (line {number}: a second version)", hint)
            version = assigned.group(1)
    if current is not None:
        raise InputError(f"{bad} (a provider block is not closed)", hint)
    return tuple(found.values())


def _provider(
    address: str,
    version: str | None,
    found: Mapping[str, LockedProvider],
    bad: str,
    hint: str,
    number: int,
) -> LockedProvider:
    match = PROVIDER_ADDRESS.fullmatch(address)
    if match is None:
        raise InputError(f"{bad} (line {number}: not a provider address)", hint)
    if version is None or VERSION.fullmatch(version) is None:
        raise InputError(f"{bad} (line {number}: no valid version)", hint)
    if address in found:
        raise InputError(f"{bad} (line {number}: a provider twice)", hint)
    if len(found) >= MAX_PROVIDERS:
        raise InputError(f"{bad} (more than {MAX_PROVIDERS} providers)", hint)
    return LockedProvider(
        host=match.group("host"),
        namespace=match.group("namespace"),
        type=match.group("type"),
        version=version,
    )


def checked_trees(plan_dir: Path) -> tuple[Path, ...]:
    """What a pull request may have written: the trees (`checker.workspace.tree_root`: the git
    repository, else the directory itself) of the working directory and of the plan."""
    return tuple(dict.fromkeys((tree_root(), tree_root(plan_dir))))


def _inside(path: Path, trees: Sequence[Path]) -> bool:
    return inside_any(path, trees) is not None


def _implied_mirrors(env: Mapping[str, str]) -> list[Path]:
    """Terraform's implied local mirror directories, except `terraform.d/plugins` of the
    working directory (the checked tree); see the config-file page cited above."""
    home = Path(env.get("HOME") or Path.home())
    if sys.platform == "win32":
        appdata = env.get("APPDATA", "")
        return (
            [
                Path(appdata, "terraform.d", "plugins"),
                Path(appdata, "HashiCorp", "Terraform", "plugins"),
            ]
            if appdata
            else []
        )
    found = [home / ".terraform.d" / "plugins"]
    if sys.platform == "darwin":
        found += [
            home / "Library" / "Application Support" / "io.terraform" / "plugins",
            Path("/Library/Application Support/io.terraform/plugins"),
        ]
        return found
    data_home = env.get("XDG_DATA_HOME") or str(home / ".local" / "share")
    data_dirs = env.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share"
    for base in [data_home, *data_dirs.split(":")]:
        if base:
            found.append(Path(base) / "terraform" / "plugins")
    return found


def plugin_sources(
    policy: BinaryPlanPolicy, plan_dir: Path, trees: Sequence[Path], env: Mapping[str, str]
) -> list[PluginSource]:
    """Where providers may come from, most trusted first; a named directory in the tree is an error."""
    sources: list[PluginSource] = []
    for folder in policy.plugin_dirs:
        if not folder.is_dir():
            raise InputError(
                f"plugin directory {folder}: not a directory",
                "pass --plugin-dir DIR (or CHECKER_TERRAFORM_PLUGIN_DIR) naming a provider mirror",
            )
        if _inside(folder, trees):
            raise InputError(
                f"plugin directory {folder}: is inside the checked tree, which a pull request writes",
                "name a provider directory the job set up outside the checkout",
            )
        sources.append(PluginSource(folder.resolve(), f"plugin directory {folder}"))
    if not policy.plugin_dirs:
        cache = env.get("TF_PLUGIN_CACHE_DIR", "")
        implied = [(Path(cache), f"TF_PLUGIN_CACHE_DIR {cache}")] if cache else []
        implied += [(p, f"Terraform's local mirror {p}") for p in _implied_mirrors(env)]
        for folder, label in implied:
            if folder.is_dir() and not _inside(folder, trees):
                sources.append(PluginSource(folder.resolve(), label))
    if policy.plan_dir_providers:
        own = plan_dir / ".terraform" / "providers"
        sources.append(PluginSource(own, "the plan directory's own .terraform/providers", False))
        data_dir = env.get("TF_DATA_DIR", "")
        if data_dir:
            label = f"the caller's TF_DATA_DIR {data_dir}"
            sources.append(PluginSource(Path(data_dir) / "providers", label, False))
    return sources


def _package_in(
    provider: LockedProvider, platform: str, source: PluginSource, trees: Sequence[Path]
) -> Path | None:
    """The real path of the provider's unpacked package in `source`, if it is there and allowed:
    a trusted package that is, or holds, a link into the checked tree is not."""
    candidate = source.path / provider.package(platform)
    if not candidate.is_dir():
        return None
    real = candidate.resolve()
    if source.trusted and (_inside(real, trees) or any(_inside(p, trees) for p in real.iterdir())):
        return None
    return real


def link_providers(
    name: str,
    providers: Sequence[LockedProvider],
    platform: str,
    sources: Sequence[PluginSource],
    trees: Sequence[Path],
    target: Path,
) -> list[str]:
    """Link each provider's package under `target` (TF_DATA_DIR/providers); the labels used."""
    used: dict[str, None] = {}
    for provider in providers:
        for source in sources:
            real = _package_in(provider, platform, source, trees)
            if real is not None:
                link = target / provider.package(platform)
                link.parent.mkdir(parents=True, exist_ok=True)
                link.symlink_to(real, target_is_directory=True)
                used[source.label] = None
                break
        else:
            looked = ", ".join(s.label for s in sources) or "no trusted plugin directory"
            raise InputError(
                f"{name}: no trusted copy of provider {provider.address} {provider.version} "
                f"for {platform} (looked in: {looked})"[:600],
                "pass --plugin-dir DIR (or CHECKER_TERRAFORM_PLUGIN_DIR) holding "
                "HOST/NAMESPACE/TYPE/VERSION/OS_ARCH/ unpacked, e.g. the job's TF_PLUGIN_CACHE_DIR",
            )
    return list(used)


def _terraform_for(name: str, trees: Sequence[Path], by_hand: str) -> str:
    """The job's Terraform; one found on PATH inside the checked tree is the pull request's."""
    try:
        terraform = find_terraform()
    except EngineError:
        raise InputError(
            f"{name}: is a binary plan file and terraform is not on PATH", by_hand
        ) from None
    if not os.environ.get("CHECKER_TERRAFORM") and _inside(Path(terraform), trees):
        raise InputError(
            f"{name}: is a binary plan file and the terraform on PATH ({terraform}) is inside "
            "the checked tree",
            "put the job's terraform outside the checkout, or name it with CHECKER_TERRAFORM",
        )
    return terraform


def _environment(work: Path) -> dict[str, str]:
    """An allow-list: nothing of the caller's TF_*, HOME or TMPDIR reaches Terraform."""
    env = {key: os.environ[key] for key in KEPT_ENVIRONMENT if key in os.environ}
    env.setdefault("PATH", os.defpath)
    (work / "home").mkdir(mode=0o700)
    (work / "tmp").mkdir(mode=0o700)
    rc = work / "terraform.rc"
    rc.write_text(
        "# written by tap-checker for one 'terraform show -json': no provider_installation,\n"
        "# credentials, credentials_helper, dev_overrides or plugin_cache_dir\n"
        "disable_checkpoint = true\n",
        encoding="utf-8",
    )
    return {
        **env,
        "HOME": str(work / "home"),
        "TMPDIR": str(work / "tmp"),
        "TF_CLI_CONFIG_FILE": str(rc),
        "TF_DATA_DIR": str(work / "data"),
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",
    }


def _run(
    command: list[str], cwd: Path, env: Mapping[str, str], timeout: int
) -> tuple[int, bytes, bytes]:
    """Run with no stdin, in a session of its own; on timeout kill the session (providers too)."""
    with subprocess.Popen(
        command,
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    ) as process:
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            if hasattr(os, "killpg"):
                os.killpg(process.pid, signal.SIGKILL)
            else:  # pragma: no cover - Windows
                process.kill()
            process.communicate()
            raise
        return process.returncode, out, err


def _first_line(stderr: bytes) -> str:
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    return next((line.strip("│ ").strip() for line in lines if line.strip("│ ").strip()), "")


def _platform(terraform: str, work: Path, env: Mapping[str, str], name: str, hint: str) -> str:
    """The OS_ARCH Terraform runs as (`terraform version -json`), which names provider packages."""
    code, out, err = _run([terraform, "version", "-json"], work, env, VERSION_TIMEOUT)
    try:
        platform = json.loads(out).get("platform", "") if code == 0 else ""
    except (ValueError, AttributeError):
        platform = ""
    if not isinstance(platform, str) or PLATFORM.fullmatch(platform) is None:
        raise InputError(
            f"{name}: terraform version -json did not name its platform: {_first_line(err)[:200]}",
            hint,
        )
    return platform


def _lock_for(providers: Sequence[LockedProvider]) -> str:
    blocks = [f'provider "{p.address}" {{\n  version = "{p.version}"\n}}\n' for p in providers]
    return (
        "# the versions of the plan's lock; the packages are the checker's choice\n\n"
        + "\n".join(blocks)
    )


def refusal(name: str, policy: BinaryPlanPolicy) -> InputError:
    return InputError(
        f"{name}: is a binary plan file, refused {policy.why}: converting it runs Terraform "
        "and provider plugins on what the pull request wrote",
        "run 'terraform show -json PLAN > plan.json' in the job with its own terraform and "
        "check plan.json, or pass --binary-plans convert (with --plugin-dir DIR)",
    )


def show_json(name: str, path: Path, data: bytes, policy: BinaryPlanPolicy) -> tuple[bytes, str]:
    """`terraform show -json` of a binary plan, fenced in; the JSON and a note for the report."""
    if policy.mode != "convert":
        raise refusal(name, policy)
    by_hand = (
        f"run 'terraform show -json {name} > plan.json' where it was planned, then check plan.json"
    )
    trees = checked_trees(path.parent)
    terraform = _terraform_for(name, trees, by_hand)
    providers = plan_providers(name, data)
    sources = plugin_sources(policy, path.parent.resolve(), trees, os.environ)
    with tempfile.TemporaryDirectory(prefix="checker-show-") as folder:
        work = Path(folder)
        work.chmod(0o700)
        try:
            env = _environment(work)
            platform = _platform(terraform, work, env, name, by_hand) if providers else ""
            target = work / "data" / "providers"
            used = link_providers(name, providers, platform, sources, trees, target)
            (work / LOCK_MEMBER).write_text(_lock_for(providers), encoding="utf-8")
            plan = work / "tfplan"
            plan.write_bytes(data)
            plan.chmod(0o600)
            code, out, err = _run(
                [terraform, "show", "-json", "-no-color", str(plan)], work, env, SHOW_TIMEOUT
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise InputError(
                f"{name}: terraform show could not run ({type(error).__name__})", by_hand
            ) from None
    if code != 0:
        raise InputError(
            f"{name}: is a binary plan file and terraform show -json failed: {_first_line(err)[:200]}",
            by_hand,
        )
    where = f"providers from {', '.join(used)}" if used else "no providers"
    return out, (
        "a binary plan: its JSON is what 'terraform show -json' printed, run by the checker "
        f"in a directory of its own with {where}"
    )
