#!/usr/bin/python3
"""Parse a Prometheus exposition with the official Python client, print JSON.

Usage: parse_exposition.py text|openmetrics [--batch]

Reads the exposition (UTF-8) from stdin. Prints a JSON list of families:
  {name, type, documentation, unit,
   samples: [{name, labels, value, timestamp, exemplar: {labels, value, timestamp} | null}]}
Every float is a string so NaN, +Inf, -Inf and exact doubles survive JSON: repr(float)
for floats ("nan", "inf", "-inf", "0.1", "1e+21"), str(int) for the integers the
OpenMetrics parser keeps as int. Timestamps are seconds as strings (or null).

Exit 1 with the exception on stderr if the parser rejects the input; exit 2 on misuse.

--batch: stdin is a JSON array of strings; stdout is a JSON array of
{"ok": true, "families": [...]} or {"ok": false, "error": "..."}; exit 0.
"""
import json
import sys


def encode_number(value):
    if isinstance(value, bool):
        raise TypeError("unexpected bool value")
    if isinstance(value, int):
        return str(value)
    return repr(float(value))


def encode_timestamp(ts):
    if ts is None:
        return None
    # openmetrics: prometheus_client.samples.Timestamp(sec, nsec); text: float seconds.
    if hasattr(ts, "sec") and hasattr(ts, "nsec") and ts.sec >= 0:
        return "%d.%09d" % (ts.sec, ts.nsec)
    return encode_number(float(ts))


def encode_family(family):
    samples = []
    for s in family.samples:
        exemplar = None
        if s.exemplar is not None:
            exemplar = {
                "labels": dict(s.exemplar.labels),
                "value": encode_number(s.exemplar.value),
                "timestamp": encode_timestamp(s.exemplar.timestamp),
            }
        samples.append({
            "name": s.name,
            "labels": dict(s.labels),
            "value": encode_number(s.value),
            "timestamp": encode_timestamp(s.timestamp),
            "exemplar": exemplar,
        })
    return {
        "name": family.name,
        "type": family.type,
        "documentation": family.documentation,
        "unit": family.unit,
        "samples": samples,
    }


def write(stream, text):
    # Independent of the locale: UTF-8 bytes (JSON output is ASCII anyway).
    stream.buffer.write(text.encode("utf-8", "backslashreplace"))
    stream.flush()


def main():
    args = sys.argv[1:]
    batch = "--batch" in args
    args = [a for a in args if a != "--batch"]
    if len(args) != 1 or args[0] not in ("text", "openmetrics"):
        sys.stderr.write("usage: parse_exposition.py text|openmetrics [--batch]\n")
        return 2
    if args[0] == "text":
        from prometheus_client.parser import text_string_to_metric_families
    else:
        from prometheus_client.openmetrics.parser import text_string_to_metric_families

    def parse(text):
        # The parsers are generators: errors surface while iterating.
        return [encode_family(f) for f in text_string_to_metric_families(text)]

    raw = sys.stdin.buffer.read()
    if batch:
        results = []
        for text in json.loads(raw.decode("utf-8")):
            try:
                results.append({"ok": True, "families": parse(text)})
            except Exception as e:  # noqa: BLE001 - report every parser rejection
                results.append({"ok": False, "error": "%s: %s" % (type(e).__name__, e)})
        write(sys.stdout, json.dumps(results))
        return 0
    try:
        families = parse(raw.decode("utf-8"))
    except Exception as e:  # noqa: BLE001
        write(sys.stderr, "%s: %s\n" % (type(e).__name__, e))
        return 1
    write(sys.stdout, json.dumps(families))
    return 0


if __name__ == "__main__":
    sys.exit(main())
