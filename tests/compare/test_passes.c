// SPDX-License-Identifier: MIT
/*
 * compare REF's passes in memory: the A B B A order, merging passes
 * whose cells chose different batches (files per sample) at the same
 * cost per file, and two processes taking turns (lockstep.h).
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "lockstep.h"
#include "passes.h"

static void abba_order(void **state)
{
	static const unsigned want[] = { 0, 1, 1, 0, 0, 1, 1, 0 };

	(void)state;
	for (unsigned k = 0; k < 8; k++)
		assert_int_equal(passes_abba(k), want[k]);
}

/* A pass of one rw cell: per-copy times t, `batch` files per sample,
 * each sample with 3 allocations and 4 source pages per file. */
static void pass_of(struct run *r, const double *t, size_t n,
		    unsigned batch)
{
	struct cell *c;

	fixture_run(r, "pass");
	c = fixture_add_cell(r, "rw", 1 << 20, 1 << 17, t, n, 1);
	for (size_t i = 0; i < c->n_samples; i++) {
		c->samples[i].seconds = t[i] * batch;
		c->samples[i].cpu_sys = t[i] * batch / 2;
		c->samples[i].src_pages = 4 * batch;
		c->samples[i].mem.heap_known = true;
		c->samples[i].mem.allocs = 3 * batch;
		c->samples[i].mem.heap_peak = 4096;
	}
	c->batch = batch;
}

static void merge_rebatches(void **state)
{
	static const double a[] = { 1e-3, 1.1e-3, 0.9e-3 };
	static const double b[] = { 2e-3, 2.2e-3, 1.8e-3 };
	struct run side = { 0 }, p1, p2;
	const struct cell *c;
	double *x;

	(void)state;
	pass_of(&p1, a, 3, 22);
	pass_of(&p2, b, 3, 6);
	assert_int_equal(passes_merge(&side, &p1, 0), 0);
	assert_int_equal(passes_merge(&side, &p2, 1), 0);
	assert_int_equal(side.n_cells, 1);
	c = &side.cells[0];
	assert_int_equal(c->n_samples, 6);
	assert_int_equal(c->batch, 22);
	x = results_per_copy(c);
	assert_non_null(x);
	for (size_t i = 0; i < 3; i++) {
		/* per file, as each pass measured it */
		assert_true(fabs(x[i] - a[i]) < 1e-12);
		assert_true(fabs(x[3 + i] - b[i]) < 1e-12);
		assert_int_equal(c->samples[3 + i].run, 1);
		assert_true(fabs(c->samples[3 + i].cpu_sys - b[i] * 11) <
			    1e-12);
		assert_int_equal(c->samples[3 + i].src_pages, 4 * 22);
		assert_int_equal(c->samples[3 + i].mem.allocs, 3 * 22);
		/* a peak is no sum: it stays */
		assert_int_equal(c->samples[3 + i].mem.heap_peak, 4096);
	}
	free(x);
	results_free(&side);
	results_free(&p1);
	results_free(&p2);
}

/* A child taking `turns` turns on sock, writing its letter into rec in
 * each (the other three socket ends closed); it exits 0, or 1 when a
 * turn failed. */
static pid_t taker(int sock, const int others[3], int rec, char letter,
		   unsigned turns)
{
	pid_t pid = fork();
	char why[64];

	assert_true(pid >= 0);
	if (pid)
		return pid;
	for (int i = 0; i < 3; i++)
		close(others[i]);
	if (lockstep_attach(sock, why, sizeof(why)))
		_exit(1);
	for (unsigned i = 0; i < turns; i++) {
		if (lockstep_turn())
			_exit(1);
		/* a pause inside the turn: the other must still wait */
		usleep(2000);
		if (write(rec, &letter, 1) != 1)
			_exit(1);
	}
	_exit(0);
}

/* Two children taking turns record A B B A A B B A: one at a time, in
 * that order; one that ends early leaves every turn to the other. */
static void lockstep_turns(void **state)
{
	static const struct {
		unsigned a, b;
		const char *want;
	} cases[] = {
		{ 4, 4, "ABBAABBA" },
		{ 4, 1, "ABAAA" },
		{ 0, 2, "BB" },
	};

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		int sa[2], sb[2], rec[2], fds[2], status;
		char got[16] = "";
		unsigned turns;
		pid_t pa, pb;
		ssize_t n;

		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sa), 0);
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sb), 0);
		assert_int_equal(pipe(rec), 0);
		pa = taker(sa[1], (int[]){ sa[0], sb[0], sb[1] }, rec[1], 'A',
			   cases[c].a);
		pb = taker(sb[1], (int[]){ sb[0], sa[0], sa[1] }, rec[1], 'B',
			   cases[c].b);
		close(sa[1]);
		close(sb[1]);
		close(rec[1]);
		fds[0] = sa[0];
		fds[1] = sb[0];
		assert_int_equal(lockstep_coordinate(fds, 0, NULL, &turns), 0);
		n = read(rec[0], got, sizeof(got) - 1);
		assert_true(n >= 0);
		got[n] = '\0';
		assert_string_equal(got, cases[c].want);
		assert_int_equal(turns, strlen(cases[c].want));
		assert_int_equal(waitpid(pa, &status, 0), pa);
		assert_int_equal(status, 0);
		assert_int_equal(waitpid(pb, &status, 0), pb);
		assert_int_equal(status, 0);
		close(sa[0]);
		close(sb[0]);
		close(rec[0]);
	}
}

/* A sweep whose coordinator has gone stops (-EPIPE), never waits on;
 * a descriptor that is no socket is refused. */
static void lockstep_gone(void **state)
{
	int sv[2], status, fd;
	char why[64];
	pid_t pid;

	(void)state;
	fd = dup(STDIN_FILENO);
	assert_int_equal(lockstep_attach(-1, why, sizeof(why)), -EBADF);
	if (fd >= 0 && !isatty(fd)) {
		int pfd[2];

		assert_int_equal(pipe(pfd), 0);
		assert_int_equal(lockstep_attach(pfd[0], why, sizeof(why)),
				 -ENOTSOCK);
		close(pfd[0]);
		close(pfd[1]);
	}
	if (fd >= 0)
		close(fd);
	assert_false(lockstep_on());
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		close(sv[0]);
		if (lockstep_attach(sv[1], why, sizeof(why)) ||
		    !lockstep_on())
			_exit(2);
		_exit(lockstep_turn() == -EPIPE ? 0 : 1);
	}
	close(sv[1]);
	close(sv[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(abba_order),
		cmocka_unit_test(merge_rebatches),
		cmocka_unit_test(lockstep_turns),
		cmocka_unit_test(lockstep_gone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
