/* Fault: an ordinary shared library listed as a plugin: no manifest, no entry symbol. Refused from the
 * file alone: its constructor aborts the process, so loading it at all would show as a crash. */
#include <stdlib.h>

__attribute__((constructor)) static void loaded(void) {
    abort();
}

int shd_fault_plain_answer(void) {
    return 42;
}
