/* loader_probe.c: loads one plugin file with hpolab_loader_load_file and
 * checks that it provides a component:
 *     sdk_loader_probe <file> <kind> <id>
 * Exit 0 when it does; 1 with the loader's message otherwise. Used by
 * tests/sdk/out_of_tree.sh. */
#include <stdio.h>

#include "plugin_loader.h"
#include "registry.h"

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: sdk_loader_probe <file> <kind> <id>\n");
        return 2;
    }
    struct hpolab_registry *reg = NULL;
    struct hpolab_error err;
    const struct hpolab_component *c = NULL;
    int32_t st = hpolab_registry_create(&reg, &err);
    if (st == HPOLAB_OK)
        st = hpolab_loader_load_file(reg, argv[1], &err);
    if (st == HPOLAB_OK)
        st = hpolab_registry_require(reg, hpolab_kind_from_name(argv[2]),
                                     argv[3], &c, &err);
    if (st == HPOLAB_OK)
        printf("loaded %s '%s' from plugin '%s' %s (ABI %u.%u): %s\n",
               argv[2], c->id, c->plugin->name, c->plugin->version,
               c->plugin->abi_major, c->plugin->abi_minor, c->plugin->path);
    else
        fprintf(stderr, "sdk_loader_probe: %s\n", err.message);
    hpolab_registry_destroy(reg);
    return st == HPOLAB_OK ? 0 : 1;
}
