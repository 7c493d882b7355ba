/* fuzz_sweep.c — libFuzzer target: arbitrary bytes into feed_sweep(data, size) (see feed.h). */
#include "feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)feed_sweep(data, size);
	return 0;
}
