/* SPDX-License-Identifier: MIT */
/* The ELF sanity check of a plugin file before it is mapped. */
#ifndef TCA_ELF_CHECK_H
#define TCA_ELF_CHECK_H

#include <stdint.h>

/* Whether the file open at fd, size bytes long, is a shared object of
 * this machine's class whose headers and loadable segments all lie within
 * it. Returns 0, or -ENOEXEC / -EIO with the reason in *why. */
int elf_check_fd(int fd, uint64_t size, const char **why);

#endif
