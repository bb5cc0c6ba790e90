"""The shipped classifier and spam screen, trained once and kept on disk for the tests.

``classify.default()`` and ``spam.default()`` train on every shipped row once per
process: about 13 s of CPU in each xdist worker, again on every run. In the tests the
trained objects are pickled into a directory every worker of the run sees (the pytest
cache, kept between runs; else the run's base temporary directory) under a key made of
the training rows themselves, the source of the ``gridgov`` package and the versions of
Python, scikit-learn, SciPy and NumPy: the same model, trained by the same code, loaded
instead of trained. A lock file makes one worker train while the other waits for it.
What is trained and how the models answer is unchanged: ``_trained`` still trains (by
the same function) when no pickle matches.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import io
import os
import pickle
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import gridgov
from gridgov.cases import classify, spam


@functools.cache
def _package_digest() -> str:
    """The source and data files of the gridgov package, and the library versions."""
    import numpy
    import scipy
    import sklearn

    digest = hashlib.sha256()
    for version in (sys.version, sklearn.__version__, scipy.__version__, numpy.__version__):
        digest.update(version.encode() + b"\0")
    root = Path(gridgov.__file__).parent
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


class _Pickler(pickle.Pickler):
    """The classifier's Latin-words vectoriser is a class made on first use
    (``classify._latin_words``, remembered): pickled as that call."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, type) and obj is classify._latin_words():
            return (classify._latin_words, ())
        return NotImplemented


def _dumps(obj: object) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return buffer.getvalue()


def _load_or_train(directory: Path, name: str, rows: object, train: Callable[[], Any]) -> Any:
    key = hashlib.sha256(_package_digest().encode() + repr(rows).encode()).hexdigest()[:24]
    path = directory / f"{name}-{key}.pickle"
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one worker trains, the other waits for it
        try:
            if path.exists():
                return pickle.loads(path.read_bytes())  # noqa: S301 - our own pickle
            model = train()
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            partial.write_bytes(_dumps(model))
            partial.replace(path)
            for older in directory.glob(f"{name}-*.pickle"):  # an earlier source's
                if older != path:
                    older.unlink()
            return model
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@contextmanager
def installed(directory: Path) -> Iterator[None]:
    """``classify._trained`` and ``spam._trained`` load from ``directory`` (once per
    process, as before) while the context lasts."""
    shipped = (classify._trained, spam._trained)

    @functools.cache
    def classifier() -> classify.Classifier:
        rows = classify.labelled()
        model: classify.Classifier = _load_or_train(directory, "classifier", rows, shipped[0])
        return model

    @functools.cache
    def screen() -> spam.Screen:
        rows = (spam._weighted_spam(), spam._legit())
        model: spam.Screen = _load_or_train(directory, "spam", rows, shipped[1])
        return model

    classify._trained, spam._trained = classifier, screen
    try:
        yield
    finally:
        classify._trained, spam._trained = shipped
