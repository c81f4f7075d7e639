// SPDX-License-Identifier: MIT
/* placeholder */
#include "results.h"
