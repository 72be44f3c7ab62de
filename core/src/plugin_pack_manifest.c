/* plugin_pack_manifest.c: manifest.json of a plugin package, read and
 * written (layout in plugin_pack.h). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin_pack.h"
#include "preset.h"
#include "registry.h"

void hpolab_pack_manifest_free(struct hpolab_pack_manifest *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_files; i++) {
        free(m->files[i].name);
        free(m->files[i].plugin);
    }
    free(m->files);
    free(m->name);
    free(m->version);
    memset(m, 0, sizeof *m);
}

/* "1.0" -> 1, 0. */
static int parse_abi(const char *s, uint16_t *major, uint16_t *minor)
{
    unsigned a, b;
    char tail;
    if (!s || sscanf(s, "%u.%u%c", &a, &b, &tail) != 2 || a > 65535 ||
        b > 65535)
        return 0;
    *major = (uint16_t)a;
    *minor = (uint16_t)b;
    return 1;
}

static int is_hex64(const char *s)
{
    if (!s || strlen(s) != 64)
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return 0;
    return 1;
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The only names a package may carry: no folders, no hidden files. */
static int is_package_file_name(const char *s)
{
    if (!s || strchr(s, '/') || strncmp(s, "hpolab-", 7) != 0)
        return 0;
    if (hpolab_is_preset_file_name(s))
        return 1;
    return has_suffix(s, ".so") && strlen(s) > strlen("hpolab-.so");
}

static const char *string_field(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int32_t parse_file(json_t *f, const char *where, size_t i,
                          struct hpolab_pack_file *out,
                          struct hpolab_error *err)
{
    const char *name = string_field(f, "name");
    const char *sha = string_field(f, "sha256");
    if (!json_is_object(f))
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "%s: files[%zu]: expected an object", where, i);
    if (!is_package_file_name(name))
        return hpolab_error_set(
            err, HPOLAB_ERR_INVALID,
            "%s: files[%zu].name: expected a file name hpolab-<kind>_<name>.so "
            "or hpolab-presets-<name>.json without a folder, got '%s'",
            where, i, name ? name : "(none)");
    if (!is_hex64(sha))
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "%s: files[%zu].sha256: expected 64 lowercase "
                                "hex digits",
                                where, i);
    out->name = strdup(name);
    memcpy(out->sha256, sha, 65);
    if (!out->name)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    if (has_suffix(name, ".so")) {
        const char *plugin = string_field(f, "plugin");
        if (!plugin || !hpolab_name_is_valid(plugin))
            return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                    "%s: files[%zu].plugin: expected the "
                                    "plugin's name [a-z0-9_]+",
                                    where, i);
        if (!parse_abi(string_field(f, "abi"), &out->abi_major,
                       &out->abi_minor))
            return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                    "%s: files[%zu].abi: expected "
                                    "\"<major>.<minor>\"",
                                    where, i);
        out->plugin = strdup(plugin);
        if (!out->plugin)
            return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    return HPOLAB_OK;
}

int32_t hpolab_pack_manifest_parse(const char *text, const char *where,
                                   struct hpolab_pack_manifest *out,
                                   struct hpolab_error *err)
{
    memset(out, 0, sizeof *out);
    json_error_t jerr;
    json_t *root = json_loads(text, 0, &jerr);
    if (!json_is_object(root)) {
        json_decref(root);
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "%s: expected a JSON object: %s", where,
                                jerr.text);
    }
    int32_t st = HPOLAB_OK;
    json_t *format = json_object_get(root, "format");
    json_t *files = json_object_get(root, "files");
    const char *name = string_field(root, "name");
    const char *version = string_field(root, "version");
    if (!json_is_integer(format) ||
        json_integer_value(format) != HPOLAB_PACK_FORMAT)
        st = hpolab_error_set(err, HPOLAB_ERR_INVALID,
                              "%s: format: expected %d (this hpolab reads "
                              "package format %d only)",
                              where, HPOLAB_PACK_FORMAT, HPOLAB_PACK_FORMAT);
    else if (!name || !hpolab_name_is_valid(name))
        st = hpolab_error_set(err, HPOLAB_ERR_INVALID,
                              "%s: name: expected [a-z0-9_]+", where);
    else if (!version || !version[0])
        st = hpolab_error_set(err, HPOLAB_ERR_INVALID,
                              "%s: version: expected a non-empty string",
                              where);
    else if (!parse_abi(string_field(root, "abi"), &out->abi_major,
                        &out->abi_minor))
        st = hpolab_error_set(err, HPOLAB_ERR_INVALID,
                              "%s: abi: expected \"<major>.<minor>\"", where);
    else if (!json_is_array(files) || json_array_size(files) == 0)
        st = hpolab_error_set(err, HPOLAB_ERR_INVALID,
                              "%s: files: expected a non-empty array", where);
    if (st == HPOLAB_OK) {
        out->name = strdup(name);
        out->version = strdup(version);
        out->files = calloc(json_array_size(files), sizeof *out->files);
        if (!out->name || !out->version || !out->files)
            st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; st == HPOLAB_OK && i < json_array_size(files); i++) {
        st = parse_file(json_array_get(files, i), where, i, &out->files[i],
                        err);
        out->n_files = i + 1;
        for (size_t j = 0; st == HPOLAB_OK && j < i; j++)
            if (strcmp(out->files[j].name, out->files[i].name) == 0)
                st = hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                      "%s: files[%zu].name: '%s' is listed "
                                      "twice",
                                      where, i, out->files[i].name);
    }
    json_decref(root);
    if (st != HPOLAB_OK)
        hpolab_pack_manifest_free(out);
    return st;
}

char *hpolab_pack_manifest_dump(const struct hpolab_pack_manifest *m)
{
    char abi[32];
    json_t *files = json_array();
    snprintf(abi, sizeof abi, "%u.%u", m->abi_major, m->abi_minor);
    json_t *root = json_pack("{s:i, s:s, s:s, s:s, s:o}", "format",
                             HPOLAB_PACK_FORMAT, "name", m->name, "version",
                             m->version, "abi", abi, "files", files);
    if (!root)
        return NULL;
    for (size_t i = 0; i < m->n_files; i++) {
        const struct hpolab_pack_file *f = &m->files[i];
        json_t *o = json_pack("{s:s, s:s}", "name", f->name, "sha256",
                              f->sha256);
        if (o && f->plugin) {
            snprintf(abi, sizeof abi, "%u.%u", f->abi_major, f->abi_minor);
            json_object_set_new(o, "plugin", json_string(f->plugin));
            json_object_set_new(o, "abi", json_string(abi));
        }
        if (!o || json_array_append_new(files, o) != 0) {
            json_decref(root);
            return NULL;
        }
    }
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    return text;
}
