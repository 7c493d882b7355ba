/* fuzz_scenario.c — libFuzzer target: arbitrary bytes into feed_scenario(data, size) (see feed.h). */
#include "feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)feed_scenario(data, size);
	return 0;
}
