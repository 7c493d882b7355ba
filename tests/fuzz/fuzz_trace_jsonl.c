/* fuzz_trace_jsonl.c — libFuzzer target: arbitrary bytes into feed_trace(data, size, 1) (see feed.h). */
#include "feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)feed_trace(data, size, 1);
	return 0;
}
