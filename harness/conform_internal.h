/* SPDX-License-Identifier: MIT */
/*
 * Inside the conformance matrix (conform.h): the state of a group's
 * child, the case bookkeeping it streams to the parent (conform.c), and
 * the groups of cases (conform_cases.c). Not for use outside conform*.c.
 */
#ifndef IOBENCH_CONFORM_INTERNAL_H
#define IOBENCH_CONFORM_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "conform.h"

#define KiB 1024ull
#define MiB (1024 * KiB)
#define ALIGN 4096ull /* enough for any COPY_RANGES_ALIGNED strategy */
#define MAX_FILE (8 * MiB + 1)
#define POOL_SLACK 4093	   /* prime: each size cuts the pool elsewhere */
#define SCRATCH (16 * MiB) /* read-back and expected-content buffers */
#define RANGE_SRC (1 * MiB + 13)
#define PREFILL (2 * MiB + 7) /* an existing destination's length */
#define ENOSPC_SRC (4 * MiB)  /* copied onto a tmpfs with 1 MiB free */
#define MAX_VARIANTS 16
#define DEFAULT_TIMEOUT 600

struct conform {
	const struct copy_strategy *s;
	char dir[PATH_MAX];
	void *variants[MAX_VARIANTS]; /* option structs */
	size_t nvariants;
	const char *no_direct; /* why the O_DIRECT variants are left out */
	unsigned char *pool;   /* random bytes every source is cut from */
	unsigned char *back;   /* a destination read back */
	unsigned char *expect; /* what a destination should hold */
	struct conform_case c; /* the case running */
	int out;	       /* the child's end of the pipe */
};

/* What a child sends: a case starts, or a case is done. */
struct record {
	enum { RECORD_START, RECORD_DONE } kind;
	struct conform_case c;
};

_Static_assert(sizeof(struct record) <= PIPE_BUF, "records are atomic");

/* ---- a case (conform.c) ---- */

__attribute__((format(printf, 3, 4))) void
conform_case_begin(struct conform *cf, const char *group, const char *fmt, ...);

void conform_case_end(struct conform *cf);

__attribute__((format(printf, 3, 4))) void
conform_case_note(struct conform *cf, enum conform_status st, const char *fmt,
		  ...);

/* One failed check of the running case; the first one is its detail. */
__attribute__((format(printf, 3, 4))) void
conform_failf(struct conform *cf, const void *opts, const char *fmt, ...);

void conform_path_in(const struct conform *cf, char *out, size_t len,
		     const char *name);

/* The content of the source file of `size` bytes. */
const unsigned char *conform_content(const struct conform *cf, uint64_t size);

/* Path of the source of `size` bytes, created on first use. */
int conform_source_for(const struct conform *cf, uint64_t size, char *path,
		       size_t len);

/* Copies r from src_path into dst_path (opened with dst_flags) once; a
 * failed close of dst (a lost write) is an error too. */
int conform_copy_paths(const struct conform *cf, const void *opts,
		       const char *src_path, const char *dst_path,
		       int dst_flags, const struct copy_range *r);

/* path must hold exactly `size` bytes equal to want. */
bool conform_check_file(struct conform *cf, const void *opts, const char *path,
			const unsigned char *want, uint64_t size);

/* A whole-file copy as the harness does it: dst created and truncated. */
void conform_copy_whole(struct conform *cf, const void *opts, const char *src,
			const unsigned char *want, uint64_t size);

/* The size option the matrix varies: "buffer", else the first size a
 * strategy declares (a plugin's "chunk"), else none. */
const struct copy_option *conform_size_option(const struct copy_strategy *s);

/* ---- the groups (conform_cases.c), each run in a child of its own ---- */

void conform_group_whole(struct conform *cf);
void conform_group_ranges(struct conform *cf);
void conform_group_split(struct conform *cf);
void conform_group_sparse(struct conform *cf);
void conform_group_longer(struct conform *cf);
void conform_group_enospc(struct conform *cf);

#endif
