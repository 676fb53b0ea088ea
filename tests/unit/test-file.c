/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/file.c: a sinker's new files get 0640 whatever the
 * umask; existing files keep their mode. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "suites.h"

static mode_t mode_of(const char *path)
{
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	return st.st_mode & 07777;
}

START_TEST(test_file_modes)
{
	static const mode_t masks[] = { 0, 022, 077, 0277 };
	char *dir = make_tmpdir();
	char *path = path_join(dir, "archive");
	mode_t old = umask(0);

	for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		int fd;
		umask(masks[i]);
		fd = file_open_archive(path, O_WRONLY | O_APPEND);
		ck_assert_int_ge(fd, 0);
		close(fd);
		ck_assert_uint_eq(mode_of(path), FILE_ARCHIVE_MODE);
		/* Opened again: still the same file, still its mode. */
		ck_assert_int_eq(chmod(path, 0600), 0);
		fd = file_open_archive(path, O_WRONLY | O_APPEND);
		ck_assert_int_ge(fd, 0);
		close(fd);
		ck_assert_uint_eq(mode_of(path), 0600);
		ck_assert_int_eq(unlink(path), 0);
	}
	umask(old);
	ck_assert_int_eq(file_open_archive("/nonexistent-dir/x", O_WRONLY), -ENOENT);
	rm_tree(dir);
	free(path);
	free(dir);
}
END_TEST

Suite *suite_file(void)
{
	Suite *s = suite_create("file");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_file_modes);
	suite_add_tcase(s, tc);
	return s;
}
