/* sm_name.c: training job names. SageMaker wants 1-63 characters matching
 * [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}, unique per account and region forever
 * (a name stays taken after its job ended), so every run of a trial needs
 * its own. Syne Tune cut long names and put 4 random characters at the
 * end; here the tail is a hash of the full tuner name, so the same run
 * always gets the same name and two experiments do not collide. */
#include <stdio.h>
#include <string.h>

#include "sm_internal.h"

static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

int sm_job_name_valid(const char *name)
{
    size_t n = strlen(name);
    if (n < 1 || n > SM_JOB_NAME_MAX || !name_char(name[0]) ||
        !name_char(name[n - 1]))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!name_char(name[i]) && name[i] != '-')
            return 0;
    return 1;
}

/* FNV-1a, 32 bits. */
static uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

int sm_job_name(const char *tuner_name, int64_t trial_id, int resume,
                int taken, char *out)
{
    char base[256];
    size_t n = 0;
    /* invalid characters become '-', and no '-' at the start */
    for (const char *p = tuner_name; *p && n < sizeof base - 1; p++) {
        char c = name_char(*p) ? *p : '-';
        if (c == '-' && n == 0)
            continue;
        base[n++] = c;
    }
    while (n > 0 && base[n - 1] == '-')
        n--;
    base[n] = '\0';
    char suffix[64];
    int sl = snprintf(suffix, sizeof suffix, "%s%lld", n ? "-" : "",
                      (long long)trial_id);
    if (resume > 0)
        sl += snprintf(suffix + sl, sizeof suffix - (size_t)sl, "-r%d",
                       resume);
    if (taken > 0)
        sl += snprintf(suffix + sl, sizeof suffix - (size_t)sl, "-a%d",
                       taken);
    if (trial_id < 0 || sl >= SM_JOB_NAME_MAX - 9) {
        snprintf(out, SM_JOB_NAME_MAX + 1,
                 "trial id %lld cannot make a job name",
                 (long long)trial_id);
        return -1;
    }
    if (n + (size_t)sl > SM_JOB_NAME_MAX) {
        /* <cut base>-<8 hex of the full name><suffix> */
        char hash[10];
        snprintf(hash, sizeof hash, "-%08x", fnv1a(tuner_name));
        size_t keep = SM_JOB_NAME_MAX - (size_t)sl - 9;
        while (keep > 0 && base[keep - 1] == '-')
            keep--;
        snprintf(out, SM_JOB_NAME_MAX + 1, "%.*s%s%s", (int)keep, base,
                 keep ? hash : hash + 1, suffix);
    } else {
        snprintf(out, SM_JOB_NAME_MAX + 1, "%s%s", base, suffix);
    }
    if (!sm_job_name_valid(out)) {
        char bad[SM_JOB_NAME_MAX + 1];
        snprintf(bad, sizeof bad, "%s", out);
        snprintf(out, SM_JOB_NAME_MAX + 1, "invalid job name %.40s", bad);
        return -1;
    }
    return 0;
}
