/* SPDX-License-Identifier: MIT */
/*
 * The plugin skeleton `iobench new-strategy` writes (bench/skeleton/ (the .in files),
 * built into the binary): each text has @NAME@ where the name goes.
 */
#ifndef IOBENCH_SKELETON_H
#define IOBENCH_SKELETON_H

extern const char skeleton_strategy_c[];
extern const char skeleton_meson_build[];
extern const char skeleton_readme_md[];

#endif
