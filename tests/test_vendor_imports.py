"""scripts/vendor_imports.py: imports of vendored libraries become relative to the add-on.

Each case rewrites a small add-on in tmp_path, then imports it in a fresh Python with only
the standard library, under a folder name it could not know (as AnkiWeb installs).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path, PurePosixPath

import pytest
from vendor_imports import Policy, Report, rewrite_source, rewrite_tree

POLICY = Policy(
    vendored=frozenset({"lib", "ruamel", "single"}),
    host=frozenset({"anki"}),
    absent={"fastlib": "an optional accelerator"},
    reviewed={},
)


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


LIBS = {
    "_vendor/__init__.py": "",
    "_vendor/lib/__init__.py": "from lib.sub import VALUE\nimport single\n",
    "_vendor/lib/sub.py": "VALUE = 'lib.sub'\n",
    "_vendor/ruamel/yaml/__init__.py": "import ruamel.yaml.tokens\nNAME = 'ruamel.yaml'\n",
    "_vendor/ruamel/yaml/tokens.py": "TOKEN = 'tok'\n",
    "_vendor/single.py": "from lib import sub\nSINGLE = sub.VALUE\n",
}


def _run(addons: Path, package: str, code: str) -> dict[str, object]:
    """Import ``package`` from ``addons`` in `python -I -S` and return what ``code`` puts
    in ``out``, plus the top-level modules the import added outside the stdlib."""
    script = textwrap.dedent(
        f"""
        import importlib, json, sys
        sys.path.insert(0, {str(addons)!r})
        before = {{n.partition(".")[0] for n in sys.modules}}
        pkg = importlib.import_module({package!r})
        out = {{}}
        """
    ) + textwrap.dedent(code)
    script += textwrap.dedent(
        """
        added = {n.partition(".")[0] for n in sys.modules} - before
        out["added"] = sorted(n for n in added if n not in sys.stdlib_module_names)
        print(json.dumps(out))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-c", script], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, object] = json.loads(proc.stdout)
    return result


def test_every_import_form_points_into_the_package(tmp_path: Path) -> None:
    addon = tmp_path / "addons21" / "4242"
    _write(addon, LIBS)
    _write(
        addon,
        {
            "__init__.py": """\
                import lib
                import lib.sub as aliased
                import ruamel.yaml
                from lib.sub import (
                    VALUE,  # a comment stays
                )
                from single import SINGLE
                from . import mod
                try:
                    import fastlib
                except ImportError:
                    fastlib = None
                try:
                    from fastlib.core import parse
                except ModuleNotFoundError:
                    parse = None
                """,
            "mod.py": """\
                def later():
                    from lib import sub
                    return sub.VALUE
                x = "é"; import single as s2
                """,
        },
    )
    report = rewrite_tree(addon, POLICY)
    assert report.problems == []
    assert report.rewritten == 13  # 7 in the add-on, 4 in the libraries, 2 absent

    found = _run(
        tmp_path / "addons21",
        "4242",
        """\
        out["lib"] = pkg.lib.__name__
        out["aliased"] = pkg.aliased.__name__
        out["ruamel"] = [pkg.ruamel.__name__, pkg.ruamel.yaml.NAME, pkg.ruamel.yaml.tokens.TOKEN]
        out["value"] = [pkg.VALUE, pkg.SINGLE, pkg.mod.later(), pkg.mod.s2.__name__]
        out["absent"] = [pkg.fastlib, pkg.parse]
        out["leftover"] = "_vendored_import_" in vars(pkg)
        """,
    )
    assert found == {
        "lib": "4242._vendor.lib",
        "aliased": "4242._vendor.lib.sub",
        "ruamel": ["4242._vendor.ruamel", "ruamel.yaml", "tok"],
        "value": ["lib.sub", "lib.sub", "lib.sub", "4242._vendor.single"],
        "absent": [None, None],
        "leftover": False,
        "added": ["4242"],
    }


def test_lines_keep_their_numbers_and_the_rest_of_the_statement() -> None:
    source = textwrap.dedent(
        """\
        from lib.sub import (  # why
            a,
            b as c,
        )
        import single, os
        import ruamel.yaml
        x = "é"; from lib import sub
        """
    )
    new, count = rewrite_source(source, PurePosixPath("_vendor/lib/deep/m.py"), POLICY, Report())
    assert count == 4
    assert new.splitlines() == [
        "from ...._vendor.lib.sub import (  # why",
        "    a,",
        "    b as c,",
        ")",
        "from ...._vendor import single; import os",
        "from ...._vendor.ruamel import yaml as _vendored_import_; del _vendored_import_; "
        "from ...._vendor import ruamel",
        'x = "é"; from ...._vendor.lib import sub',
    ]


def test_a_file_at_the_add_ons_root_imports_one_level_up() -> None:
    new, _ = rewrite_source("from lib import x\n", PurePosixPath("store.py"), POLICY, Report())
    assert new == "from ._vendor.lib import x\n"


def test_standard_library_anki_and_relative_imports_are_left_alone() -> None:
    source = "import os.path\nfrom anki.collection import Collection\nfrom . import lib\n"
    new, count = rewrite_source(source, PurePosixPath("m.py"), POLICY, Report())
    assert (new, count) == (source, 0)


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("import requests\n", "imports 'requests', which is not vendored"),
        ("import importlib\nimportlib.import_module(name)\n", "import_module() in <module>"),
        ("def f(n):\n    return __import__(n)\n", "__import__() in f"),
        ("import importlib\nimportlib.import_module('lib.sub')\n", "names the vendored module"),
        ("from importlib import metadata\n", "import importlib.metadata in <module>"),
        ("import pkgutil\n", "import pkgutil in <module>"),
        ("import importlib.resources\n", "import importlib.resources in <module>"),
    ],
)
def test_what_cannot_be_made_safe_is_reported(source: str, problem: str) -> None:
    report = Report()
    rewrite_source(source, PurePosixPath("_vendor/lib/m.py"), POLICY, report)
    assert len(report.problems) == 1 and problem in report.problems[0], report.problems
    assert report.problems[0].startswith("_vendor/lib/m.py:")


def test_reviewed_sites_pass_and_stale_reviews_fail(tmp_path: Path) -> None:
    _write(tmp_path, {"_vendor/lib/m.py": "class C:\n    def f(self, n):\n        __import__(n)\n"})
    reviewed = {("_vendor/lib/m.py", "C.f"): "names from the document", ("gone.py", "g"): "old"}
    policy = Policy(POLICY.vendored, POLICY.host, {}, reviewed)
    report = rewrite_tree(tmp_path, policy)
    assert report.problems == ["gone.py: reviewed dynamic import in g no longer exists"]


def test_a_module_importing_itself_by_its_own_name_is_fine() -> None:
    report = Report()
    rewrite_source(
        "from importlib import import_module\nself = import_module(__name__)\n",
        PurePosixPath("_vendor/lib/m.py"),
        POLICY,
        report,
    )
    assert report.problems == []


def test_an_optional_import_nothing_uses_is_reported(tmp_path: Path) -> None:
    _write(tmp_path, {"m.py": "import os\n"})
    assert rewrite_tree(tmp_path, POLICY).problems == [
        "fastlib: listed as an optional import, but nothing imports it"
    ]
