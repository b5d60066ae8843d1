#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (compiler-rt): runs the fuzzing loop with the command line's options.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
