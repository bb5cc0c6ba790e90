"""Per-report time of the spam screen (rules, character-pair check and content model),
as intake calls it: ``.venv/bin/python benchmarks/spam_timing.py``. Trains the screen
once (not timed), then screens 3,000 labelled reports and 383 spam rows; prints the
median, 95th percentile and mean per text. Run it on a quiet machine, and before and
after a change back to back."""

from __future__ import annotations

import statistics
import time

from gridgov.cases import classify, spam


def main() -> None:
    started = time.perf_counter()
    screen = spam.default()
    print(f"training: {time.perf_counter() - started:.1f} s")
    # the same texts for every version of the screen: 3,000 labelled reports and the
    # first author's 383 spam rows (data/spam_train.csv comes first in written_spam)
    texts = [t for t, _, _ in classify.labelled()][:3000] + spam.written_spam()[:383]
    for text in texts[:50]:  # warm up
        screen.reasons(text)
    times = []
    for text in texts:
        start = time.perf_counter()
        screen.reasons(text)
        times.append(time.perf_counter() - start)
    times.sort()
    ms = [t * 1000 for t in times]
    print(
        f"{len(ms)} texts: median {statistics.median(ms):.2f} ms,"
        f" p95 {ms[int(len(ms) * 0.95)]:.2f} ms, mean {statistics.fmean(ms):.2f} ms,"
        f" max {ms[-1]:.2f} ms"
    )


if __name__ == "__main__":
    main()
