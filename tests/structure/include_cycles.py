#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""
The include structure of the sources: no include cycle between modules and
no include against the layer order.

A module is x.c with its x.h, in one directory. x_internal.h (private to
the module's .c files) and every x_*.c without an x_*.h of its own belong
to module x too (where there is an x.h or an x.c) (conform.c, conform_cases.c, conform_internal.h are one
module; env_load.c with env_load.h is a module of its own). The longest
such prefix wins. Module A depends on module B when a file of A has
`#include "b.h"`; the graph must have no cycle.

Layers, lowest first; a file may include headers of its own layer and
of lower ones, never of a higher one:

    lib         lib/ (clock, fmt, lists, atomic writes, error funnel)
    strategies  copy_strategies/ and its public copy_strategies/include/
    datasets    datasets/ (generators and dataset specs)
    model       harness: the run's types and their plain helpers (cell,
                results, env types, histogram, statistics)
    run         harness: plan, run, probes, measurements and analysis
    output      harness: report, plots, JSON, CSV, compare (which renders
                too; what the analysis reads of a comparison is in
                compare_types.h, a run-layer header)
    pipeline    harness: request -> plan -> run -> analysis -> outputs
    bench       bench/ (the command)

The model holds parts that modules above it build (the scanned source
tree, the dataset, per-cell I/O, the device measurement) by pointer, with
the function that frees them beside it (results.h).

Within harness/ each module's layer is in HARNESS_LAYERS below (also in
README.md, "Layout"); a harness module missing from it is an error, so a
new module is placed on purpose, and every harness header but the
x_internal.h ones says its layer in its top comment ("Layer: run; ...");
README.md's table (### Layers), when there is a README.md, agrees.

Usage: include_cycles.py [ROOT]   (exit 0 clean, 1 a cycle or a violation)
"""
import os
import re
import sys

LAYERS = ['lib', 'strategies', 'datasets', 'model', 'run', 'output',
          'pipeline', 'bench']
DIR_LAYERS = {
    'lib': 'lib',
    'copy_strategies': 'strategies',
    'datasets': 'datasets',
    'bench': 'bench',
}
# harness module -> layer (a module is named by its x.h / x.c)
HARNESS_LAYERS = {
    # the run's types and their plain helpers
    'model': '''
        cell env_types histogram json_num results sample_metric stats
    ''',
    # plan, run, probes, measurements, statistics of a run, analysis
    'run': '''
        analysis cache calibration cell_io clients cluster compare_types
        conform copy_unit device diskstats env env_load env_noise env_storage
        env_sys estimate flame gitbuild io_latency job_control
        lockstep machine_limits memcount memprofile passes profile ranks
        reference
        request runner runner_policy sample_files scratch signals
        source_tree targets threads topology tree_copy workload cell_kind
    ''',
    # what renders a run or a comparison: report, plots, JSON, CSV
    'output': '''
        cell_io_report clients_json compare compare_table csv json_rd
        json_read json_samples json_write outputs plots report
        report_clients report_memory targets_json threads_json
        workload_report
    ''',
    # request -> plan -> run -> analysis -> outputs, for the verbs
    'pipeline': '''
        pipeline
    ''',
}
# directories scanned, and where #include "x" looks after the
# includer's own directory (the meson include_directories)
SOURCE_DIRS = ['lib', 'copy_strategies', 'datasets', 'harness', 'bench']
INCLUDE_ROOTS = ['lib', 'copy_strategies', 'copy_strategies/include',
                 'datasets', 'harness', 'bench', 'bench/skeleton']
# headers the build generates (not in the source tree)
GENERATED = {'config.h'}

README_ROW_RE = re.compile(r'^\| (\w+) \|[^|\n]*\| harness: ([^|\n]*) \|$',
                           re.M)
LAYER_LINE_RE = re.compile(r'Layer: (\w+)')
INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def harness_layer_table():
    table = {}
    for layer, names in HARNESS_LAYERS.items():
        for name in names.split():
            if name in table:
                sys.exit(f'include_cycles: harness module {name} is in '
                         f'two layers')
            table[name] = layer
    return table


def source_files(root):
    out = []
    for d in SOURCE_DIRS:
        for dirpath, dirnames, files in os.walk(os.path.join(root, d)):
            dirnames.sort()
            for f in sorted(files):
                if f.endswith(('.c', '.h', '.def')):
                    rel = os.path.relpath(os.path.join(dirpath, f), root)
                    out.append(rel)
    return out


def module_of(rel, files):
    """dir/x for the file's module (see the top comment)."""
    d, f = os.path.split(rel)
    stem = f.rsplit('.', 1)[0]
    if stem.endswith('_internal'):
        stem = stem[:-len('_internal')]
    parts = stem.split('_')
    for n in range(len(parts), 0, -1):
        p = os.path.join(d, '_'.join(parts[:n]))
        # x_y.c is its own module when it has x_y.h; else x's, when
        # there is an x.h or an x.c
        if p + '.h' in files or (n < len(parts) and p + '.c' in files):
            return p
    return os.path.join(d, stem)


