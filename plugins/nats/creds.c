/* SPDX-License-Identifier: MIT */
/*
 * The user JWT and the signature of the server's nonce, from a creds file
 * read again at each connect and reconnect, as
 * natsOptions_SetUserCredentialsFromFiles() does; but the nonce is signed
 * here. Why: libnats before 3.8.0 (Debian 12 has 3.4.1) base64-encodes
 * the raw signature as if it were a string, and one whose first byte is
 * zero, 1 in 256 of them at random with the server's nonce, comes out
 * empty. Its CONNECT then goes without a signature, and the server
 * refuses it ("Authorization Violation"; "Signature missing" in its debug
 * log): a daemon with good credentials failed at start, now and then, as
 * if they were bad. Such a signature is never sent: the try fails before
 * the CONNECT, and the next one, on a new connection, has a new nonce.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "creds.h"

/* The first libnats that sends every signature (nats.c pull request 705). */
#define NATS_SIGNS_ALL 0x030800
/* A creds file is about 1 KiB; anything much larger is not one. */
#define CREDS_MAX (64 * 1024)

/* The file's text, NUL-terminated, into a buffer of CREDS_MAX + 1 bytes
 * that creds_forget() wipes: it holds the seed. Unbuffered reads, so that
 * no copy of it stays in a stdio buffer. */
static char *creds_read(const char *path, int *err)
{
	char *buf = calloc(1, CREDS_MAX + 1);
	size_t len = 0;
	ssize_t n;
	int fd;

	if (!buf) {
		*err = ENOMEM;
		return NULL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*err = errno;
		free(buf);
		return NULL;
	}
	while (len < CREDS_MAX && (n = read(fd, buf + len, CREDS_MAX - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err = errno;
			close(fd);
			explicit_bzero(buf, CREDS_MAX);
			free(buf);
			return NULL;
		}
		len += (size_t)n;
	}
	close(fd);
	return buf;
}

static void creds_forget(char *text)
{
	if (!text)
		return;
	explicit_bzero(text, CREDS_MAX);
	free(text);
}

/* The line at p, without its blanks around, as [*start, end). */
static const char *line_trim(const char *p, const char **start)
{
	const char *end = p + strcspn(p, "\n");

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	*start = p;
	while (end > p && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return end;
}

/*
 * Item k of a creds file (0: the user JWT, 1: the seed): the first line
 * of text after the k-th "-----BEGIN ...-----" line, as nsc writes them.
 * As in libnats, a file with no such lines is a bare JWT, and a seed
 * outside its block is a line that starts with "SU". NULL if none.
 */
static char *creds_item(const char *text, int k)
{
	const char *start, *end, *su = NULL, *su_end = NULL;
	bool marked = false;
	int block = -1;

	for (const char *p = text; *p; p += strcspn(p, "\n"), p += *p == '\n') {
		end = line_trim(p, &start);
		if (end - start >= 3 && strncmp(start, "---", 3) == 0) {
			marked = true;
			if (memmem(start, (size_t)(end - start), "BEGIN", 5))
				block++;
			continue;
		}
		if (end == start)
			continue;
		if (block == k)
			return strndup(start, (size_t)(end - start));
		if (!su && strncmp(start, "SU", 2) == 0) {
			su = start;
			su_end = end;
		}
	}
	if (k == 1 && su)
		return strndup(su, (size_t)(su_end - su));
	if (k == 0 && !marked) {
		end = line_trim(text, &start);
		if (end > start)
			return strndup(start, (size_t)(end - start));
	}
	return NULL;
}

/* A failed callback: the text for libnats to report (it frees it). */
static natsStatus creds_fail(char **why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(why, fmt, ap) < 0)
		*why = NULL;
	va_end(ap);
	return NATS_ERR;
}

static natsStatus creds_jwt(char **jwt, char **why, void *closure)
{
	struct nats_creds *c = closure;
	int err = 0;
	char *text = creds_read(c->path, &err);

	if (!text)
		return creds_fail(why, "cannot read it: %s", strerror(err));
	*jwt = creds_item(text, 0);
	creds_forget(text);
	if (!*jwt)
		return creds_fail(why, "no user JWT in it");
	return NATS_OK;
}

static natsStatus creds_sign(char **why, unsigned char **sig, int *siglen, const char *nonce,
			     void *closure)
{
	struct nats_creds *c = closure;
	int err = 0;
	char *text = creds_read(c->path, &err), *seed;
	natsStatus s;

	if (!text)
		return creds_fail(why, "cannot read it: %s", strerror(err));
	seed = creds_item(text, 1);
	creds_forget(text);
	if (!seed)
		return creds_fail(why, "no user seed in it");
	/* A seed that does not decode leaves its reason ("invalid
	 * checksum") as libnats' last error, which the connect reports. */
	s = nats_Sign(seed, nonce, sig, siglen);
	explicit_bzero(seed, strlen(seed));
	free(seed);
	if (s != NATS_OK)
		return s;
	if (*siglen > 0 && (*sig)[0] == 0 && nats_GetVersionNumber() < NATS_SIGNS_ALL) {
		free(*sig);
		*sig = NULL;
		*siglen = 0;
		__atomic_store_n(&c->unsendable, true, __ATOMIC_RELAXED);
		return creds_fail(why, "the signature of this server's nonce starts with a zero "
				  "byte, which libnats before 3.8 cannot send");
	}
	return NATS_OK;
}

natsStatus nats_creds_use(natsOptions *o, struct nats_creds *c, const char *path)
{
	c->path = path;
	c->unsendable = false;
	return natsOptions_SetUserCredentialsCallbacks(o, creds_jwt, c, creds_sign, c);
}

bool nats_creds_retry(struct nats_creds *c)
{
	return __atomic_exchange_n(&c->unsendable, false, __ATOMIC_RELAXED);
}
