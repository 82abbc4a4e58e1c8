#!/usr/bin/env python3
"""The sh blocks of docs/getting-started.md, for tests/deploy/guide_e2e.sh.

Every ```sh block must follow a marker comment on the line before it (a blank line between is
allowed):
    <!-- guide-step: ID -->                 the test runs it, in the page's order
    <!-- guide-alternative: ID (why) -->    the test does not (it needs a registry, ...)
A block without a marker, a marker without a block, or an ID used twice is an error, so the page
cannot grow a command the test does not know about.

    guide_blocks.py PAGE OUT_DIR
writes OUT_DIR/NN-ID.sh for each step (NN: its position among the steps) and prints one line per
block: "step ID" or "alternative ID".
"""
import pathlib
import re
import sys

MARKER = re.compile(r"^<!-- guide-(step|alternative): ([a-z0-9-]+)(?: \(.*\))? -->$")


def blocks(text):
    lines = text.split("\n")
    out, pending, seen = [], None, set()
    i = 0
    while i < len(lines):
        line = lines[i]
        m = MARKER.match(line.strip())
        if m:
            if pending:
                raise SystemExit(f"line {pending[2]}: marker {pending[1]} is not followed by an sh block")
            pending = (m.group(1), m.group(2), i + 1)
        elif line.startswith("```"):
            lang = line[3:].strip()
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            if j == len(lines):
                raise SystemExit(f"line {i + 1}: unclosed code block")
            if lang == "sh":
                if not pending:
                    raise SystemExit(f"line {i + 1}: an sh block without a <!-- guide-step/alternative --> marker")
                kind, ident, _ = pending
                if ident in seen:
                    raise SystemExit(f"line {i + 1}: the id {ident} is used twice")
                seen.add(ident)
                out.append((kind, ident, "\n".join(lines[i + 1:j]) + "\n"))
                pending = None
            elif pending:
                raise SystemExit(f"line {pending[2]}: marker {pending[1]} is followed by a {lang or 'plain'} block, not sh")
            i = j
        elif pending and line.strip():
            raise SystemExit(f"line {pending[2]}: marker {pending[1]} is followed by text, not an sh block")
        i += 1
    if pending:
        raise SystemExit(f"line {pending[2]}: marker {pending[1]} is not followed by an sh block")
    return out


def main():
    page, out_dir = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    out_dir.mkdir(parents=True, exist_ok=True)
    n = 0
    for kind, ident, code in blocks(page.read_text()):
        if kind == "step":
            n += 1
            (out_dir / f"{n:02d}-{ident}.sh").write_text(code)
        print(kind, ident)


if __name__ == "__main__":
    main()
