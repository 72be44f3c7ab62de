/* test_plugin_pack.c: SHA-256, the package manifest, and pack -> install ->
 * remove in-process (the command line and bad packages made with tar are in
 * plugin_sdk.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsutil.h"
#include "plugin_pack.h"
#include "plugin_pack_sha256.h"
#include "search_path.h"

static void test_sha256_vectors(void **state)
{
    (void)state;
    /* FIPS 180-4 examples. */
    struct hpolab_sha256 s;
    char hex[HPOLAB_SHA256_HEX];
    hpolab_sha256_init(&s);
    hpolab_sha256_final_hex(&s, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb924"
                             "27ae41e4649b934ca495991b7852b855");
    hpolab_sha256_init(&s);
    hpolab_sha256_update(&s, "abc", 3);
    hpolab_sha256_final_hex(&s, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
                             "b00361a396177a9cb410ff61f20015ad");
    /* Two blocks, fed in odd pieces. */
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hpolab_sha256_init(&s);
    for (size_t i = 0; i < strlen(m); i += 7)
        hpolab_sha256_update(&s, m + i, strlen(m) - i < 7 ? strlen(m) - i : 7);
    hpolab_sha256_final_hex(&s, hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039"
                             "a33ce45964ff2167f6ecedd419db06c1");
}

static const char good[] =
    "{\"format\": 1, \"name\": \"rea\", \"version\": \"1.0.0\", \"abi\": "
    "\"1.0\", \"files\": [{\"name\": \"hpolab-searcher_rea.so\", "
    "\"sha256\": \"%s\", \"plugin\": \"searcher_rea\", \"abi\": \"1.0\"}]}";

static void test_manifest_parse(void **state)
{
    (void)state;
    char text[1024];
    char sha[65];
    memset(sha, 'a', 64);
    sha[64] = '\0';
    snprintf(text, sizeof text, good, sha);
    struct hpolab_pack_manifest m;
    struct hpolab_error err;
    assert_int_equal(hpolab_pack_manifest_parse(text, "m", &m, &err),
                     HPOLAB_OK);
    assert_string_equal(m.name, "rea");
    assert_int_equal(m.n_files, 1);
    assert_string_equal(m.files[0].plugin, "searcher_rea");
    char *dumped = hpolab_pack_manifest_dump(&m);
    struct hpolab_pack_manifest again;
    assert_int_equal(hpolab_pack_manifest_parse(dumped, "m", &again, &err),
                     HPOLAB_OK);
    assert_string_equal(again.files[0].sha256, sha);
    free(dumped);
    hpolab_pack_manifest_free(&again);
    hpolab_pack_manifest_free(&m);
    /* A short checksum and a path with a folder are refused, naming them. */
    snprintf(text, sizeof text, good, "abc");
    assert_int_equal(hpolab_pack_manifest_parse(text, "m", &m, &err),
                     HPOLAB_ERR_INVALID);
    assert_non_null(strstr(err.message, "files[0].sha256"));
    char evil[1024];
    snprintf(evil, sizeof evil,
             "{\"format\": 1, \"name\": \"x\", \"version\": \"1\", \"abi\": "
             "\"1.0\", \"files\": [{\"name\": \"../hpolab-x.so\", \"sha256\": "
             "\"%s\"}]}",
             sha);
    assert_int_equal(hpolab_pack_manifest_parse(evil, "m", &m, &err),
                     HPOLAB_ERR_INVALID);
    assert_non_null(strstr(err.message, "files[0].name"));
}

static char *tmpdir_make(void)
{
    char *d = strdup("/tmp/hpolab-test-pack-XXXXXX");
    assert_non_null(mkdtemp(d));
    return d;
}

static void rm_rf(const char *d)
{
    char *argv[] = {"rm", "-rf", (char *)d, NULL};
    pid_t pid = fork();
    if (pid == 0) {
        execvp("rm", argv);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
}

static int exists_in(const char *dir, const char *name)
{
    char *p = hpolab_path_join(dir, name);
    struct stat sb;
    int r = stat(p, &sb) == 0;
    free(p);
    return r;
}

static void test_pack_install_remove(void **state)
{
    (void)state;
    char *work = tmpdir_make();
    char *src = hpolab_path_join(work, "src");
    char *dest = hpolab_path_join(work, "dest");
    char *tarball = hpolab_path_join(work, "r.tar.gz");
    struct hpolab_error err;
    assert_int_equal(hpolab_mkdir_p(src, &err), HPOLAB_OK);
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(hpolab_read_file(HPOLAB_TEST_PLUGIN_DIR
                                      "/hpolab-searcher_random.so",
                                      &data, &len, &err),
                     HPOLAB_OK);
    char *so = hpolab_path_join(src, "hpolab-searcher_random.so");
    assert_int_equal(hpolab_write_file_atomic(so, data, len, &err), HPOLAB_OK);
    free(data);
    char *out = NULL;
    struct hpolab_pack_options po = {.name = "myrandom", .output = tarball};
    assert_int_equal(hpolab_plugin_pack(src, &po, &out, &err), HPOLAB_OK);
    free(out);

    /* The build tree's plugins are built-ins: the same plugin clashes and
     * nothing is installed. */
    struct hpolab_search_path builtin;
    assert_int_equal(hpolab_search_path_from(NULL, NULL, NULL,
                                             HPOLAB_TEST_PLUGIN_DIR, &builtin,
                                             &err),
                     HPOLAB_OK);
    struct hpolab_install_options io = {.dest_dir = dest, .builtin = &builtin};
    assert_int_equal(hpolab_plugin_install(tarball, &io, NULL, &err),
                     HPOLAB_ERR_EXISTS);
    assert_non_null(strstr(err.message, "clashes with the built-in plugin"));
    assert_null(strchr(err.message, '\n'));
    assert_false(exists_in(dest, "hpolab-searcher_random.so"));
    hpolab_search_path_free(&builtin);

    /* Without built-ins it installs, with its manifest, and is removed. */
    struct hpolab_install_options none = {.dest_dir = dest, .builtin = NULL};
    struct hpolab_pack_manifest m;
    assert_int_equal(hpolab_plugin_install(tarball, &none, &m, &err),
                     HPOLAB_OK);
    assert_string_equal(m.name, "myrandom");
    assert_string_equal(m.files[0].plugin, "searcher_random");
    hpolab_pack_manifest_free(&m);
    assert_true(exists_in(dest, "hpolab-searcher_random.so"));
    assert_true(exists_in(dest, "hpolab-package-myrandom.json"));
    /* Installing the same package again replaces it. */
    assert_int_equal(hpolab_plugin_install(tarball, &none, NULL, &err),
                     HPOLAB_OK);
    assert_int_equal(hpolab_plugin_remove(dest, "myrandom", &err), HPOLAB_OK);
    assert_false(exists_in(dest, "hpolab-searcher_random.so"));
    assert_false(exists_in(dest, "hpolab-package-myrandom.json"));
    assert_int_equal(hpolab_plugin_remove(dest, "myrandom", &err),
                     HPOLAB_ERR_NOT_FOUND);
    assert_non_null(strstr(err.message, "no package 'myrandom'"));

    /* Not a tarball at all. */
    assert_int_equal(hpolab_plugin_install(so, &none, NULL, &err),
                     HPOLAB_ERR_INVALID);
    assert_non_null(strstr(err.message, "not a package"));
    rm_rf(work);
    free(so);
    free(src);
    free(dest);
    free(tarball);
    free(work);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_vectors),
        cmocka_unit_test(test_manifest_parse),
        cmocka_unit_test(test_pack_install_remove),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
