/* fuzz_ftrace.c — libFuzzer target: arbitrary bytes into feed_ftrace(data, size) (see feed.h):
 * the first byte picks the facility trace reader, the rest is the file. */
#include "feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)feed_ftrace(data, size);
	return 0;
}
