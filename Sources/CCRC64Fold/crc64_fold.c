#include "crc64_fold.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

int rdbkit_crc64_fold_available(void) {
    static int known = -1;
    if (known < 0) known = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse2");
    return known;
}

/// x * x^distance mod P, for a 128-bit lane x whose low quadword holds the higher-degree half:
/// the low half times k.lo, the high half times k.hi.
__attribute__((target("pclmul,sse2"))) static inline __m128i fold(__m128i x, __m128i k) {
    return _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11));
}

/// Four lanes of 16 bytes advance 64 bytes a step (k[0], k[1]: 512 bits), so four multiplications
/// are in flight while each waits for its latency; at the end the lanes fold into one by 128
/// bits (k[2], k[3]).
__attribute__((target("pclmul,sse2")))
size_t rdbkit_crc64_fold(uint64_t crc, const void *p, size_t n, const uint64_t k[4], uint8_t out[16]) {
    if (n < 64 || !rdbkit_crc64_fold_available()) return 0;
    const uint8_t *b = (const uint8_t *)p;
    size_t blocks = n / 64;
    __m128i x0 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)b), _mm_cvtsi64_si128((long long)crc));
    __m128i x1 = _mm_loadu_si128((const __m128i *)(b + 16));
    __m128i x2 = _mm_loadu_si128((const __m128i *)(b + 32));
    __m128i x3 = _mm_loadu_si128((const __m128i *)(b + 48));
    const __m128i k512 = _mm_set_epi64x((long long)k[1], (long long)k[0]);
    for (size_t i = 1; i < blocks; i++) {
        const uint8_t *q = b + 64 * i;
        x0 = _mm_xor_si128(fold(x0, k512), _mm_loadu_si128((const __m128i *)q));
        x1 = _mm_xor_si128(fold(x1, k512), _mm_loadu_si128((const __m128i *)(q + 16)));
        x2 = _mm_xor_si128(fold(x2, k512), _mm_loadu_si128((const __m128i *)(q + 32)));
        x3 = _mm_xor_si128(fold(x3, k512), _mm_loadu_si128((const __m128i *)(q + 48)));
    }
    const __m128i k128 = _mm_set_epi64x((long long)k[3], (long long)k[2]);
    __m128i x = _mm_xor_si128(fold(x0, k128), x1);
    x = _mm_xor_si128(fold(x, k128), x2);
    x = _mm_xor_si128(fold(x, k128), x3);
    _mm_storeu_si128((__m128i *)out, x);
    return blocks * 64;
}

#else

int rdbkit_crc64_fold_available(void) { return 0; }

size_t rdbkit_crc64_fold(uint64_t crc, const void *p, size_t n, const uint64_t k[4], uint8_t out[16]) {
    (void)crc; (void)p; (void)n; (void)k; (void)out;
    return 0;
}

#endif
