#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""
include_cycles.py itself, on small trees made here: a clean tree passes;
a cycle, an include against the layers, a harness module without a layer
each fail with their line; x_internal.h and x_*.c count as module x; each
harness header must say its own layer.
"""
import contextlib
import importlib.util
import io
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    'include_cycles', os.path.join(HERE, 'include_cycles.py'))
checker = importlib.util.module_from_spec(spec)
spec.loader.exec_module(checker)

failures = 0


def tree(files):
    """A temporary tree: every harness module of the table as a header
    saying its layer, lib/fmt.h, and `files` ({path: text})."""
    root = tempfile.mkdtemp(prefix='include-cycles-')
    table = checker.harness_layer_table()
    base = {f'harness/{m}.h': '' for m in table}
    base['lib/fmt.h'] = ''
    base.update(files)
    for path, text in base.items():
        name = path[len('harness/'):-len('.h')]
        if path.endswith('.h') and name in table and 'Layer:' not in text:
            text = f'/*\n * Layer: {table[name]}; ...\n */\n' + text
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, 'w') as fh:
            fh.write(text)
    return root


def run(root):
    out = io.StringIO()
    saved = sys.argv
    sys.argv = ['include_cycles.py', root]
    try:
        with contextlib.redirect_stdout(out):
            code = checker.main()
    finally:
        sys.argv = saved
    return code, out.getvalue()


def check(name, files, want_code, want_lines, unwanted=()):
    global failures
    root = tree(files)
    try:
        code, out = run(root)
    finally:
        shutil.rmtree(root)
    missing = [w for w in want_lines if w not in out]
    missing += [f'no {u!r}' for u in unwanted if u in out]
    if code != want_code or missing:
        failures += 1
        print(f'FAIL {name}: exit {code} (want {want_code}); missing '
              f'{missing}\n{out}')
    else:
        print(f'ok   {name}')


check('clean tree passes', {
    'harness/cell.c': '#include "cell.h"\n#include "fmt.h"\n',
    'harness/report.c': '#include "report.h"\n#include "results.h"\n',
}, 0, ['0 cycles, 0 layer violations'])

check('a cycle fails, with its edges', {
    'lib/a.h': '#include "b.h"\n',
    'lib/b.c': '#include "b.h"\n#include "a.h"\n',
    'lib/b.h': '',
}, 1, ['cycle of 2 modules: lib/a lib/b',
       'lib/a -> lib/b: lib/a.h -> lib/b.h',
       'lib/b -> lib/a: lib/b.c -> lib/a.h'])

check('a cycle through a .c file fails', {
    'harness/results.c': '#include "results.h"\n#include "runner.h"\n',
    'harness/runner.h': '#include "results.h"\n',
}, 1, ['cycle of 2 modules: harness/results harness/runner',
       'layer: harness/results.c -> harness/runner.h: model includes run'])

check('a lower layer including a higher one fails', {
    'harness/results.h': '#include "report.h"\n',
}, 1, ['layer: harness/results.h -> harness/report.h: model includes output',
       '0 cycles, 1 layer violations'])

check('lib including the harness fails', {
    'lib/fmt.c': '#include "fmt.h"\n#include "results.h"\n',
}, 1, ['layer: lib/fmt.c -> harness/results.h: lib includes model'])

check('a harness module without a layer fails', {
    'harness/novel.c': '#include "results.h"\n',
}, 1, ['harness/novel: no layer'])

check('x_internal.h and x_*.c are module x', {
    'harness/runner_internal.h': '#include "runner.h"\n',
    'harness/runner.c': '#include "runner_internal.h"\n',
    'harness/runner_child.c': '#include "runner_internal.h"\n'
                              '#include "runner.h"\n',
}, 0, ['0 cycles'])

check('x_*.c belongs to x.c when there is no x.h', {
    'harness/json.c': '#include "results.h"\n',
    'harness/json_write.c': '#include "pipeline.h"\n',
}, 1, ['layer: harness/json_write.c -> harness/pipeline.h: output includes '
       'pipeline'], unwanted=['harness/json_write: no layer'])

check('an x_y.c with its own x_y.h is a module of its own', {
    'harness/env_load.c': '#include "env_load.h"\n#include "env.h"\n',
    'harness/env.c': '#include "env.h"\n#include "env_load.h"\n',
}, 1, ['cycle of 2 modules: harness/env harness/env_load'])

check('a header stating another layer fails', {
    'harness/results.h': '/*\n * Layer: output; ...\n */\n',
}, 1, ['harness/results.h: its top comment should say "Layer: model; ..."'])

check("README.md's table of layers must agree", {
    'README.md': '| run | x | harness: results |\n',
}, 1, ['README.md, Layers: harness module results is in layer run there, '
       'model here'])

check('an unknown include fails', {
    'harness/cell.c': '#include "nosuch.h"\n',
}, 1, ['harness/cell.c: #include "nosuch.h": not found'])

print('FAIL' if failures else 'PASS')
sys.exit(1 if failures else 0)