def resolve(root, includer, name, files):
    here = os.path.normpath(os.path.join(os.path.dirname(includer), name))
    if here in files:
        return here
    found = [os.path.normpath(os.path.join(r, name)) for r in INCLUDE_ROOTS]
    found = [p for p in found if p in files]
    if len(found) > 1:
        return ('ambiguous', found)
    return found[0] if found else None


def layer_of(module, table):
    top = module.split('/', 1)[0]
    if top == 'harness':
        return table.get(module.split('/', 1)[1])
    return DIR_LAYERS[top]


def cycles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


def shortest_cycle(graph, comp):
    """One shortest cycle through the component's first module."""
    start = comp[0]
    members = set(comp)
    prev = {start: None}
    queue = [start]
    for v in queue:
        for w in sorted(graph[v] & members):
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return list(reversed(path)) + [start]
            if w not in prev:
                prev[w] = v
                queue.append(w)
    return [start]


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
    files = set(source_files(root))
    table = harness_layer_table()
    graph = {}
    why = {}        # (a, b) -> files of a including b
    problems = 0

    for rel in sorted(files):
        mod = module_of(rel, files)
        graph.setdefault(mod, set())
        with open(os.path.join(root, rel), encoding='utf-8',
                  errors='replace') as fh:
            text = fh.read()
        for name in INCLUDE_RE.findall(text):
            if name in GENERATED:
                continue
            target = resolve(root, rel, name, files)
            if target is None:
                print(f'{rel}: #include "{name}": not found under '
                      f'{", ".join(INCLUDE_ROOTS)}')
                problems += 1
                continue
            if isinstance(target, tuple):
                print(f'{rel}: #include "{name}": ambiguous, '
                      f'{" and ".join(target[1])}')
                problems += 1
                continue
            dep = module_of(target, files)
            if dep == mod:
                continue
            graph[mod].add(dep)
            graph.setdefault(dep, set())
            why.setdefault((mod, dep), []).append(f'{rel} -> {target}')

    unplaced = sorted(m for m in graph if m.startswith('harness/')
                      and layer_of(m, table) is None)
    for m in unplaced:
        print(f'{m}: no layer: add it to HARNESS_LAYERS in '
              f'tests/structure/include_cycles.py (and README.md)')
        problems += 1
    stale = sorted(n for n in table if 'harness/' + n not in graph)
    for n in stale:
        print(f'harness/{n}: in HARNESS_LAYERS but no such module')
        problems += 1

    # each public harness header states its layer in its top comment
    misstated = 0
    for rel in sorted(f for f in files if f.startswith('harness/')
                      and f.endswith('.h') and '/' not in f[8:]
                      and not f.endswith('_internal.h')):
        want = layer_of(module_of(rel, files), table)
        with open(os.path.join(root, rel), encoding='utf-8',
                  errors='replace') as fh:
            top = fh.read().split('#ifndef', 1)[0]
        said = LAYER_LINE_RE.search(top)
        if want and (not said or said.group(1) != want):
            print(f'{rel}: its top comment should say "Layer: {want}; '
                  f'..." (it says {said.group(0) if said else "nothing"})')
            misstated += 1
    problems += misstated

    # README.md's table of layers says the same
    readme = os.path.join(root, 'README.md')
    undocumented = 0
    if os.path.exists(readme):
        with open(readme, encoding='utf-8') as fh:
            rows = README_ROW_RE.findall(fh.read())
        documented = {name.strip(): layer for layer, names in rows
                      for name in names.split(',')}
        for name in sorted(set(table) | set(documented)):
            if documented.get(name) != table.get(name):
                print(f'README.md, Layers: harness module {name} is in '
                      f'layer {documented.get(name)} there, '
                      f'{table.get(name)} here')
                undocumented += 1
    problems += undocumented

    comps = cycles(graph)
    for comp in comps:
        loop = shortest_cycle(graph, comp)
        print(f'cycle of {len(comp)} modules: {" ".join(comp)}')
        print(f'  e.g. {" -> ".join(loop)}')
        members = set(comp)
        for a in comp:
            for b in sorted(graph[a] & members):
                for w in why[(a, b)]:
                    print(f'  {a} -> {b}: {w}')
    problems += len(comps)

    rank = {name: i for i, name in enumerate(LAYERS)}
    violations = 0
    for (a, b), whys in sorted(why.items()):
        la, lb = layer_of(a, table), layer_of(b, table)
        if la is None or lb is None or rank[lb] <= rank[la]:
            continue
        for w in whys:
            print(f'layer: {w}: {la} includes {lb}')
            violations += 1
    problems += violations

    print(f'{len(graph)} modules, {sum(len(s) for s in graph.values())} '
          f'dependencies, {len(comps)} cycles, {violations} layer '
          f'violations, {len(unplaced)} harness modules without a layer, '
          f'{misstated} headers not stating their layer')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
