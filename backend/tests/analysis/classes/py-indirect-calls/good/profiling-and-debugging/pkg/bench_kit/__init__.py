"""Timing and profiling helpers: the standard library's code runners, used as intended."""

import cProfile
import pickle
import timeit
import urllib.request
from pathlib import Path

CACHE = Path.home() / ".cache" / "bench_kit" / "results.pkl"


def time_statement(stmt: str = "sorted(range(1000))", number: int = 1000) -> float:
    return timeit.timeit(stmt, number=number)


def profile_call(entry: str) -> None:
    cProfile.run(entry, sort="cumulative")


def load_results() -> dict:
    with open(CACHE, "rb") as fh:
        return pickle.load(fh)


def snapshot(url: str) -> object:
    """A deep copy of a response, by a pickle round trip: nothing downloaded is unpickled."""
    response = urllib.request.urlopen(url)
    return pickle.loads(pickle.dumps(response.headers))


def debug() -> None:
    import pdb

    pdb.set_trace()


if __name__ == "__main__":
    print(time_statement())
