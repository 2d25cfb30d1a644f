#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora under fuzz/corpus/ (python3 standard library only).

    tools/make_fuzz_corpus.py --checkpoint run/model.safetensors

csv/: real files (the test fixtures, the head of data/sp500.csv) and every bad CSV of issue #10,
each prefixed by the harness's option byte (fuzz/csv_harness.hpp). checkpoint/: a real
checkpoint (train --hidden 4 on a short series) and every damaged checkpoint of issue #10, made by
editing its JSON header or bytes. The same files are replayed by tests/fuzz/corpus_test.cpp.
"""
import argparse
import json
import math
import os
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write(folder, name, data):
    path = os.path.join(ROOT, "fuzz", "corpus", folder, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def csv_corpus():
    def put(name, text, option=0):
        data = text if isinstance(text, bytes) else text.encode()
        write("csv", name, bytes([option]) + data)

    fixtures = os.path.join(ROOT, "tests", "data", "fixtures")
    for name in sorted(n for n in os.listdir(fixtures) if not n.startswith(".")):
        with open(os.path.join(fixtures, name), "rb") as f:
            put("fixture-" + name, f.read(), 6 if "alphavantage" in name else 0)
    with open(os.path.join(ROOT, "data", "sp500.csv"), "rb") as f:
        head = b"".join(f.readlines()[:80])
    put("sp500-head.csv", head)
    put("sp500-head-strict-range.csv", head, 1 | 8 | 16)
    put("sp500-head-both-inputs.csv", head, 32 | 64)

    def days(n, value=lambda i: "7", start=0):
        return "".join("%s,%s\n" % (date(start + i), value(i)) for i in range(n))

    put("unterminated-quote.csv", "Date,Close\n" + days(3) + '2000-02-01,"7\n' + days(296, start=40))
    put("unterminated-quote-strict.csv", "Date,Close\n" + days(3) + '2000-02-01,"7\n', 1)
    put("overflow-1e308.csv", "Date,Close\n" + days(40, lambda i: "1e308" if i % 2 else "-1e308"))
    put("overflow-1e308-delta.csv",
        "Date,Close\n" + days(40, lambda i: "1.7e308" if i % 2 else "-1.7e308"), 32)
    put("control-bytes-header.csv", b"Date,\x1b[2JClose\xff\x00\n2021-01-04,\x071\n", 2)
    put("mostly-bad.csv", "Date,Close\n" + days(30, lambda i: "x" if i % 3 else "1"))
    put("year-10000.csv", "Date,Close\n9999-12-30,1\n9999-12-31,2\n10000-01-01,3\n")
    put("dates-with-times.csv",
        "Date,Close\n2020-01-02 16:00:00,1\n2020-01-03T09:30Z,2\n2020-01-06 9:30:60.5,3\n"
        "2020-1-7,4\n2020-02-30,5\n")
    put("empty.csv", "")
    put("header-only.csv", "Date,Close\n")
    put("many-fields.csv", "Date,Close\n" + "2020-01-02" + "," * 5000 + "\n")
    put("quoted-newlines.csv", 'Date,"Clo\nse"\n"2020-01-02","1"\n"2020-01-03","2"\n')
    put("two-rows-split.csv", "Date,Close\n2020-01-02,1\n2020-01-03,2\n")


def date(i):
    # i days after 2000-01-03, ISO
    y, m, d = 2000, 1, 3
    month_days = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    for _ in range(i):
        d += 1
        if d > month_days[m - 1] - (1 if m == 2 and y % 4 else 0):
            d, m = 1, m + 1
            if m > 12:
                m, y = 1, y + 1
    return "%04d-%02d-%02d" % (y, m, d)


def split(raw):
    (n,) = struct.unpack("<Q", raw[:8])
    return json.loads(raw[8:8 + n]), raw[8 + n:]


def join(header, data):
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


def checkpoint_corpus(path):
    with open(path, "rb") as f:
        raw = f.read()
    write("checkpoint", "good.safetensors", raw)
    header, data = split(raw)

    def edited(name, edit):
        h = json.loads(json.dumps(header))
        edit(h)
        write("checkpoint", name + ".safetensors", join(h, data))

    def meta(key, edit):
        def e(h):
            m = json.loads(h["__metadata__"][key])
            edit(m)
            h["__metadata__"][key] = json.dumps(m)
        return e

    def setter(key, value):
        return lambda m: m.__setitem__(key, value)

    edited("hidden-12000", meta("config", setter("hidden_size", 12000)))
    edited("hidden-2e9", meta("config", setter("hidden_size", 2000000000)))
    edited("hidden-8.7", meta("config", setter("hidden_size", 8.7)))
    edited("hidden-2pow62", meta("config", setter("hidden_size", 2 ** 62)))
    edited("lookback-max", meta("config", setter("lookback", 2 ** 63 - 1)))
    edited("horizon-1e30", meta("config", setter("horizon", 1e30)))
    edited("target-column-7", meta("config", setter("target_column", 7)))
    edited("input-columns-negative", meta("config", setter("input_columns", [-1])))
    edited("empty-first-date", meta("data", setter("first", "")))
    edited("year-99999-last", meta("data", setter("last", "99999-01-01")))
    edited("rows-negative", meta("data", setter("rows", -3)))
    edited("split-reversed", meta("data", lambda d: d["split"].__setitem__("test_rows", [5, 2])))
    edited("scaler-zero-scale", meta("scaler", setter("scale", [0.0])))
    edited("no-metadata", lambda h: h.pop("__metadata__"))

    bias = "head.bias"
    edited("shape-2pow62", lambda h: h[bias].__setitem__("shape", [4611686018427387905]))
    edited("shape-2pow32-squared", lambda h: h[bias].__setitem__("shape", [2 ** 32, 2 ** 32, 1]))
    edited("offsets-1e20", lambda h: h[bias].__setitem__("data_offsets", [0, 1e20]))
    edited("offsets-overlap", lambda h: h[bias].__setitem__("data_offsets", [4, 8]))
    edited("dtype-unknown", lambda h: h[bias].__setitem__("dtype", "X9"))

    def with_float(name, tensor, value, fmt="<f"):
        begin = header[tensor]["data_offsets"][0]
        patched = bytearray(data)
        patched[begin:begin + 4] = struct.pack(fmt, value)
        write("checkpoint", name + ".safetensors", join(header, bytes(patched)))

    with_float("nan-weight", bias, math.nan)
    with_float("inf-weight", "lstm.weight_hh_l0", math.inf)
    running_var = [k for k in header if k.endswith("running_var")]
    if running_var:
        with_float("negative-running-var", running_var[0], -1.0)
    tracked = [k for k in header if k.endswith("num_batches_tracked")]
    if tracked:
        # an I64 count relabelled F64 holding NaN: a float that must become an integer
        h = json.loads(json.dumps(header))
        h[tracked[0]]["dtype"] = "F64"
        begin = h[tracked[0]]["data_offsets"][0]
        patched = bytearray(data)
        patched[begin:begin + 8] = struct.pack("<d", math.nan)
        write("checkpoint", "nan-count.safetensors", join(h, bytes(patched)))
    write("checkpoint", "truncated.safetensors", raw[: len(raw) // 2])
    write("checkpoint", "header-length-huge.safetensors", struct.pack("<Q", 2 ** 63) + raw[8:])
    write("checkpoint", "csv-not-checkpoint.safetensors", b"Date,Open,High\n2021-01-04,1,2\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", required=True, help="a small real checkpoint to edit")
    args = parser.parse_args()
    csv_corpus()
    checkpoint_corpus(args.checkpoint)


if __name__ == "__main__":
    main()
