/* Sets VER_FLG_WEAK on one version requirement (e.g. GLIBCXX_3.4.32) in an ELF64
 * file's .gnu.version_r, so the loader accepts a host that lacks that version.
 * Usage: verneed_weak FILE VERSION.  Exit 0 when set (or already set). */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *file, const char *why) {
    fprintf(stderr, "verneed_weak: %s: %s\n", file, why);
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: verneed_weak FILE VERSION\n"); return 2; }
    const char *file = argv[1], *want = argv[2];
    FILE *f = fopen(file, "r+b");
    if (!f) return fail(file, "cannot open");
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(size);
    if (!b || fread(b, 1, size, f) != (size_t)size) return fail(file, "cannot read");
    Elf64_Ehdr *eh = (Elf64_Ehdr *)b;
    if (size < (long)sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64)
        return fail(file, "not an ELF64 file");
    if (eh->e_shoff + (Elf64_Off)eh->e_shnum * sizeof(Elf64_Shdr) > (Elf64_Off)size)
        return fail(file, "section table out of range");
    Elf64_Shdr *sh = (Elf64_Shdr *)(b + eh->e_shoff);
    for (int i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_GNU_verneed) continue;
        const char *str = (const char *)(b + sh[sh[i].sh_link].sh_offset);
        Elf64_Off off = sh[i].sh_offset;
        for (;;) {
            Elf64_Verneed *vn = (Elf64_Verneed *)(b + off);
            Elf64_Off aoff = off + vn->vn_aux;
            for (int j = 0; j < vn->vn_cnt; j++) {
                Elf64_Vernaux *va = (Elf64_Vernaux *)(b + aoff);
                if (strcmp(str + va->vna_name, want) == 0) {
                    va->vna_flags |= VER_FLG_WEAK;
                    fseek(f, aoff, SEEK_SET);
                    if (fwrite(va, sizeof *va, 1, f) != 1 || fclose(f) != 0) return fail(file, "cannot write");
                    return 0;
                }
                aoff += va->vna_next;
            }
            if (!vn->vn_next) break;
            off += vn->vn_next;
        }
    }
    return fail(file, "version requirement not found");
}
