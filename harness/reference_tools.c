// SPDX-License-Identifier: MIT
/*
 * The reference tools' table: per tool its variants (the cells it plans),
 * its tunables, its argv builders (one file, a batch, a tree) and the
 * package its probe names; and the lookups the plan, list and report use.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "array.h"
#include "reference.h"
#include "strategies.h"
#include "strlist.h"

/* ---- argv builders, one set per tool ---- */

/* PROG [ARG] SRC... [LAST]: the shape of most tools' command lines. */
static int prog_files(struct reference_cmd *cmd, const char *prog,
		      const char *arg, char *const *src, unsigned n,
		      const char *last)
{
	int ret = reference_argv_add(&cmd->argv, "%s", prog);

	if (!ret && arg)
		ret = reference_argv_add(&cmd->argv, "%s", arg);
	for (unsigned i = 0; i < n && !ret; i++)
		ret = reference_argv_add(&cmd->argv, "%s", src[i]);
	if (!ret && last)
		ret = reference_argv_add(&cmd->argv, "%s", last);
	return ret;
}

/* TOOL [ARG] SRC DST: cp [--reflink=never], rsync --whole-file; and
 * TOOL [ARG] TREE DST for a tree: cp -r, cp -a */
static int tool_src_dst(struct reference_cmd *cmd,
			const struct reference_variant *v,
			const struct cell *c, const char *src, const char *dst)
{
	(void)c;
	return prog_files(cmd, reference_tool_of(v)->name, v->arg,
			  (char *const *)&src, 1, dst);
}

/* cp [--reflink=never] -t DIR SRC... */
static int cp_batch(struct reference_cmd *cmd,
		    const struct reference_variant *v, const struct cell *c,
		    char *const *src, unsigned n, const char *dir)
{
	char *const t_dir[] = { "-t", (char *)dir };
	int ret = prog_files(cmd, "cp", v->arg, t_dir, 2, NULL);

	(void)c;
	for (unsigned i = 0; i < n && !ret; i++)
		ret = reference_argv_add(&cmd->argv, "%s", src[i]);
	return ret;
}

/* dd if=SRC of=DST bs=BUFFER status=none */
static int dd_file(struct reference_cmd *cmd,
		   const struct reference_variant *v, const struct cell *c,
		   const char *src, const char *dst)
{
	(void)v;
	if (reference_argv_add(&cmd->argv, "dd") ||
	    reference_argv_add(&cmd->argv, "if=%s", src) ||
	    reference_argv_add(&cmd->argv, "of=%s", dst) ||
	    reference_argv_add(&cmd->argv, "bs=%" PRIu64,
			       cell_tunable(c, "buffer",
					    STRATEGY_DEFAULT_BUFFER)) ||
	    reference_argv_add(&cmd->argv, "status=none"))
		return -ENOMEM;
	return 0;
}

/* rsync --whole-file SRC... DIR/ */
static int rsync_batch(struct reference_cmd *cmd,
		       const struct reference_variant *v, const struct cell *c,
		       char *const *src, unsigned n, const char *dir)
{
	(void)c;
	if (prog_files(cmd, "rsync", v->arg, src, n, NULL))
		return -ENOMEM;
	return reference_argv_add(&cmd->argv, "%s/", dir);
}

/* rsync -a TREE/ DST/ */
static int rsync_tree(struct reference_cmd *cmd,
		      const struct reference_variant *v, const struct cell *c,
		      const char *view, const char *out)
{
	(void)c;
	if (prog_files(cmd, "rsync", v->arg, NULL, 0, NULL) ||
	    reference_argv_add(&cmd->argv, "%s/", view))
		return -ENOMEM;
	return reference_argv_add(&cmd->argv, "%s/", out);
}

/* tar -C TREE -cf - . | tar -C DST -xf -: the reader needs DST made */
static int tar_tree(struct reference_cmd *cmd,
		    const struct reference_variant *v, const struct cell *c,
		    const char *view, const char *out)
{
	static const char *const w[] = { "tar", "-C", NULL, "-cf", "-", "." };
	static const char *const r[] = { "tar", "-C", NULL, "-xf", "-" };
	int ret = 0;

	(void)v;
	(void)c;
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]) && !ret; i++)
		ret = reference_argv_add(&cmd->argv, "%s", w[i] ? w[i] : view);
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]) && !ret; i++)
		ret = reference_argv_add(&cmd->reader, "%s", r[i] ? r[i] : out);
	if (!ret && !(cmd->make_dir = strdup(out)))
		ret = -ENOMEM;
	return ret;
}

/* ---- the table ---- */

/* dd's block size is the one tunable a reference tool reads. */
struct dd_options {
	uint64_t buffer;
};

static const struct copy_option dd_options[] = {
	COPY_OPTION_BUFFER(struct dd_options, buffer, STRATEGY_DEFAULT_BUFFER),
	COPY_OPTION_END,
};

