/* Defines std::ios_base_library_init() (GCC 13's GLIBCXX_3.4.32) for hosts whose
 * libstdc++ is older. Older libstdc++ initialises iostreams in its own static
 * constructor, so the function has nothing left to do. */
void _ZSt21ios_base_library_initv(void) {}
