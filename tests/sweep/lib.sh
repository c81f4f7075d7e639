# SPDX-License-Identifier: MIT
# This folder's tests use the shared test library.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
