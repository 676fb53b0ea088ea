/* SPDX-License-Identifier: MIT */
/* A shared object without the descriptor: not a tcp-audit plugin. */
#include "config.h"

__attribute__((visibility("default"))) int not_a_plugin(void);

int not_a_plugin(void)
{
	return 42;
}
