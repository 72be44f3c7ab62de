#include "tuner_name.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pyfloat.h"

static int is_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

/* Bytes in the UTF-8 character starting with c (1 for a stray byte). */
static size_t utf8_len(unsigned char c)
{
    if (c >= 0xF0 && c <= 0xF7)
        return 4;
    if (c >= 0xE0)
        return c <= 0xEF ? 3 : 1;
    if (c >= 0xC0)
        return 2;
    return 1;
}

/* The character at s as the user would read it in a message. */
static void show_char(const char *s, char out[16])
{
    unsigned char c = (unsigned char)s[0];
    size_t n = utf8_len(c);
    if (c < 0x20 || c == 0x7F) {
        snprintf(out, 16, "\\x%02x", c);
    } else {
        size_t k = 0;
        while (k < n && s[k])
            k++;
        memcpy(out, s, k);
        out[k] = '\0';
    }
}

/* First character of s (up to len bytes) that is not allowed, with its
 * 1-based character position; NULL if all are. */
static const char *first_bad(const char *s, size_t len, int allow_underscore,
                             size_t *pos)
{
    size_t chars = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        chars++;
        if (!is_alnum(c) && c != '-' && !(allow_underscore && c == '_')) {
            *pos = chars;
            return s + i;
        }
        i += utf8_len(c);
    }
    return NULL;
}

static size_t count_chars(const char *s)
{
    size_t n = 0;
    for (size_t i = 0; s[i]; i += utf8_len((unsigned char)s[i]))
        n++;
    return n;
}

int32_t hpolab_validate_tag(const char *tag, struct hpolab_error *err)
{
    if (!tag || !tag[0])
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "experiment tag is empty: use letters, digits "
                                "and '-'");
    size_t len = strlen(tag);
    size_t pos;
    char shown[16];
    const char *bad = first_bad(tag, len, 0, &pos);
    if (bad) {
        show_char(bad, shown);
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "experiment tag '%s': only letters, digits and "
                                "'-' are allowed, got '%s' at position %zu",
                                tag, shown, pos);
    }
    if (tag[0] == '-')
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "experiment tag '%s': must start with a letter "
                                "or digit, got '-'",
                                tag);
    if (tag[len - 1] == '-')
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "experiment tag '%s': must end with a letter or "
                                "digit, got '-'",
                                tag);
    if (len > HPOLAB_TAG_MAX)
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "experiment tag '%s': at most %d characters "
                                "are allowed, got %zu",
                                tag, HPOLAB_TAG_MAX, count_chars(tag));
    return HPOLAB_OK;
}

int hpolab_is_valid_sagemaker_name(const char *name)
{
    /* ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$: alphanumerics at both ends, '-'
     * runs between, at most 63 alphanumerics */
    size_t len = strlen(name);
    if (len == 0 || !is_alnum((unsigned char)name[0]) ||
        !is_alnum((unsigned char)name[len - 1]))
        return 0;
    size_t alnum = 0;
    for (size_t i = 0; i < len; i++) {
        if (is_alnum((unsigned char)name[i]))
            alnum++;
        else if (name[i] != '-')
            return 0;
    }
    return alnum <= 63;
}

/* "YYYY-MM-DD-HH-MM-SS-mmm" of t (UTC). */
static int32_t time_suffix(double t, char out[32], struct hpolab_error *err)
{
    /* year 10000 would widen the suffix */
    if (!isfinite(t) || t < 0 || t >= 253402300800.0)
        return hpolab_error_set(err, HPOLAB_ERR_RANGE,
                                "tuner name: time %g is outside years "
                                "1970..9999",
                                t);
    time_t secs = (time_t)floor(t);
    struct tm tm;
    if (!gmtime_r(&secs, &tm) ||
        strftime(out, 32, "%Y-%m-%d-%H-%M-%S", &tm) != 19)
        return hpolab_error_set(err, HPOLAB_ERR_RANGE,
                                "tuner name: cannot format time %g", t);
    /* Syne Tune takes the first three decimals of repr(time.time()), which
     * is exact where (t - floor(t)) * 1000 is not (0.123 -> 122.99...);
     * the [BUG] fix is padding to three digits. */
    char repr[HPOLAB_PYFLOAT_BUFSIZE];
    hpolab_pyfloat(t, repr);
    const char *dot = strchr(repr, '.');
    char ms[4] = "000";
    if (dot && !strchr(repr, 'e'))
        for (int i = 0; i < 3 && dot[1 + i] >= '0' && dot[1 + i] <= '9'; i++)
            ms[i] = dot[1 + i];
    out[19] = '-';
    memcpy(out + 20, ms, 4);
    return HPOLAB_OK;
}

