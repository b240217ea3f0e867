#ifndef GRAVITY_CFUZZERDRIVER_SHIM_H
#define GRAVITY_CFUZZERDRIVER_SHIM_H
#include <stddef.h>
#include <stdint.h>

/* libFuzzer's entry point for programs that keep their own main (linked only with -sanitize=fuzzer). */
typedef int (*gravity_fuzz_callback)(const uint8_t *data, size_t size);
int LLVMFuzzerRunDriver(int *argc, char ***argv, gravity_fuzz_callback callback);
#endif
