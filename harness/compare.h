/* SPDX-License-Identifier: MIT */
/*
 * Comparison of two runs (baseline vs new): cells matched by their full
 * parameter key, Mann-Whitney U on per-copy times, bootstrap CI of the
 * change of the median, and a verdict per cell.
 */
#ifndef IOBENCH_COMPARE_H
#define IOBENCH_COMPARE_H

#include "results.h"

#endif
