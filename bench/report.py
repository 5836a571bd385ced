#!/usr/bin/env python3
"""Turns the raw results of bench/run.sh into the Markdown report.

    report.py RESULTS_DIR STDLIB_FINDINGS_MD

Reads hyperfine's JSON exports, GNU time's peak memory, the tools' outputs and
parse_speed's RESULT lines from RESULTS_DIR; prints Markdown to standard
output. Exits 1 when bindscan's stdlib findings differ from the reviewed list
in STDLIB_FINDINGS_MD, so a change in detection shows up.
"""
import datetime
import json
import os
import platform
import re
import statistics
import sys

MB = 1e6


def load(out, name):
    path = os.path.join(out, name + ".json")
    if not os.path.exists(path):
        return {}
    return {r["command"]: r for r in json.load(open(path))["results"]}


def lines(out, name):
    path = os.path.join(out, name)
    return open(path, errors="replace").read().splitlines() if os.path.exists(path) else None


def result_line(out, name):
    for line in lines(out, name) or []:
        if line.startswith("RESULT "):
            return {k: float(v) for k, v in (kv.split("=") for kv in line.split()[1:])}
    return {}


def secs(r):
    return statistics.median(r["times"])


def cpu(r):
    return r["user"] + r["system"]


def fmt(x, digits=2):
    if x is None:
        return "n/a"
    if x >= 100:
        return f"{x:,.0f}"
    return f"{x:.{digits}f}"