static const struct reference_tool tools[] = {
	{
		.name = "cp", .package = "coreutils",
		.variants = {
			{ "ref:cp", NULL, false, "cp -t DIR SRC..." },
			{ "ref:cp-reflink-never", "--reflink=never", false,
			  "cp --reflink=never -t DIR SRC..." },
			{ "ref:cp-r", "-r", true, "cp -r TREE DST" },
			{ "ref:cp-a", "-a", true, "cp -a TREE DST" },
		},
		.file = tool_src_dst, .batch = cp_batch,
		.tree = tool_src_dst,
	},
	{
		.name = "dd", .package = "coreutils",
		.variants = {
			{ "ref:dd", NULL, false,
			  "dd if=SRC of=DST bs=BUFFER status=none" },
		},
		.options = dd_options,
		.file = dd_file,
	},
	{
		.name = "rsync", .package = "rsync",
		.variants = {
			{ "ref:rsync", "--whole-file", false,
			  "rsync --whole-file SRC... DIR/" },
			{ "ref:rsync-a", "-a", true, "rsync -a TREE/ DST/" },
		},
		.file = tool_src_dst, .batch = rsync_batch,
		.tree = rsync_tree,
	},
	{
		.name = "tar", .package = "tar",
		.variants = {
			{ "ref:tar", NULL, true,
			  "tar -C TREE -cf - . | tar -C DST -xf -" },
		},
		.tree = tar_tree,
	},
};

#define N_TOOLS (sizeof(tools) / sizeof(tools[0]))

size_t reference_tool_count(void)
{
	return N_TOOLS;
}

const struct reference_tool *reference_tool_at(size_t i)
{
	return i < N_TOOLS ? &tools[i] : NULL;
}

const struct reference_tool *reference_tool_find(const char *name)
{
	for (size_t t = 0; name && t < N_TOOLS; t++)
		if (!strcmp(tools[t].name, name))
			return &tools[t];
	return NULL;
}

const struct reference_tool *reference_tool_of(
	const struct reference_variant *v)
{
	for (size_t t = 0; t < N_TOOLS; t++)
		if (v >= tools[t].variants &&
		    v < tools[t].variants + REFERENCE_VARIANTS_MAX)
			return &tools[t];
	return NULL;
}

/* The i-th variant of tool t for trees or files, or NULL past them. */
static const struct reference_variant *variant_of(
	const struct reference_tool *t, bool tree, size_t i)
{
	for (size_t k = 0; k < REFERENCE_VARIANTS_MAX && t->variants[k].name;
	     k++)
		if (t->variants[k].tree == tree && !i--)
			return &t->variants[k];
	return NULL;
}

/* The i-th variant of the tools in names[0..n) (all tools: names NULL),
 * for trees or files; *i is left past the last when there is none. */
static const struct reference_variant *nth_of(char *const *names, size_t n,
					      bool tree, size_t *i)
{
	for (size_t k = 0; k < n; k++) {
		const struct reference_tool *t =
			names ? reference_tool_find(names[k]) : &tools[k];
		const struct reference_variant *v;
		size_t count = 0;

		if (!t)
			continue;
		v = variant_of(t, tree, *i);
		if (v)
			return v;
		while (variant_of(t, tree, count))
			count++;
		*i -= count;
	}
	return NULL;
}

const struct reference_variant *reference_at(const struct run_request *rq,
					     size_t i)
{
	return nth_of(rq->references, rq->n_references, rq->source, &i);
}

const struct reference_variant *reference_nth(size_t i)
{
	const struct reference_variant *v = nth_of(NULL, N_TOOLS, false, &i);

	return v ? v : nth_of(NULL, N_TOOLS, true, &i);
}

const struct reference_variant *reference_find(const char *cell_strategy)
{
	const struct reference_variant *v;

	for (size_t i = 0; cell_strategy && (v = reference_nth(i)); i++)
		if (!strcmp(v->name, cell_strategy))
			return v;
	return NULL;
}

bool reference_batches(const struct reference_variant *v)
{
	return !v->tree && reference_tool_of(v)->batch;
}

bool reference_name(const char *cell_strategy)
{
	return cell_strategy && !strncmp(cell_strategy, REFERENCE_PREFIX,
					 strlen(REFERENCE_PREFIX));
}

bool reference_cell(const struct cell *c)
{
	return reference_name(c->strategy);
}

/* ---- --reference ---- */

struct parse_ctx {
	char ***names;
	size_t *n;
	char *err;
	size_t len;
};

static int parse_one(const char *tool, void *ctx)
{
	struct parse_ctx *p = ctx;
	char list[128] = "";

	if (reference_tool_find(tool))
		return strlist_appendf(p->names, p->n, "%s", tool);
	for (size_t t = 0; t < N_TOOLS; t++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s%s", t ? "," : "", tools[t].name);
	return strategy_why(p->err, p->len, -EINVAL, "unknown tool '%s' "
			    "(expected %s or none)", tool, list);
}

int reference_parse(const char *list, char ***names, size_t *n, char *err,
		    size_t len)
{
	struct parse_ctx p = { names, n, err, len };

	if (!strcmp(list, "none"))
		return 0;
	return strlist_each(list, ',', STRLIST_NO_EMPTY | STRLIST_UNIQUE,
			    parse_one, &p, err, len);
}

/* ---- commands ---- */

int reference_argv_add(struct reference_argv *a, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	/* room for the argument and the NULL after it */
	if (ARRAY_GROW(a->v, a->n + 2, a->cap))
		return -ENOMEM;
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
	return 0;
}

static void argv_free(struct reference_argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	*a = (struct reference_argv){ 0 };
}

void reference_cmd_free(struct reference_cmd *cmd)
{
	argv_free(&cmd->argv);
	argv_free(&cmd->reader);
	free(cmd->stdout_path);
	free(cmd->make_dir);
	*cmd = (struct reference_cmd){ 0 };
}
