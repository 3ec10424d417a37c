/* Loads a GDExtension library the way Godot does (dlopen, then looks up the
 * entry symbol) and says whether that worked:
 *   dlopen_check LIB.so [SYMBOL]      exit 0: loaded, symbol found
 * RTLD_NOW makes the loader resolve every symbol at once, so a missing
 * library or symbol version fails here rather than later in a game.
 */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s LIB.so [SYMBOL]\n", argv[0]);
        return 2;
    }
    const char *symbol = argc > 2 ? argv[2] : "gdext_rust_init";
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "dlopen failed: %s\n", dlerror());
        return 1;
    }
    void *entry = dlsym(lib, symbol);
    if (!entry) {
        fprintf(stderr, "dlsym(%s) failed: %s\n", symbol, dlerror());
        return 1;
    }
    printf("loaded %s, %s found\n", argv[1], symbol);
    return 0;
}
