/* SPDX-License-Identifier: MIT */
/* report.md's "Devices" section of sweep --dir A,B (report_devices.c). */
#ifndef IOBENCH_REPORT_DEVICES_H
#define IOBENCH_REPORT_DEVICES_H

#include <stdio.h>

#include "analysis.h"

/*
 * With several targets: the "Devices" section, its plot drawn into
 * DIR/plots/ (the report's directory); nothing with one target.
 * 0 or -errno.
 */
int report_devices_section(FILE *f, const struct analysis *a,
			   const char *dir);

#endif
