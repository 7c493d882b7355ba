/* registry.c — every policy of every kind, by name (policy.h). Add a policy by adding its
 * descriptor to the array of its kind. */
#include "policy.h"

#include <stdio.h>
#include <string.h>

#include "policy/dispatch.h"
#include "policy/kinds.h"
#include "policy/power.h"

const char *const policy_kind_names[POLICY_KINDS] = { "dispatch", "compression", "cooling", "power",
						      "battery" };
const char *const policy_default_names[POLICY_KINDS] = { "fifo", "none", "fixed_setpoint", "always_on",
							 "self_consumption" };

static const struct param_desc no_params[] = { { 0 } };

/* compression "none" and power "always_on" are what a datacenter without such a policy does:
 * every request runs on the dense model, every node stays powered. They are the baselines. */
static const struct policy_desc compression_none = {
	POLICY_COMPRESSION, "none",
	"serve every request with the scenario's model (models.variant; dense without a models section)",
	no_params, NULL,
};
static const struct policy_desc power_always_on = {
	POLICY_POWER, "always_on", "every node stays powered and at full clocks", no_params, NULL,
};
static const struct policy_desc cooling_fixed = {
	POLICY_COOLING, "fixed_setpoint",
	"cooling keeps the configured supply-air setpoint whatever the load and weather", no_params,
	NULL,
};

static const struct policy_desc *const dispatch_list[] = {
	&dispatch_fifo, &dispatch_least_loaded,
	/* policies branch: dispatch_rr.c, dispatch_edf.c, shift.c */
	&dispatch_round_robin, &dispatch_edf, &dispatch_carbon_aware, &dispatch_price_aware,
	&dispatch_renewable_following, &dispatch_power_aware, &dispatch_kv_aware,
	NULL,
};
static const struct policy_desc *const compression_list[] = {
	&compression_none,
	/* compress branch: per-request variants (compress.c) */
	&compress_static, &compress_load_adaptive, &compress_carbon_adaptive, &compress_quality_budget,
	NULL,
};
static const struct policy_desc *const cooling_list[] = { &cooling_fixed, NULL };
static const struct policy_desc *const power_list[] = {
	&power_always_on,
	&power_cap, &power_sleep_idle, &power_dvfs, /* policies branch: power.c */
	NULL,
};

/* policies branch: battery dispatch (storage.c), driven by the run loop's facility steps */
static const struct policy_desc *const battery_list[] = {
	&storage_self_consumption, &storage_carbon_arbitrage, &storage_price_arbitrage, NULL,
};

static const struct policy_desc *const *const lists[POLICY_KINDS] = {
	dispatch_list, compression_list, cooling_list, power_list, battery_list,
};

const struct policy_desc *policy_at(enum policy_kind kind, size_t i)
{
	const struct policy_desc *const *l = lists[kind];
	for (size_t k = 0; l[k]; k++)
		if (k == i)
			return l[k];
	return NULL;
}

const struct policy_desc *policy_find(enum policy_kind kind, const char *name)
{
	const struct policy_desc *d;
	for (size_t i = 0; (d = policy_at(kind, i)) != NULL; i++)
		if (strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

void policy_names(enum policy_kind kind, char *buf, size_t n)
{
	const struct policy_desc *d;
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; (d = policy_at(kind, i)) != NULL && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : "", d->name);
}

static int param_index(const struct policy_desc *d, const char *name)
{
	for (int i = 0; d->params[i].name; i++)
		if (strcmp(d->params[i].name, name) == 0)
			return i;
	return -1;
}

double policy_num(const struct policy_choice *c, const char *name)
{
	int i = param_index(c->desc, name);
	return i < 0 ? 0 : c->num[i];
}

const char *policy_str(const struct policy_choice *c, const char *name)
{
	int i = param_index(c->desc, name);
	return i < 0 ? NULL : c->str[i];
}
