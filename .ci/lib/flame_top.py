#!/usr/bin/env python3
"""Reads folded stacks (inferno-collapse-perf) on stdin and prints where
the time goes: the share of samples under each of the dashboard's own
functions and of the libraries' entry points it calls (inclusive), and
the functions that burn the CPU themselves (self)."""
import collections
import re
import sys

# Frames worth naming: our crates, and the layers a request passes through.
INTERESTING = re.compile(
    r"^(evse_dashboard|app|server|leptos\w*|tachys|reactive_graph|sqlx\w*|tower_sessions\w*"
    r"|hyper|axum|tower_http|libsqlite3|sqlite3\w+|argon2|serde_json|brotli\w*|rmp_serde)"
)
NOISE = re.compile(r"\{\{closure\}\}|<.*? as |::poll$|::call$|^core::|^alloc::|^std::")


def clean(frame: str) -> str:
    frame = re.sub(r"::\{\{closure\}\}", "", frame)
    frame = re.sub(r"::h[0-9a-f]{16}$", "", frame)
    return frame


def main() -> None:
    total = 0
    inclusive = collections.Counter()
    own = collections.Counter()
    for line in sys.stdin:
        stack, _, count = line.rstrip().rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [clean(f) for f in stack.split(";")]
        for frame in set(frames):
            if INTERESTING.match(frame):
                inclusive[frame] += n
        own[frames[-1]] += n
    if total == 0:
        print("no samples")
        return
    print(f"{total} samples")
    print("inclusive (the dashboard's functions and library entry points):")
    shown = 0
    for frame, n in inclusive.most_common():
        if n / total < 0.02:
            break
        print(f"  {100 * n / total:5.1f}%  {frame[:140]}")
        shown += 1
        if shown >= 40:
            break
    print("self:")
    for frame, n in own.most_common(12):
        print(f"  {100 * n / total:5.1f}%  {frame[:140]}")


if __name__ == "__main__":
    main()
