// SPDX-License-Identifier: MIT
/* placeholder */
#include "compare.h"
