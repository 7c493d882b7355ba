/* policy.h — the policy registry: every policy is a static const descriptor found by name.
 *
 * A descriptor names the policy, gives a one-line doc for `maasim list`, declares its
 * parameters (name, type, default, range, doc) so the scenario loader validates them, and points
 * to the kind-specific ops table (struct dispatch_ops for dispatch, ...). Policies of each kind
 * are listed in one registry array in registry.c; an unknown name is an error listing the valid
 * ones. Callers go through small wrappers (dispatch_*), never through the ops directly.
 */
#ifndef MAASIM_POLICY_H
#define MAASIM_POLICY_H

#include <stddef.h>

enum policy_kind { POLICY_DISPATCH, POLICY_COMPRESSION, POLICY_COOLING, POLICY_POWER, POLICY_BATTERY,
		   POLICY_KINDS };

enum param_type { PARAM_NUM, PARAM_STR };

struct param_desc {
	const char *name;
	enum param_type type;
	double def, min, max;  /* PARAM_NUM: default and inclusive range */
	const char *def_s;     /* PARAM_STR: default (NULL = required) */
	const char *unit;
	const char *doc;
};

#define POLICY_MAX_PARAMS 8

struct policy_desc {
	enum policy_kind kind;
	const char *name;
	const char *doc;
	const struct param_desc *params; /* terminated by a NULL name */
	const void *ops;                 /* kind-specific ops table */
};

/* A policy chosen by a scenario, with validated parameter values by descriptor index. */
struct policy_choice {
	const struct policy_desc *desc;
	double num[POLICY_MAX_PARAMS];
	const char *str[POLICY_MAX_PARAMS];
};

extern const char *const policy_kind_names[POLICY_KINDS];
/* The default policy name of each kind (used when a scenario leaves the kind out). */
extern const char *const policy_default_names[POLICY_KINDS];

/* Descriptor by kind and name, or NULL. */
const struct policy_desc *policy_find(enum policy_kind kind, const char *name);
/* The i-th descriptor of a kind, or NULL past the end. */
const struct policy_desc *policy_at(enum policy_kind kind, size_t i);
/* Writes "a, b, c" (the valid names of a kind) into buf. */
void policy_names(enum policy_kind kind, char *buf, size_t n);

/* Parameter value of a choice by name (PARAM_NUM); the descriptor's default when unset. */
double policy_num(const struct policy_choice *c, const char *name);
const char *policy_str(const struct policy_choice *c, const char *name);

#endif
