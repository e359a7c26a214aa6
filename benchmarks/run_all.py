"""Run every benchmark (each writes benchmarks/results/<topic>.md), then assemble RESULTS.md.

python benchmarks/run_all.py            # all
python benchmarks/run_all.py render     # only bench_render.py, then re-assemble
"""

from __future__ import annotations

import datetime as dt
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
RESULTS = HERE / "results"


def assemble() -> Path:
    """Join the per-topic sections into benchmarks/RESULTS.md."""
    parts = [
        "# Benchmark results\n",
        "Each section is written by its `bench_<topic>.py`, which runs ours and the baseline "
        "side by side in one run and reports ratios (absolute times drift on shared 2-core "
        "machines).\n",
        f"Assembled {dt.date.today().isoformat()} on {platform.machine()}, Python "
        f"{platform.python_version()}, {len(list(RESULTS.glob('*.md')))} sections.\n",
    ]
    parts += [p.read_text(encoding="utf-8").strip() + "\n" for p in sorted(RESULTS.glob("*.md"))]
    out = HERE / "RESULTS.md"
    out.write_text("\n".join(parts), encoding="utf-8")
    return out


def main(argv: list[str]) -> int:
    """Run the named benchmarks (default: all) and assemble the report."""
    if argv == ["--assemble"]:
        print(f"wrote {assemble()}")
        return 0
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in argv]
    failed = []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        if subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode:
            failed.append(script.name)
    print(f"wrote {assemble()}")
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
