/* SPDX-License-Identifier: MIT */
/* Environment probe: what machine, kernel, filesystem and device a run
 * measured.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_ENV_H
#define IOBENCH_ENV_H

#include <stdbool.h>

#include "results.h"

/* Fills env for files under `dir`; unknown fields become "unknown"/0/-1.
 * Strings are malloc'd (freed by results_free). 0 or -ENOMEM. */
int env_probe(const char *dir, struct environment *env);
/* sweep --src-dir: the filesystem and mount source of dir, the sources'
 * directory, into env->src_fs_type and src_device ("unknown" when not
 * found). 0 or -ENOMEM. */
int env_probe_src_dir(const char *dir, struct environment *env);
/* "performance", "powersave", ... of cpu0, or "unknown" (static). */
const char *env_governor(void);
/* True when dir is on ext4 mounted without a journal (no
 * /proc/fs/jbd2/<dev>-8): there new inodes skip those deleted in the last
 * 1-6 minutes, which slows creating small files after many deletions. */
bool env_ext4_without_journal(const char *dir);

#endif
