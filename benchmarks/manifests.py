"""Finding the plan manifests of a media folder, as the panel does on each refresh.

Run by hand (not part of the tests)::

    .venv/bin/python benchmarks/manifests.py [--media 20000] [--manifests 3] [--runs 20]

Makes a folder with ``--media`` other files (images of the learner's cards) and
``--manifests`` manifests of the bundled plan, then prints medians of
``find_manifests`` with every manifest parsed (a new session) and again (manifests
already parsed: what each panel refresh pays).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from records import median_ms  # noqa: E402  (benchmarks/records.py)

from learnplan.building import manifest  # noqa: E402
from learnplan.reading.outline import default_plan_path, load_plan  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--media", type=int, default=20000)
    parser.add_argument("--manifests", type=int, default=3)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="learnplan-manifests-bench-") as tmp:
        media = Path(tmp)
        for i in range(args.media):
            (media / f"image-{i:06d}.png").write_bytes(b"\x89PNG")
        plan = load_plan(default_plan_path())
        sizes = []
        for n in range(args.manifests):
            content = manifest.encode_manifest(plan, 1_700_000_000.0 + n)
            (media / manifest.manifest_name(plan.id, content)).write_bytes(content)
            sizes.append(len(content))
        print(
            f"{args.media} media files, {args.manifests} manifests of "
            f"{max(sizes, default=0) // 1024} KB; medians of {args.runs} runs"
        )
        parsed = getattr(manifest, "_parsed", None)

        def cold() -> None:
            if parsed is not None:
                parsed.clear()
            manifest.find_manifests(media)

        print(f"find_manifests, every manifest parsed   {median_ms(cold, args.runs):8.2f} ms")
        manifest.find_manifests(media)
        warm = median_ms(lambda: manifest.find_manifests(media), args.runs)
        print(f"find_manifests again (panel refresh)    {warm:8.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
