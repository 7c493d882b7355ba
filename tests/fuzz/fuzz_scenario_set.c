/* fuzz_scenario_set.c — libFuzzer target: arbitrary bytes into feed_scenario_set(data, size) (see feed.h). */
#include "feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)feed_scenario_set(data, size);
	return 0;
}
