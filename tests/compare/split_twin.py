#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Splits a results.json measured with IOBENCH_TWIN=NAME into two runs:
# BASE holds NAME's cells, NEW the twin's renamed to NAME, so `iobench
# compare BASE NEW` judges two sides measured interleaved, round by round.
# usage: split_twin.py RESULTS.json NAME BASE.json NEW.json
import json
import sys

src, name, base, new = sys.argv[1:5]
with open(src) as f:
    run = json.load(f)
for out, strategy in ((base, name), (new, name + "-twin")):
    side = dict(run)
    side["cells"] = []
    for c in run["cells"]:
        if c["parameters"]["strategy"] == strategy:
            c = json.loads(json.dumps(c))
            c["parameters"]["strategy"] = name
            side["cells"].append(c)
    if not side["cells"]:
        sys.exit("no %s cells in %s" % (strategy, src))
    side["request"] = dict(run["request"], strategies=[name])
    with open(out, "w") as f:
        json.dump(side, f)
