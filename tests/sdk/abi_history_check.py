#!/usr/bin/env python3
"""abi_history_check.py: sdk/ABI-HISTORY must list every name of the plugin
ABI (struct fields, host table entries, HPOLAB_* macros) and list the fields
of each struct in their layout order; every name it lists must still exist.

    abi_history_check.py <sdk dir>
Exit 1 with one line per problem."""
import os
import re
import sys

sdk = sys.argv[1]
inc = os.path.join(sdk, "include", "hpolab")
word = re.compile(r"\w+")

fields = {}   # struct -> [field, ...] in layout order
macros = set()
text = ""
# reporter.h is for training scripts, not plugins: it is not part of the ABI.
NOT_ABI = {"reporter.h"}
for h in sorted(os.listdir(inc)):
    if h in NOT_ABI:
        continue
    src = open(os.path.join(inc, h)).read()
    text += src
    src = re.sub(r"/\*.*?\*/", "", src, flags=re.S)
    for m in re.finditer(r"struct (hpolab_\w+) \{(.*?)\n\};", src, re.S):
        names = []
        for decl in m.group(2).split(";"):
            decl = " ".join(decl.split())
            if not decl:
                continue
            fp = re.search(r"\(\s*(?:HPOLAB_ABI\s*)?\*\s*(\w+)\s*\)", decl)
            if fp:
                names.append(fp.group(1))
            else:
                names.extend(word.findall(x)[-1] for x in decl.split(","))
        fields[m.group(1)] = names
    for m in re.finditer(r"#define (HPOLAB_\w+)", src):
        if not m.group(1).endswith("_H"):
            macros.add(m.group(1))

listed = []
for line in open(os.path.join(sdk, "ABI-HISTORY")):
    line = line.split("#", 1)[0].split()
    if line:
        listed.append(line)

problems = []
order = {}
for cols in listed:
    name = cols[0]
    removed = len(cols) >= 4
    if "." in name:
        struct, field = name.split(".", 1)
        order.setdefault(struct, []).append(field)
        if not removed and field not in fields.get(struct, []):
            problems.append("ABI-HISTORY lists %s, not in the headers" % name)
    elif not removed and not re.search(r"\b%s\b" % re.escape(name), text):
        problems.append("ABI-HISTORY lists %s, not in the headers" % name)
    if len(cols) < 2 or not re.fullmatch(r"\d+\.\d+", cols[1]):
        problems.append("ABI-HISTORY: %s has no introducing version" % name)
names = {c[0] for c in listed}
for struct, fl in fields.items():
    for f in fl:
        if "%s.%s" % (struct, f) not in names:
            problems.append("%s.%s is missing from ABI-HISTORY" % (struct, f))
    if [f for f in order.get(struct, []) if f in fl] != fl:
        problems.append("ABI-HISTORY lists the fields of %s in another order "
                        "than the header (a reorder breaks the ABI)" % struct)
for m in sorted(macros - names):
    problems.append("%s is missing from ABI-HISTORY" % m)
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