int32_t hpolab_tuner_name(const char *tag, const char *benchmark, int64_t seed,
                          double unix_time, char *out, size_t out_size,
                          struct hpolab_error *err)
{
    if (out && out_size)
        out[0] = '\0';
    int32_t st = hpolab_validate_tag(tag, err);
    if (st != HPOLAB_OK)
        return st;
    if (!benchmark || !benchmark[0])
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "tuner name: the benchmark name is empty");
    size_t pos;
    const char *bad = first_bad(benchmark, strlen(benchmark), 1, &pos);
    if (bad) {
        char shown[16];
        show_char(bad, shown);
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "benchmark '%s': a results folder name allows "
                                "only letters, digits, '-' and '_', got '%s' "
                                "at position %zu",
                                benchmark, shown, pos);
    }
    if (!out || out_size < HPOLAB_TUNER_NAME_MAX + 1)
        return hpolab_error_set(err, HPOLAB_ERR_RANGE,
                                "tuner name: output buffer of %zu bytes, "
                                "need %d",
                                out_size, HPOLAB_TUNER_NAME_MAX + 1);
    char suffix[32];
    st = time_suffix(unix_time, suffix, err);
    if (st != HPOLAB_OK)
        return st;
    char base[512];
    int n = snprintf(base, sizeof base, "%s-%s-%lld", tag, benchmark,
                     (long long)seed);
    if (n < 0)
        return hpolab_error_set(err, HPOLAB_ERR_INTERNAL,
                                "tuner name: formatting failed");
    for (char *p = base; *p; p++)
        if (*p == '_')
            *p = '-';
    int keep = HPOLAB_TUNER_NAME_MAX - HPOLAB_TUNER_NAME_SUFFIX_LEN - 1;
    snprintf(out, out_size, "%.*s-%s", keep, base, suffix);
    if (!hpolab_is_valid_sagemaker_name(out))
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "tuner name '%s' does not match "
                                "^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$",
                                out);
    return HPOLAB_OK;
}

/* Short, neutral words; every slug is a valid tag. */
static const char *const adjectives[] = {
    "amber",  "bold",   "brisk",  "calm",   "clever", "crisp",  "dapper",
    "eager",  "early",  "fair",   "fancy",  "gentle", "glad",   "golden",
    "grand",  "happy",  "hardy",  "honest", "jolly",  "keen",   "kind",
    "lively", "lucky",  "merry",  "mellow", "mighty", "nimble", "noble",
    "plucky", "polite", "proud",  "quick",  "quiet",  "rapid",  "ready",
    "robust", "rosy",   "shiny",  "silent", "sleek",  "smart",  "snappy",
    "solid",  "spry",   "steady", "sunny",  "swift",  "tidy",   "tranquil",
    "upbeat", "vivid",  "warm",   "wise",   "witty",  "zesty",  "zen"};
static const char *const nouns[] = {
    "badger", "beacon", "birch",  "bison",  "brook",   "canyon", "cedar",
    "comet",  "coral",  "crane",  "dune",   "eagle",   "ember",  "falcon",
    "fern",   "fjord",  "gecko",  "glacier","harbor",  "heron",  "island",
    "jaguar", "kestrel","lagoon", "lark",   "lynx",    "maple",  "meadow",
    "meteor", "falls",  "nebula", "oak",    "orbit",   "otter",  "panda",
    "pebble", "pine",   "planet", "quartz", "raven",   "reef",   "ridge",
    "river",  "robin",  "saturn", "sparrow","spruce",  "summit", "tiger",
    "tundra", "valley", "walrus", "willow", "yak",     "zebra",  "zephyr"};

void hpolab_random_tag(char *out, size_t out_size, uint32_t seed)
{
    if (!out || out_size == 0)
        return;
    /* splitmix64: well mixed even for consecutive seeds */
    uint64_t z = (uint64_t)seed + 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    size_t na = sizeof adjectives / sizeof adjectives[0];
    size_t nn = sizeof nouns / sizeof nouns[0];
    snprintf(out, out_size, "%s-%s", adjectives[(z >> 32) % na],
             nouns[(uint32_t)z % nn]);
    size_t len = strlen(out);
    while (len > 0 && out[len - 1] == '-')
        out[--len] = '\0';
}
