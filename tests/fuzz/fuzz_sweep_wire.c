/* fuzz_sweep_wire.c — libFuzzer target: arbitrary bytes into feed_sweep_wire(data, size) (see feed.h). */
#include "feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)feed_sweep_wire(data, size);
	return 0;
}
