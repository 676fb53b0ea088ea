/* SPDX-License-Identifier: MIT */
/* CRC-32C (Castagnoli), the checksum of spool records. */
#ifndef TCA_CRC32C_H
#define TCA_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Continue a CRC over len bytes: start with crc = 0, and pass each
 * result back in for the next piece. */
uint32_t crc32c(uint32_t crc, const void *data, size_t len);

#endif
