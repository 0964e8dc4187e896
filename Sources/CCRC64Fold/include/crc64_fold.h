#ifndef RDBKIT_CRC64_FOLD_H
#define RDBKIT_CRC64_FOLD_H

#include <stddef.h>
#include <stdint.h>

/// Whether this CPU multiplies without carries (x86-64 PCLMULQDQ), checked once at run time.
int rdbkit_crc64_fold_available(void);

/// Folds the first (n / 64) * 64 bytes of `p` into 16 bytes by carry-less multiplication, so that
/// a bytewise reflected CRC with initial value 0 over `out` equals that CRC, begun at `crc`, over
/// the bytes consumed. `k` holds the four fold constants (see CRC64.swift). Returns the bytes
/// consumed: 0 when n < 64 or the CPU cannot (then `out` is untouched).
size_t rdbkit_crc64_fold(uint64_t crc, const void *p, size_t n, const uint64_t k[4], uint8_t out[16]);

#endif
