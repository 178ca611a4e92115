"""What rendering Markdown costs for the texts that cost it most (tests/markdown_worst.py):
milliseconds per render (the best of five, wall clock) at 4k, 8k, 10k and 16k characters,
and at the costliest length still parsed as Markdown (markup.BUDGET; longer ones are shown
as plain text).

    .venv/bin/python bench/markdown.py"""

import gc
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from taskflow import markup  # noqa: E402
from tests.markdown_worst import UNITS, text, within  # noqa: E402

SIZES = (4_000, 8_000, 10_000, 16_000)


def best_ms(source: str, runs: int = 5) -> float:
    """The fastest of `runs` renders: the others waited for the CPU."""
    gc.collect()  # the garbage of what ran before is not this render's
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        markup.render_markdown(source)
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def main() -> None:
    header = "".join(f"{size // 1000:>7}k" for size in SIZES)
    print(f"{'unit':<22}{header}   at budget (chars)")
    for unit in UNITS:
        row = "".join(f"{best_ms(text(unit, size)):8.1f}" for size in SIZES)
        dense = within(unit, markup.BUDGET, markup.cost)
        print(f"{unit!r:<22}{row}   {best_ms(dense):5.1f} ({len(dense):,})")


if __name__ == "__main__":
    main()
