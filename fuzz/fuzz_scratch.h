/* SPDX-License-Identifier: MIT */
/*
 * The fuzzers' scratch: one private directory under /tmp per fuzzing
 * process and one path inside it (a file or an empty directory the
 * fuzzed code may create), both removed at exit.
 */
#ifndef IOBENCH_FUZZ_SCRATCH_H
#define IOBENCH_FUZZ_SCRATCH_H

/* Makes the directory and returns "DIR/leaf"; aborts on failure (a
 * fuzzer that cannot start has nothing to report). */
const char *fuzz_scratch_path(const char *leaf);
/* The directory (after fuzz_scratch_path). */
const char *fuzz_scratch_dir(void);

#endif
