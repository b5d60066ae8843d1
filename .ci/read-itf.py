"""Reads every trace file given with itf-py (an ITF reader independent of Quorum) and checks what
it decodes against the file's own declarations: every state has every variable of "vars", and
"loop" (if any) indexes a state.

itf-py 0.5.0 decodes a variant {"tag": T, "value": V} whose V is itself an ITF-encoded value
(such as {"#bigint": "0"}, the shape Quint writes for mbt::nondetPicks and ADR-015 allows) as a
record whose fields are "#bigint", and fails. The files keep the standard shape; this reader
wraps such a V as the record {"value": V} before decoding, which itf-py then reads as T(value=...),
exactly what it produces for a variant with a plain JSON value.
"""
import json
import sys

import itf_py


def wrap_variants(value):
    if isinstance(value, list):
        return [wrap_variants(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {"tag", "value"} and isinstance(value["value"], dict) and any(k.startswith("#") for k in value["value"]):
            return {"tag": value["tag"], "value": {"value": wrap_variants(value["value"])}}
        return {k: wrap_variants(v) for k, v in value.items()}
    return value


def main(paths):
    failures = 0
    for path in paths:
        with open(path) as f:
            raw = json.load(f)
        try:
            trace = itf_py.trace_from_json(wrap_variants(raw))
            names = raw["vars"]
            assert len(trace.states) == len(raw["states"]) > 0, "state count"
            for index, state in enumerate(trace.states):
                missing = [n for n in names if n not in state.values]
                assert not missing, f"state {index} lacks {missing}"
                picks = state.values.get("mbt::nondetPicks")
                for field in picks or ():
                    assert type(field).__name__ in ("Some", "None"), f"state {index}: a pick decodes as {field!r}"
            if trace.loop is not None:
                assert 0 <= trace.loop < len(trace.states), f"loop {trace.loop}"
            print(f"ok    {path}: {len(trace.states)} states, {len(names)} variables")
        except Exception as error:  # report every file, then fail
            failures += 1
            print(f"FAIL  {path}: {type(error).__name__}: {error}")
    print(f"{len(paths) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
