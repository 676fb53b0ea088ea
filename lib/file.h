/* SPDX-License-Identifier: MIT */
/* Files the sinkers create: a record of who talked to whom is for its
 * owner and the owner's group, whatever umask the daemon was started with. */
#ifndef TCA_FILE_H
#define TCA_FILE_H

/* The mode of a file a sinker creates (its database, its output). */
#define FILE_ARCHIVE_MODE 0640

/* open(path, flags | O_CREAT, ...) where a file that did not exist is
 * created with exactly FILE_ARCHIVE_MODE, not mode & ~umask (and an
 * existing file keeps the mode its owner gave it). Returns the descriptor
 * or -errno. */
int file_open_archive(const char *path, int flags);

#endif
