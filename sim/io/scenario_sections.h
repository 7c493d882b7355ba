/* scenario_sections.h — section loaders kept in their own files (sim/io/scenario_*.c), called
 * by the scenario loader's load_root/load_policies. cJSON stays inside sim/io. */
#ifndef MAASIM_SCENARIO_SECTIONS_H
#define MAASIM_SCENARIO_SECTIONS_H

#include "io/jv.h"
#include "io/scenario.h"

/* policies.signals (scenario_signals.c): fills s->signals from obj (NULL: no signals). */
int scenario_load_signals(struct jv *v, struct scenario *s, const cJSON *obj);

#endif
