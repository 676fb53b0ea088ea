/* SPDX-License-Identifier: MIT */
/* The command line. */
#ifndef TCA_OPTIONS_H
#define TCA_OPTIONS_H

#include <stdio.h>

#include "settings.h"

/* Fill s from argv. Returns 0, or an exit status after printing why. */
int options_parse(int argc, char **argv, struct settings *s);
void options_usage(FILE *f);

#endif