def main():
    out, findings_md = sys.argv[1], sys.argv[2]
    corpora = {}
    for line in lines(out, "corpora"):
        name, files, size, path = line.split(" ", 3)
        corpora[name] = (int(files), int(size), path)
    memory = {}
    for line in lines(out, "memory") or []:
        name, kb = line.split("\t")
        memory[name] = int(kb) / 1024 if kb.strip().isdigit() else None

    stdlib_files, stdlib_bytes, stdlib_path = corpora["stdlib"]
    runs = {**load(out, "stdlib"), **load(out, "ruff")}
    report = []
    p = report.append
    cpu_model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    p(f"Run of {datetime.date.today().isoformat()} on {platform.node() or 'this machine'}: {os.cpu_count()} cores "
      f"({cpu_model}), Linux {platform.release()}, page cache warm. The machine is shared with other builds: "
      "walls are medians of several runs and noisy; compare ratios from the same run. CPU = user + system "
      "seconds (mean).\n")

    def table(rows, corpus, ref_cat, ref_bindscan, findings=None):
        files, size, _ = corpus
        p("| command | median wall s | min–max s | CPU s | peak RSS MB | files/s | MB/s | × cat | × bindscan |"
          + (" findings |" if findings else ""))
        p("|---|---|---|---|---|---|---|---|---|" + ("---|" if findings else ""))
        for name, r in rows:
            if r is None:
                continue
            t = secs(r)
            ratio_cat = t / secs(ref_cat) if ref_cat else None
            ratio_b = t / secs(ref_bindscan) if ref_bindscan else None
            f = f" {findings.get(name, '')} |" if findings else ""
            p(f"| {name} | {fmt(t)} | {fmt(r['min'])}–{fmt(r['max'])} | {fmt(cpu(r))} | "
              f"{fmt(memory.get(name), 0)} | {fmt(files / t, 0)} | {fmt(size / MB / t, 1)} | "
              f"{fmt(ratio_cat)} | {fmt(ratio_b)} |{f}")
        p("")

    # Detection counts.
    bindscan_lines = [l for l in lines(out, "bindscan.txt") or [] if ": bind-all-interfaces " in l]
    ruff_lines = [l for l in lines(out, "ruff.txt") or [] if " S104 " in l]
    grep_files = lines(out, "grep.txt") or []
    found = {"bindscan": len(bindscan_lines), "ruff S104": len(ruff_lines),
             "grep -rl": f"{len(grep_files)} files match"}

    p(f"### Whole corpus: {stdlib_path}\n")
    p(f"{stdlib_files:,} `.py` files, {stdlib_bytes / MB:.1f} MB. Default settings (prefilter on, all cores).\n")
    table([(n, runs.get(n)) for n in ("cat", "grep -rl", "bindscan", "tree-sitter floor", "ruff S104")],
          corpora["stdlib"], runs.get("cat"), runs.get("bindscan"), found)
    if runs.get("tree-sitter floor"):
        p("The tree-sitter floor (`bench/parse_floor`) reads every file and parses, with tree-sitter alone, the "
          "files bindscan parses here (those its prefilter passes, and those the value flow loads), on all cores: "
          "no scanner built on Debian's tree-sitter can be faster on this corpus without parsing less.\n")

    debian = {**load(out, "debian"), **load(out, "debian-bandit")}
    if "debian" in corpora and debian:
        bandit = json.load(open(os.path.join(out, "bandit.json"))) if os.path.exists(
            os.path.join(out, "bandit.json")) else {"results": [], "errors": []}
        dfound = {
            "cat": "",
            "bindscan": sum(": bind-all-interfaces " in l for l in lines(out, "bindscan-debian.txt") or []),
            "bandit B104": len([r for r in bandit["results"] if r.get("test_id") == "B104"]),
        }
        files, size, path = corpora["debian"]
        p(f"### Debian's library: {path}\n")
        p(f"{files:,} `.py` files, {size / MB:.1f} MB (bandit is too slow for the whole corpus). ruff S104 reports "
          f"{sum(' S104 ' in l for l in lines(out, 'ruff-debian.txt') or [])} here (not timed).\n")
        table([(n, debian.get(n)) for n in ("cat", "bindscan", "bandit B104")], corpora["debian"],
              debian.get("cat"), debian.get("bindscan"), dfound)

    p("### Parsing speed, prefilter off\n")
    ps = result_line(out, "parse_speed.txt")
    nopf = load(out, "noprefilter").get("bindscan, prefilter off")
    if ps:
        p(f"`bench/parse_speed` on every {int(round(stdlib_files / ps['files']))}th stdlib file "
          f"({int(ps['files'])} files, {ps['mb']:.1f} MB), one thread, CPU time, median of 3 interleaved rounds:\n")
        p("| stage | MB/s per core | cost over the bare parse |")
        p("|---|---|---|")
        for key, what in (("bare", "tree-sitter parse alone (`ts_parser_parse_string`)"),
                          ("index", "parse + Module index walk"),
                          ("scan", "`Scanner::scan`: parse + index + rule + suppressions"),
                          ("filter", "`Scanner::scan` with the prefilter (default)")):
            if f"{key}_mbps" in ps:
                p(f"| {what} | {fmt(ps[key + '_mbps'], 1)} | {(ps['bare_s'] and ps[key + '_s'] / ps['bare_s'] - 1) * 100:+.0f}% |")
        p("")
    if nopf:
        p(f"Through the CLI, `BINDSCAN_NO_PREFILTER=1 bindscan scan` on the whole corpus: median wall "
          f"{fmt(secs(nopf))} s ({fmt(stdlib_bytes / MB / secs(nopf), 1)} MB/s on {os.cpu_count()} cores), "
          f"CPU {fmt(cpu(nopf))} s = {fmt(stdlib_bytes / MB / cpu(nopf), 1)} MB/s per core, peak RSS "
          f"{fmt(memory.get('bindscan, prefilter off'), 0)} MB, "
          f"{sum(': bind-all-interfaces ' in l for l in lines(out, 'bindscan-noprefilter.txt') or [])} finding(s) "
          f"(with the prefilter: {len(bindscan_lines)}).\n")

    p("### Scale\n")
    lin = load(out, "linear")
    if lin:
        p("| copies | MB | bindscan median s | s per 1x | cat median s | bindscan × cat | bindscan MB/s |")
        p("|---|---|---|---|---|---|---|")
        base = secs(lin["bindscan 1x"])
        for n in (1, 2, 4):
            b, c = lin[f"bindscan {n}x"], lin[f"cat {n}x"]
            size = corpora[f"linear{n}x"][1]
            p(f"| {n}x | {size / MB:.0f} | {fmt(secs(b))} | {fmt(secs(b) / n)} ({secs(b) / n / base:.2f} of 1x) | "
              f"{fmt(secs(c))} | {fmt(secs(b) / secs(c))} | {fmt(size / MB / secs(b), 1)} |")
        p("")
    big = load(out, "big").get("bindscan, 50 MB file")
    pb = result_line(out, "parse_speed_big.txt")
    if big:
        size = corpora["big"][1]
        line = (f"One {size / MB:.1f} MB Python file (`bench/make_big_file.py`: stdlib modules concatenated): "
                f"`bindscan scan` median wall {fmt(secs(big))} s, CPU {fmt(cpu(big))} s = "
                f"{fmt(size / MB / cpu(big), 1)} MB/s per core, peak RSS {fmt(memory.get('bindscan, 50 MB file'), 0)} MB")
        if pb:
            line += (f"; parse_speed: bare parse {fmt(pb['bare_mbps'], 1)} MB/s, scan {fmt(pb['scan_mbps'], 1)} MB/s "
                     f"per core")
        if ps:
            line += f" (stdlib files: {fmt(ps['bare_mbps'], 1)} and {fmt(ps['scan_mbps'], 1)})"
        p(line + ".\n")

    # The reviewed list.
    status = 0
    reviewed = set(re.findall(r"`([^`\s]+\.py:\d+:\d+)`", open(findings_md).read()))
    seen = set()
    for l in bindscan_lines:
        m = re.match(r"(.+?\.py):(\d+):(\d+): ", l)
        if m:
            seen.add(f"{os.path.relpath(m.group(1), stdlib_path)}:{m.group(2)}:{m.group(3)}")
    p("### Detection\n")
    p(f"bindscan: {len(bindscan_lines)} finding(s) on the whole corpus; ruff S104: {len(ruff_lines)}; "
      f"bandit B104 (Debian's library only): see above.")
    if seen == reviewed:
        p(f"bindscan's findings match the {len(reviewed)} reviewed in bench/stdlib-findings.md.\n")
    else:
        status = 1
        p("**bindscan's findings differ from bench/stdlib-findings.md**: new "
          f"{sorted(seen - reviewed)}, gone {sorted(reviewed - seen)}. Review them and update the list.\n")
    if ruff_lines:
        where = {}
        for l in ruff_lines:
            top = os.path.relpath(l.split(":")[0], stdlib_path).split(os.sep)[0]
            key = top if top in ("test", "site-packages") else "the rest of the stdlib"
            where[key] = where.get(key, 0) + 1
        p("ruff S104 reports every string literal `\"0.0.0.0\"` (or `\"::\"`) wherever it appears, bound or not "
          "(address constants, parsers, test data): " + ", ".join(f"{n} in {k}" for k, n in sorted(where.items()))
          + f". The full list: `{os.path.join(out, 'ruff.txt')}`.\n")
    # Targets from issue 5, as ratios of this run.
    p("### Targets\n")
    p("| target | measured | met |")
    p("|---|---|---|")

    def row(target, value, ok):
        p(f"| {target} | {value} | {'yes' if ok else 'no'} |")

    b, c, r = runs.get("bindscan"), runs.get("cat"), runs.get("ruff S104")
    if b and c:
        floor = runs.get("tree-sitter floor")
        row("bindscan wall ≤ 1.0× `cat`", f"{secs(b) / secs(c):.2f}× (`grep -rl`: {secs(b) / secs(runs['grep -rl']):.2f}×"
            + (f"; the tree-sitter floor: {secs(floor) / secs(c):.2f}×" if floor else "") + ")",
            secs(b) <= secs(c))
    if b and r:
        row("≥ 15× faster than ruff S104", f"{secs(r) / secs(b):.1f}× wall, {cpu(r) / cpu(b):.1f}× CPU",
            secs(r) / secs(b) >= 15)
    db, dbb = debian.get("bindscan"), debian.get("bandit B104")
    if db and dbb:
        row("≥ 300× faster than bandit B104 (Debian's library)",
            f"{secs(dbb) / secs(db):.0f}× wall, {cpu(dbb) / cpu(db):.0f}× CPU", secs(dbb) / secs(db) >= 300)
    if memory.get("bindscan") is not None:
        row("peak memory ≤ 64 MB (whole corpus)", f"{memory['bindscan']:.0f} MB (prefilter off: "
            f"{fmt(memory.get('bindscan, prefilter off'), 0)} MB; 50 MB file: {fmt(memory.get('bindscan, 50 MB file'), 0)} MB)",
            memory["bindscan"] <= 64)
    if ps:
        over = ps["scan_s"] / ps["bare_s"] - 1
        row("rule + walk ≤ 25% over the bare parse", f"{over * 100:+.0f}% ({fmt(ps['scan_mbps'], 1)} vs "
            f"{fmt(ps['bare_mbps'], 1)} MB/s per core)", over <= 0.25)
    if lin:
        ratios = [secs(lin[f"bindscan {n}x"]) / secs(lin[f"cat {n}x"]) for n in (1, 2, 4)]
        per = secs(lin["bindscan 4x"]) / 4 / secs(lin["bindscan 1x"])
        row("linear in corpus size (1×, 2×, 4×)", f"4x costs {per:.2f}× per copy of 1x; bindscan/cat stays "
            f"{min(ratios):.2f}–{max(ratios):.2f}", per <= 1.25 or max(ratios) / min(ratios) <= 1.25)
    if big and ps:
        mbps = corpora["big"][1] / MB / cpu(big)
        row("a 50 MB file scans at the same MB/s", f"{mbps:.1f} MB/s per core (CLI) vs {ps['scan_mbps']:.1f} "
            f"(stdlib files, parse_speed)" + (f"; parse_speed on it: {pb['scan_mbps']:.1f}" if pb else ""),
            (pb["scan_mbps"] if pb else mbps) >= 0.75 * ps["scan_mbps"])
    p("| service: webhook p99 ≤ 10 ms under 200 signed deliveries; one-file push job ≤ 10% of the first; "
      "no memory growth after 1,000 jobs | measured by the service engineers (see the service benchmark) | — |")
    p("")
    print("\n".join(report))
    return status


if __name__ == "__main__":
    sys.exit(main())
