// SPDX-License-Identifier: MIT
/*
 * The reference tools' table, unit level: each tool's command lines for
 * one file, a batch and a tree; what each tool plans and in which order;
 * a tool missing from PATH probed unavailable with its reason; a batch
 * sample through the real cp.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cell_kind.h"
#include "reference.h"
#include "strategies.h"

/* What each variant runs; "-" where the tool has no such builder. */
static const struct {
	const char *variant, *file, *batch, *tree;
} want[] = {
	{ "ref:cp", "cp S D", "cp -t DIR A B", "-" },
	{ "ref:cp-reflink-never", "cp --reflink=never S D",
	  "cp --reflink=never -t DIR A B", "-" },
	{ "ref:cp-r", "-", "-", "cp -r V O" },
	{ "ref:cp-a", "-", "-", "cp -a V O" },
	{ "ref:dd", "dd if=S of=D bs=65536 status=none", "-", "-" },
	{ "ref:rsync", "rsync --whole-file S D",
	  "rsync --whole-file A B DIR/", "-" },
	{ "ref:rsync-a", "-", "-", "rsync -a V/ O/" },
	{ "ref:tar", "-", "-", "tar -C V -cf - . | tar -C O -xf - (mkdir O)" },
};

/* A command as one line: "PROG ARG... [| READER...] [> FILE] [(mkdir D)]" */
static void cmd_line(const struct reference_cmd *cmd, char *out, size_t len)
{
	out[0] = '\0';
	for (size_t i = 0; i < cmd->argv.n; i++)
		snprintf(out + strlen(out), len - strlen(out), "%s%s",
			 i ? " " : "", cmd->argv.v[i]);
	for (size_t i = 0; i < cmd->reader.n; i++)
		snprintf(out + strlen(out), len - strlen(out), "%s%s",
			 i ? " " : " | ", cmd->reader.v[i]);
	if (cmd->stdout_path)
		snprintf(out + strlen(out), len - strlen(out), " > %s",
			 cmd->stdout_path);
	if (cmd->make_dir)
		snprintf(out + strlen(out), len - strlen(out), " (mkdir %s)",
			 cmd->make_dir);
	/* the argv is NULL-terminated, ready for execvp */
	assert_true(!cmd->argv.n || !cmd->argv.v[cmd->argv.n]);
}

/* A builder's outcome against the line it should build. */
static void check_cmd(int ret, struct reference_cmd *cmd, const char *want)
{
	char got[256];

	assert_int_equal(ret, 0);
	cmd_line(cmd, got, sizeof(got));
	assert_string_equal(got, want);
	reference_cmd_free(cmd);
}

/* Every variant of the table builds the command lines it promises, and
 * only those: a tool without a batch builder copies one file per process,
 * one without a tree builder has no tree variant. */
static void test_argv(void **state)
{
	char *const batch[] = { "A", "B" };
	struct cell c = { .strategy = "ref:dd" };
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++, n++) {
		const struct reference_variant *v;
		const struct reference_tool *t;
		struct cell_kind k = cell_kind_find(want[i].variant);
		struct reference_cmd cmd = { 0 };

		v = reference_find(want[i].variant);
		assert_non_null(v);
		t = reference_tool_of(v);
		assert_non_null(t);
		assert_int_equal(k.type, CELL_KIND_REFERENCE);
		assert_int_equal(cell_set_options(&c, cell_kind_options(&k)),
				 0);
		/* dd's bs is the buffer tunable */
		if (cell_set_tunable(&c, "buffer", 65536) == 0)
			assert_string_equal(t->name, "dd");
		assert_true(v->command && *v->command);
		assert_int_equal(reference_batches(v),
				 strcmp(want[i].batch, "-") != 0);
		if (v->tree) {
			assert_non_null(t->tree);
			check_cmd(t->tree(&cmd, v, &c, "V", "O"), &cmd,
				  want[i].tree);
			continue;
		}
		assert_non_null(t->file);
		check_cmd(t->file(&cmd, v, &c, "S", "D"), &cmd, want[i].file);
		if (t->batch)
			check_cmd(t->batch(&cmd, v, &c, batch, 2, "DIR"), &cmd,
				  want[i].batch);
	}
	/* the table holds exactly the variants above */
	for (size_t i = 0; reference_nth(i); i++)
		assert_true(i < n);
	assert_non_null(reference_nth(n - 1));
}

/* list's order: every tool's file variants, then the tree ones; a request
 * plans its tools' variants in its own order. */
