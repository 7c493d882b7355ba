/* fuzz_baseline.c — libFuzzer target: arbitrary bytes as a regression baseline (analysis/check.c)
 * and as a params object (the report's label reader, analysis/study.c).
 *
 * The contract: check_baseline_parse returns 0 with only finite expectations and tolerances
 * >= 0, or -1 with a message that starts with the file name and no entries; the label reader
 * always returns a string. Anything else aborts, which libFuzzer reports as a crash. Baselines
 * are text the regression check reads from the repository, so the bytes go in as a string (up to
 * the first NUL, as a C reader of a text file sees them).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/check.h"
#include "analysis/study.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct check_baseline b;
	struct err e = { 0 };

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	int rc = check_baseline_parse("fuzz.tsv", text, &b, &e);
	if (rc == 0) {
		for (size_t i = 0; i < b.n; i++)
			if (!isfinite(b.v[i].expected) || !(b.v[i].tol >= 0) || !b.v[i].metric[0])
				abort();
	} else if (rc != -1 || strncmp(e.msg, "fuzz.tsv:", 9) != 0 || b.n != 0) {
		abort();
	}
	check_baseline_fini(&b);
	char *label = study_params_label(text);
	if (!label)
		abort();
	free(label);
	free(text);
	return 0;
}
