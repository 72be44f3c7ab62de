/* resume_find.c: the experiment folder --resume continues, and whether it
 * is complete. */
#include "resume_find.h"

#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "metadata.h"
#include "tuner_journal.h"

#define TAIL_BYTES 65536

int hpolab_experiment_state(const char *dir)
{
    char *path = hpolab_path_join(dir, HPOLAB_JOURNAL_FILE);
    int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    free(path);
    if (fd < 0)
        return HPOLAB_EXPERIMENT_NO_JOURNAL;
    struct stat sb;
    int state = HPOLAB_EXPERIMENT_PARTIAL;
    char *buf = malloc(TAIL_BYTES + 1);
    if (buf && fstat(fd, &sb) == 0 && sb.st_size > 0) {
        off_t from = sb.st_size > TAIL_BYTES ? sb.st_size - TAIL_BYTES : 0;
        ssize_t n = pread(fd, buf, (size_t)(sb.st_size - from), from);
        if (n > 0) {
            /* the last line that ends with a newline */
            ssize_t end = n;
            while (end > 0 && buf[end - 1] != '\n')
                end--;
            if (end > 0) {
                end--;
                ssize_t start = end;
                while (start > 0 && buf[start - 1] != '\n')
                    start--;
                json_t *j = json_loadb(buf + start, (size_t)(end - start), 0,
                                       NULL);
                const char *ev = json_string_value(json_object_get(j, "ev"));
                if (ev && strcmp(ev, "end") == 0)
                    state = HPOLAB_EXPERIMENT_COMPLETE;
                json_decref(j);
            }
        }
    }
    free(buf);
    close(fd);
    return state;
}

static int same_string(const json_t *md, const char *key, const char *want)
{
    const char *s = json_string_value(json_object_get(md, key));
    return s && want && strcmp(s, want) == 0;
}

int32_t hpolab_experiment_find_latest(const char *results_dir,
                                      const char *tag, const char *benchmark,
                                      int64_t seed, const char *algorithm,
                                      char **out, struct hpolab_error *err)
{
    *out = NULL;
    DIR *d = opendir(results_dir);
    if (!d)
        return HPOLAB_OK; /* nothing was run there yet */
    double best = -1.0;
    struct dirent *e;
    int32_t st = HPOLAB_OK;
    while ((e = readdir(d)) && st == HPOLAB_OK) {
        if (e->d_name[0] == '.')
            continue;
        char *dir = hpolab_path_join(results_dir, e->d_name);
        if (!dir) {
            st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
            break;
        }
        json_t *md = NULL;
        struct hpolab_error ignored;
        if (hpolab_is_dir(dir) &&
            hpolab_metadata_read(dir, &md, &ignored) == HPOLAB_OK &&
            same_string(md, "tag", tag) &&
            same_string(md, "benchmark", benchmark) &&
            (!algorithm || same_string(md, "algorithm", algorithm)) &&
            json_is_integer(json_object_get(md, "seed")) &&
            (seed < 0 ||
             json_integer_value(json_object_get(md, "seed")) == seed)) {
            double created = json_number_value(
                json_object_get(md, "st_tuner_creation_timestamp"));
            if (created > best) {
                best = created;
                free(*out);
                *out = dir;
                dir = NULL;
            }
        }
        json_decref(md);
        free(dir);
    }
    closedir(d);
    if (st != HPOLAB_OK) {
        free(*out);
        *out = NULL;
    }
    return st;
}
