/* SPDX-License-Identifier: MIT */
/*
 * The build's identity: the release version and the exact commit the
 * binary was built from, stamped at build time (not configure time), with
 * "-dirty" when the working tree had uncommitted changes.
 */
#ifndef IOBENCH_VERSION_H
#define IOBENCH_VERSION_H

/* "0.1.0" */
extern const char iobench_version[];
/* "b3858ae1c2d4", "b3858ae1c2d4-dirty", or "unknown" outside git */
extern const char iobench_commit[];

#define IOBENCH_VERSION iobench_version
#define IOBENCH_COMMIT iobench_commit

#endif
