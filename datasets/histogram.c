// SPDX-License-Identifier: MIT
/*
 * The size histogram format of a custom dataset (--dataset FILE): one
 * group of files per line, sizes written as on the command line, every
 * error with its file and line.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fmt.h"
#include "parse.h"
#include "spec.h"
#include "strategies.h"

/* A histogram file is a few lines; anything bigger is not one. */
#define HISTOGRAM_MAX_BYTES (1u << 20)
#define MAX_FIELDS 5
#define NAME_MAX_LEN 48

struct hist {
	const char *file;
	unsigned line;
	char *err;
	size_t len;
	unsigned total_line, name_line;
	uint64_t total;
	char name[NAME_MAX_LEN + 1];
};

static int hist_fail(struct hist *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int hist_fail(struct hist *h, const char *fmt, ...)
{
	size_t n = 0;
	va_list ap;

	if (!h->len)
		return -EINVAL;
	if (h->line)
		n = snprintf(h->err, h->len, "%s:%u: ", h->file, h->line);
	else
		n = snprintf(h->err, h->len, "%s: ", h->file);
	if (n < h->len) {
		va_start(ap, fmt);
		vsnprintf(h->err + n, h->len - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	return n && n <= NAME_MAX_LEN &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789._-") == n;
}

/* "total SIZE" and "name NAME" */
static int hist_directive(struct hist *h, char **tok, size_t n)
{
	char why[160];

	if (n != 2)
		return hist_fail(h, "%s takes one value, got %zu", tok[0],
				 n - 1);
	if (!strcmp(tok[0], "name")) {
		if (h->name_line)
			return hist_fail(h, "name given twice (first on line "
					 "%u)", h->name_line);
		if (!valid_name(tok[1]))
			return hist_fail(h, "name '%s': use up to %d letters, "
					 "digits, '.', '_' and '-'", tok[1],
					 NAME_MAX_LEN);
		snprintf(h->name, sizeof(h->name), "%s", tok[1]);
		h->name_line = h->line;
		return 0;
	}
	if (h->total_line)
		return hist_fail(h, "total given twice (first on line %u)",
				 h->total_line);
	if (parse_size(tok[1], &h->total, why, sizeof(why)))
		return hist_fail(h, "total: %s", why);
	if (!h->total)
		return hist_fail(h, "total: must be at least 1 byte");
	h->total_line = h->line;
	return 0;
}

/* "SIZE COUNT [KIND]" or "SIZE_LO SIZE_HI COUNT [KIND]" */
static int hist_bin(struct hist *h, char **tok, size_t n,
		    struct dataset_recipe *r)
{
	struct dataset_part p = { .naming = DATASET_NAMES_PLAIN,
				  .content = CONTENT_RANDOM };
	uint64_t v[3];
	char why[200], lo[32], hi[32];
	size_t nums = n;

	/* a last word that is not a number is the content kind */
	if (n >= 3 && !isdigit((unsigned char)tok[n - 1][0])) {
		if (content_kind_parse(tok[n - 1], &p.content))
			return hist_fail(h, "'%s': unknown content kind "
					 "(expected random, zeros or sparse)",
					 tok[n - 1]);
		nums--;
	}
	if (nums != 2 && nums != 3)
		return hist_fail(h, "expected 'SIZE COUNT' or 'SIZE_LO SIZE_HI "
				 "COUNT', then optionally random, zeros or "
				 "sparse (got %zu fields)", n);
	for (size_t i = 0; i + 1 < nums; i++) {
		if (parse_size(tok[i], &v[i], why, sizeof(why)))
			return hist_fail(h, "%s", why);
		if (v[i] > DATASET_MAX_FILE_SIZE) {
			fmt_size(DATASET_MAX_FILE_SIZE, hi, sizeof(hi));
			return hist_fail(h, "'%s': larger than the largest "
					 "file size, %s", tok[i], hi);
		}
	}
	if (parse_count(tok[nums - 1], 0, DATASET_MAX_FILES, &p.count, why,
			sizeof(why)))
		return hist_fail(h, "count %s", why);
	p.lo = p.hi = v[0];
	p.dist = DATASET_FIXED;
	if (nums == 3 && v[1] != v[0]) {
		p.hi = v[1];
		p.dist = DATASET_LOG_UNIFORM;
		if (p.lo > p.hi) {
			fmt_size(p.lo, lo, sizeof(lo));
			fmt_size(p.hi, hi, sizeof(hi));
			return hist_fail(h, "SIZE_LO %s is above SIZE_HI %s",
					 lo, hi);
		}
	}
	if (p.content == CONTENT_SPARSE) {
		p.share_lo = 0.10;
		p.share_hi = 0.40;
	}
	if (!p.count)
		return 0;
	if (dataset_recipe_files(r) + p.count > DATASET_MAX_FILES)
		return hist_fail(h, "more than %u files in all",
				 DATASET_MAX_FILES);
	return dataset_recipe_add(r, &p) ? hist_fail(h, "%s",
						      strerror(ENOMEM)) : 0;
}

/* Splits one line (comment removed) into whitespace-separated fields;
 * the count, or MAX_FIELDS + 1 when there are too many. */
static size_t split_fields(char *line, char **tok)
{
	size_t n = 0;
	char *save = NULL;

	for (char *t = strtok_r(line, " \t\r\v\f", &save); t;
	     t = strtok_r(NULL, " \t\r\v\f", &save)) {
		if (n == MAX_FIELDS)
			return MAX_FIELDS + 1;
		tok[n++] = t;
	}
	return n;
}

static int hist_line(struct hist *h, char *line, struct dataset_recipe *r)
{
	char *tok[MAX_FIELDS], *hash = strchr(line, '#');
	size_t n;

	if (hash)
		*hash = '\0';
	n = split_fields(line, tok);
	if (!n)
		return 0;
	if (n > MAX_FIELDS)
		return hist_fail(h, "too many fields (at most 'SIZE_LO "
				 "SIZE_HI COUNT KIND')");
	if (!strcmp(tok[0], "total") || !strcmp(tok[0], "name"))
		return hist_directive(h, tok, n);
	if (!isdigit((unsigned char)tok[0][0]))
		return hist_fail(h, "'%s': expected a size, 'total' or 'name'",
				 tok[0]);
	return hist_bin(h, tok, n, r);
}

/* The file's base name without its extension, as a dataset name. */
static void default_name(const char *file, char *out, size_t len)
{
	const char *base = strrchr(file, '/');
	size_t n;

	base = base ? base + 1 : file;
	n = strcspn(base, ".");
	snprintf(out, len, "%.*s", (int)(n ? n : strlen(base)), base);
	if (!valid_name(out))
		snprintf(out, len, "histogram");
}

int dataset_histogram_parse(const char *text, const char *file,
			     struct dataset_recipe *r, char *err, size_t len)
{
	struct hist h = { .file = file, .err = err, .len = len };
	char *copy = strdup(text), *line, *next;
	char total[32];
	int ret = 0;

	memset(r, 0, sizeof(*r));
	if (!copy)
		return hist_fail(&h, "%s", strerror(ENOMEM));
	for (line = copy; !ret && line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		h.line++;
		ret = hist_line(&h, line, r);
	}
	free(copy);
	if (ret)
		goto out_free;
	h.line = 0;
	if (!dataset_recipe_files(r)) {
		ret = hist_fail(&h, "no files: give lines 'SIZE COUNT' or "
				"'SIZE_LO SIZE_HI COUNT' with a count above 0");
		goto out_free;
	}
	if (h.total) {
		h.line = h.total_line;
		fmt_size(h.total, total, sizeof(total));
		if (!(dataset_recipe_expected_bytes(r) > 0))
			ret = hist_fail(&h, "total %s: every file of the "
					"histogram is empty", total);
		else if (dataset_recipe_scale_bytes(r, h.total))
			ret = hist_fail(&h, "total %s: more than %u files",
					total, DATASET_MAX_FILES);
		if (ret)
			goto out_free;
	}
	if (h.name_line)
		snprintf(r->name, sizeof(r->name), "%s", h.name);
	else
		default_name(file, r->name, sizeof(r->name));
	return 0;
out_free:
	dataset_recipe_free(r);
	return ret;
}

int dataset_histogram_read(const char *path, struct dataset_recipe *r,
			  char *err, size_t len)
{
	struct stat st;
	char *text;
	ssize_t got;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return strategy_why(err, len, -errno, "%s: %s", path,
				    strerror(errno));
	if (fstat(fd, &st) || S_ISDIR(st.st_mode) ||
	    st.st_size > HISTOGRAM_MAX_BYTES) {
		ret = S_ISDIR(st.st_mode) ?
		      strategy_why(err, len, -EISDIR, "%s: a directory (--source "
				   "DIR copies a real tree)", path) :
		      strategy_why(err, len, -EFBIG, "%s: not a histogram "
				   "(larger than %u bytes)", path,
				   HISTOGRAM_MAX_BYTES);
		close(fd);
		return ret;
	}
	text = calloc(1, (size_t)st.st_size + 1);
	got = text ? read(fd, text, (size_t)st.st_size) : -1;
	close(fd);
	if (got < 0 || (text && memchr(text, '\0', (size_t)got))) {
		free(text);
		return strategy_why(err, len, -EINVAL, "%s: %s", path,
				    got < 0 ? strerror(errno) :
				    "not a text file (a NUL byte)");
	}
	ret = dataset_histogram_parse(text, path, r, err, len);
	free(text);
	return ret;
}