static void test_order(void **state)
{
	static const char *const list[] = {
		"ref:cp", "ref:cp-reflink-never", "ref:dd", "ref:rsync",
		"ref:cp-r", "ref:cp-a", "ref:rsync-a", "ref:tar",
	};
	char *tools[] = { "tar", "rsync", "dd" };
	struct run_request rq = { .references = tools, .n_references = 3 };
	const struct reference_variant *v;
	size_t i;

	(void)state;
	for (i = 0; (v = reference_nth(i)); i++) {
		assert_true(i < sizeof(list) / sizeof(list[0]));
		assert_string_equal(v->name, list[i]);
	}
	assert_int_equal(i, sizeof(list) / sizeof(list[0]));
	assert_string_equal(reference_at(&rq, 0)->name, "ref:rsync");
	assert_string_equal(reference_at(&rq, 1)->name, "ref:dd");
	assert_null(reference_at(&rq, 2));
	rq.source = "/some/tree";
	assert_string_equal(reference_at(&rq, 0)->name, "ref:tar");
	assert_string_equal(reference_at(&rq, 1)->name, "ref:rsync-a");
	assert_null(reference_at(&rq, 2));
	assert_null(reference_find("rw"));
	assert_int_equal(cell_kind_find("rw").type, CELL_KIND_STRATEGY);
	assert_int_equal(cell_kind_find("ref:nope").type, CELL_KIND_NONE);
	for (i = 0; i < reference_tool_count(); i++) {
		const struct reference_tool *t = reference_tool_at(i);

		assert_ptr_equal(reference_tool_find(t->name), t);
	}
}

/* With PATH holding no tool, every tool is unusable and says which
 * package to install; in a child, as probes are kept per process. */
static void test_missing_tool(void **state)
{
	char empty[] = "/tmp/iobench-reftools-XXXXXX";
	int status = 0;
	pid_t pid;

	(void)state;
	assert_non_null(mkdtemp(empty));
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		int bad = 0;

		setenv("PATH", empty, 1);
		for (size_t i = 0; i < reference_tool_count(); i++) {
			const struct reference_tool *t = reference_tool_at(i);
			struct cell_kind k;
			char why[256] = "", expect[128];

			k = cell_kind_reference(&t->variants[0]);
			snprintf(expect, sizeof(expect), "%s not found on PATH "
				 "(install %s)", t->name, t->package);
			if (cell_kind_probe(&k, "/", why, sizeof(why)) !=
			    -ENOENT || strcmp(why, expect)) {
				fprintf(stderr, "%s: [%s], expected [%s]\n",
					t->name, why, expect);
				bad = 1;
			}
		}
		_exit(bad);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	rmdir(empty);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* A batch sample through the real cp: one process, the copies named
 * after their sources in the sample directory, synced when asked. */
static void test_batch_sample(void **state)
{
	char dir[] = "/tmp/iobench-reftools-XXXXXX";
	char src[3][64], dst[3][64], *s[3], *d[3], out[64], why[256] = "";
	struct cell c = { .strategy = "ref:cp", .size = 3, .sync = SYNC_END };
	struct reference_job j = {
		.v = reference_find("ref:cp"), .c = &c, .src = s, .dst = d,
		.k = 3,
	};
	double seconds = 0, sync_s = 0;
	struct stat st;

	(void)state;
	if (reference_probe(j.v, why, sizeof(why))) {
		print_message("skipped: %s\n", why);
		skip();
	}
	assert_non_null(mkdtemp(dir));
	snprintf(out, sizeof(out), "%s/out", dir);
	assert_int_equal(mkdir(out, 0700), 0);
	j.dir = out;
	for (int i = 0; i < 3; i++) {
		FILE *f;

		snprintf(src[i], sizeof(src[i]), "%s/in-%d", dir, i);
		snprintf(dst[i], sizeof(dst[i]), "%s/out/in-%d", dir, i);
		s[i] = src[i];
		d[i] = dst[i];
		f = fopen(src[i], "w");
		assert_non_null(f);
		fputs("abc", f);
		fclose(f);
	}
	assert_int_equal(reference_sample(&j, &seconds, &sync_s, why,
					  sizeof(why)), 0);
	assert_true(seconds > 0 && sync_s > 0 && sync_s <= seconds);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(stat(dst[i], &st), 0);
		assert_int_equal(st.st_size, 3);
		unlink(dst[i]);
	}
	/* a failing copy fails the sample with the tool's words */
	unlink(src[1]);
	assert_true(reference_sample(&j, &seconds, &sync_s, why,
				     sizeof(why)) < 0);
	assert_non_null(strstr(why, "cp exited with status 1"));
	assert_non_null(strstr(why, "in-1"));
	for (int i = 0; i < 3; i++) {
		unlink(dst[i]);
		unlink(src[i]);
	}
	rmdir(out);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_argv),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_missing_tool),
		cmocka_unit_test(test_batch_sample),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
