/* tuner_name.h: experiment tags and tuner (experiment folder) names as Syne
 * Tune forms them (framework reference §2.2): "<tag>-<benchmark>-<seed>",
 * cut to 39 characters, then "-" and the UTC date-time suffix
 * "YYYY-MM-DD-HH-MM-SS-mmm". Result collection parses that suffix, so its
 * width is fixed (Syne Tune's variable-width milliseconds are a known bug). */
#ifndef HPOLAB_CORE_TUNER_NAME_H
#define HPOLAB_CORE_TUNER_NAME_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Longest tag and longest tuner name (SageMaker's name limit). */
#define HPOLAB_TAG_MAX 63
#define HPOLAB_TUNER_NAME_MAX 63
/* Length of "YYYY-MM-DD-HH-MM-SS-mmm". */
#define HPOLAB_TUNER_NAME_SUFFIX_LEN 23
/* A buffer that holds any hpolab_random_tag result. */
#define HPOLAB_RANDOM_TAG_SIZE 32

/* Experiment tag: letters, digits and '-', starting and ending with a letter
 * or digit, at most 63 characters. The message says exactly what is wrong:
 * "experiment tag 'my_tag': only letters, digits and '-' are allowed, got '_'
 * at position 3" (positions count characters from 1). */
int32_t hpolab_validate_tag(const char *tag, struct hpolab_error *err);

/* out = base[:63 - 23 - 1] + "-" + suffix, base = "<tag>-<benchmark with '_'
 * replaced by '-'>-<seed>", suffix = UTC strftime("%Y-%m-%d-%H-%M-%S") of
 * unix_time + "-" + the first three decimals of Python's repr(unix_time),
 * zero-padded to three digits. The benchmark may hold letters, digits, '-'
 * and '_'. The result matches ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$; out_size
 * must be at least HPOLAB_TUNER_NAME_MAX + 1 (HPOLAB_ERR_RANGE otherwise). */
int32_t hpolab_tuner_name(const char *tag, const char *benchmark, int64_t seed,
                          double unix_time, char *out, size_t out_size,
                          struct hpolab_error *err);

/* Does name match Syne Tune's ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$ ? */
int hpolab_is_valid_sagemaker_name(const char *name);

/* A random two-word slug "word-word" (a valid tag) chosen by seed from a
 * built-in word list, for a default experiment tag. Cut to fit out_size
 * (never ending in '-'); HPOLAB_RANDOM_TAG_SIZE always suffices. */
void hpolab_random_tag(char *out, size_t out_size, uint32_t seed);

#endif
