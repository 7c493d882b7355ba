/* cluster.h — configuration of the compute nodes (plain structs filled by the loader). */
#ifndef MAASIM_CLUSTER_H
#define MAASIM_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include "dc/batch.h"

struct profile_config;

/* One model variant a compression policy can choose per request (policies.compression; the
 * table is built by io/scenario_models.c from the calibration table). Row 0 is the base model
 * (models.variant, dense_fp32 by default). Factors are relative to the node types as
 * configured: f.time_prefill / f.time_decode scale an LLM request's prefill and decode time
 * (a job's service time takes time_decode, the calibration's CPU default), f.power the node's
 * busy power; accuracy (0..1) is what serving a request with it delivers (measured). */
struct variant_cfg {
	const char *name;
	struct batch_factors f;
	double accuracy;
	double weight_factor_16bit; /* weight bytes vs a 16-bit model */
};

/* At most this many variants in a run's table (a request stores its variant in a byte). */
#define VARIANTS_MAX 64

/* A node type. The simplest is a generic server: slots concurrent requests, power linear from
 * idle_w (no request) to peak_w (all slots busy). LLM requests on a slot node take
 * in_tokens / prefill_tokens_per_s + out_tokens / decode_tokens_per_s seconds of one slot. */
struct node_type_cfg {
	const char *name;
	int slots;                     /* concurrent requests */
	double idle_w, peak_w;         /* W, whole node */
	double prefill_tokens_per_s;   /* 0: cannot serve llm requests */
	double decode_tokens_per_s;
	double memory_gb;              /* informational for now */
	double embodied_kg;            /* kg CO2e per node (0 = not given) */
	double lifetime_years;
	/* LLM serving profile (sim/dc/profile.h, llm.c); NULL: a slot server as above. With a
	 * profile, slots caps the batch handed to the node and power comes from the profile. */
	const struct profile_config *profile;
	int pstate;                    /* initial power-cap state index in the profile */
};

struct node_group_cfg {
	size_t type;  /* index into cluster_cfg.types */
	int count;
};

struct cluster_cfg {
	struct node_type_cfg *types;
	size_t n_types;
	struct node_group_cfg *groups;
	size_t n_groups;
	long queue_capacity;  /* waiting requests admitted (central or per node); <0: unlimited */
	/* variants a compression policy chooses from, per request (n_variants 0: none; every
	 * request is served as the node types say) */
	const struct variant_cfg *variants;
	size_t n_variants;
	uint64_t variants_reported; /* bit i: variant_share.<name of row i> is reported */
};

#endif
