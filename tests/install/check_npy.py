#!/usr/bin/env python3
"""Checks .npy files written by ptscope-dump-npy against a fixture's golden
JSON (written by torch): header layout, dtype descriptor, shape, byte size and
the sum of the elements. Plain Python: NumPy is not needed.

    check_npy.py GOLDEN.json OUTDIR
"""
import ast
import json
import os
import re
import struct
import sys

# torch dtype -> descriptor ptscope-dump-npy must write (bf16/float8 become float32).
DESCR = {
    "float32": "<f4", "bfloat16": "<f4", "float16": "<f2", "float64": "<f8",
    "int8": "|i1", "int16": "<i2", "int32": "<i4", "int64": "<i8", "uint8": "|u1",
    "bool": "|b1", "complex64": "<c8", "complex128": "<c16",
    "qint8": "|i1", "quint8": "|u1", "qint32": "<i4",
}
# descriptor -> (struct format of one value, values per element)
FORMAT = {
    "|b1": ("?", 1), "|u1": ("B", 1), "|i1": ("b", 1), "<i2": ("h", 1), "<i4": ("i", 1), "<i8": ("q", 1),
    "<f2": ("e", 1), "<f4": ("f", 1), "<f8": ("d", 1), "<c8": ("f", 2), "<c16": ("d", 2),
}


def file_name(tensor):
    return re.sub(r"[^A-Za-z0-9._-]", "_", tensor or "tensor") + ".npy"


def read_npy(path):
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x93NUMPY\x01\x00", "bad magic/version"
    (hlen,) = struct.unpack("<H", data[8:10])
    assert (10 + hlen) % 64 == 0, "header not padded to 64 bytes"
    header = data[10:10 + hlen].decode("latin1")
    assert header.endswith("\n"), "header does not end with a newline"
    meta = ast.literal_eval(header)
    assert meta["fortran_order"] is False
    return meta["descr"], tuple(meta["shape"]), data[10 + hlen:]


def main():
    golden = json.load(open(sys.argv[1]))
    outdir = sys.argv[2]
    errors = 0
    for t in golden["tensors"]:
        name, dtype = t["name"], t["dtype"]
        if dtype not in DESCR:
            continue
        try:
            descr, shape, payload = read_npy(os.path.join(outdir, file_name(name)))
            assert descr == DESCR[dtype], f"descr {descr}, want {DESCR[dtype]}"
            assert list(shape) == t["shape"], f"shape {shape}, want {t['shape']}"
            fmt, per = FORMAT[descr]
            numel = 1
            for d in shape:
                numel *= d
            assert len(payload) == numel * per * struct.calcsize(fmt), f"{len(payload)} data bytes for {numel} elements"
            values = struct.unpack(f"<{numel * per}{fmt}", payload)
            if t.get("sum") is not None:
                want = float(t["sum"])
                # complex: the golden sums real parts; accept re+im too
                sums = [float(sum(values))] if per == 1 else [float(sum(values[0::2])), float(sum(values))]
                assert any(abs(s - want) <= 1e-5 * max(1.0, abs(want)) for s in sums), f"sum {sums}, want {want}"
        except (AssertionError, OSError, ValueError, KeyError) as e:
            print(f"  {name}: {e}", file=sys.stderr)
            errors += 1
    checked = sum(1 for t in golden["tensors"] if t["dtype"] in DESCR)
    print(f"{os.path.basename(sys.argv[1])}: {checked - errors}/{checked} tensors match")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
