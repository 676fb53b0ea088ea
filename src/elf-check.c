/* SPDX-License-Identifier: MIT */
/* Check, before dlopen(), that a plugin file holds all that its ELF
 * headers say it does. */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <link.h>
#include <string.h>
#include <unistd.h>

#include "elf-check.h"

/*
 * dlopen() maps each PT_LOAD segment at the file offsets its program
 * header gives; a page of the mapping past the end of a truncated file
 * raises SIGBUS when the loader touches it. So every segment's file
 * range, and the headers themselves, must lie within the file's size.
 */
static int elf_check_phdrs(int fd, const ElfW(Ehdr) *eh, uint64_t size, const char **why)
{
	uint64_t end = (uint64_t)eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(ElfW(Phdr));

	*why = "its program headers lie past its end";
	if (eh->e_phentsize != sizeof(ElfW(Phdr)) || eh->e_phnum == 0 || end > size)
		return -ENOEXEC;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		ElfW(Phdr) ph;
		off_t at = (off_t)(eh->e_phoff + i * sizeof(ph));

		*why = "it cannot be read";
		if (pread(fd, &ph, sizeof(ph), at) != (ssize_t)sizeof(ph))
			return -EIO;
		if (ph.p_type != PT_LOAD && ph.p_type != PT_DYNAMIC)
			continue;
		*why = "a segment lies past its end";
		if (ph.p_offset > size || ph.p_filesz > size - ph.p_offset)
			return -ENOEXEC;
	}
	return 0;
}

int elf_check_fd(int fd, uint64_t size, const char **why)
{
	ElfW(Ehdr) eh;

	*why = "it is shorter than an ELF header";
	if (size < sizeof(eh))
		return -ENOEXEC;
	*why = "it cannot be read";
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
		return -EIO;
	*why = "it is not an ELF file";
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
		return -ENOEXEC;
	*why = "it is an ELF file of another word size or byte order";
	if (eh.e_ident[EI_CLASS] != (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32) ||
	    eh.e_ident[EI_DATA] != (__BYTE_ORDER == __LITTLE_ENDIAN ? ELFDATA2LSB : ELFDATA2MSB))
		return -ENOEXEC;
	*why = "it is not a shared object";
	if (eh.e_type != ET_DYN)
		return -ENOEXEC;
	return elf_check_phdrs(fd, &eh, size, why);
}
