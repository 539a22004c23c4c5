"""The package as a project installs it: the wheel's contents, a server-only install, a project
whose own contract_tests package shadows ours."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import venv
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from hatchling.builders.wheel import WheelBuilder

ROOT = Path(__file__).resolve().parent.parent
INSTALL_TEST = "JING_EMULATOR_INSTALL_TEST"
TESTING = {"hypothesis", "hypothesis-jsonschema", "respx", "pytest"}
FIXTURE_TEST = """
def test_in_process(jing_emulator):
    assert False  # never runs: the fixture fails first


def test_live(jing_emulator_server):
    assert False  # never runs: the fixture fails first
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built as pip would build it."""
    out = tmp_path_factory.mktemp("wheel")
    [built] = WheelBuilder(str(ROOT)).build(directory=str(out), versions=["standard"])
    return Path(built)


def test_the_wheel_ships_type_information_and_the_plugin_entry_point(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        points = archive.read(entry_points).decode()
    assert {"emulator/py.typed", "contract_tests/py.typed", "pytest_jing_emulator.py"} <= names
    assert "emulator/schemas/operations.json" in names
    assert "[pytest11]\njing_emulator = pytest_jing_emulator" in points


def test_the_testing_side_is_an_extra(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        [metadata] = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        requires = Parser().parsestr(archive.read(metadata).decode()).get_all("Requires-Dist")
    assert requires is not None
    plain = {_name(r) for r in requires if ";" not in r}
    testing = {_name(r) for r in requires if r.endswith("extra == 'testing'")}
    assert plain & TESTING == set()
    assert testing == TESTING
    assert {"starlette", "uvicorn", "httpx"} <= plain


def _name(requirement: str) -> str:
    return requirement.split(";")[0].split("[")[0].split(">")[0].split("<")[0].strip()


# The one slow test (a fresh venv, its packages from PyPI: about 80 s): `make check-install`.
@pytest.mark.skipif(
    not os.environ.get(INSTALL_TEST),
    reason=f"a fresh venv from PyPI: make check-install sets {INSTALL_TEST}",
)
def test_a_server_only_install_serves_and_names_the_missing_extra(
    wheel: Path, tmp_path: Path
) -> None:
    env = tmp_path / "env"
    venv.create(env, with_pip=True)
    bin_ = env / "bin"
    # pytest, not the testing extra: a project that has pytest but installed the server only.
    _run([bin_ / "pip", "install", "--quiet", f"{wheel}", "pytest"])
    assert "serve" in _run([bin_ / "jing-emulator", "--help"]).stdout
    served = "import emulator.app, importlib.util as u; print(u.find_spec('hypothesis'))"
    assert _run([bin_ / "python", "-c", served]).stdout.strip() == "None"
    checked = _run([bin_ / "jing-emulator", "contract-test"], strict=False)
    assert checked.returncode == 2
    assert "pip install 'jing-emulator[testing]'" in checked.stderr
    (tmp_path / "test_fixtures.py").write_text(FIXTURE_TEST)
    tested = _run([bin_ / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider"], tmp_path)
    assert "2 errors" in tested.stdout
    for fixture in ("jing_emulator", "jing_emulator_server"):  # the summary may repeat each line
        needs = rf"the {fixture} fixture needs [\w-]+, of jing-emulator's testing extra"
        assert re.search(needs, tested.stdout), fixture


def _run(
    argv: list[object], cwd: Path | None = None, strict: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run a command; unless not strict, one that exits with neither 0 nor 1 fails the test."""
    done = subprocess.run(
        [str(a) for a in argv], cwd=cwd, capture_output=True, text=True, check=False, timeout=600
    )
    if strict and done.returncode not in (0, 1):
        raise AssertionError(f"{argv}: exit {done.returncode}\n{done.stdout}\n{done.stderr}")
    return done


def test_a_project_contract_tests_package_works_beside_ours(pytester: pytest.Pytester) -> None:
    pytester.mkpydir("contract_tests")
    pytester.makepyfile(
        **{
            "contract_tests/helpers": "ANSWER = 42\n",
            "contract_tests/test_own": (
                "from contract_tests.helpers import ANSWER\n\n\n"
                "def test_own_package():\n    assert ANSWER == 42\n"
            ),
            "contract_tests/test_fixture": FIXTURE_TEST.split("\n\n\n")[0],
        }
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [f"*the package contract_tests at {pytester.path / 'contract_tests'} shadows it*"]
    )
    assert "Rename that package" in result.stdout.str()


def test_fixtures_without_the_testing_extra_say_what_to_install(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest("import sys\n\nsys.modules['respx'] = sys.modules['hypothesis'] = None\n")
    pytester.makepyfile(test_fixtures=FIXTURE_TEST)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:hypothesispytest")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "*the jing_emulator fixture needs respx, of jing-emulator's testing extra*",
            "*the jing_emulator_server fixture needs hypothesis*",
        ]
    )


def test_other_missing_modules_are_not_blamed_on_the_extra(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("import sys\n\nsys.modules['uvicorn'] = None\n")
    pytester.makepyfile(test_fixtures=FIXTURE_TEST.split("\n\n\n")[1])
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    assert "testing extra" not in result.stdout.str()
    result.stdout.fnmatch_lines(["*ModuleNotFoundError*uvicorn*"])


def test_the_command_without_the_extra_says_what_to_install() -> None:
    code = (
        "import sys; sys.modules['hypothesis'] = None; from emulator.cli import main; "
        "sys.exit(main(['contract-test', '--base-url', 'http://127.0.0.1:9', "
        "'--app-id', 'a', '--app-secret', 's']))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "jing-emulator contract-test needs hypothesis, of jing-emulator's testing extra: "
        "pip install 'jing-emulator[testing]'"
    )


def test_loading_the_entry_point_imports_none_of_our_packages() -> None:
    code = (
        "import sys, pytest_jing_emulator as p; "
        "print(callable(p.jing_emulator), callable(p.pytest_addoption), "
        "[m for m in ('contract_tests', 'emulator', 'uvicorn', 'httpx') if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True True []"
