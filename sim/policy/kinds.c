/* kinds.c — parameter descriptors of the policies whose drivers are in other modules
 * (kinds.h). Ranges and defaults are what the scenario loader will enforce. */
#include "kinds.h"

const struct param_desc compression_static_params[] = {
	{ "variant", PARAM_STR, 0, 0, 0, NULL, "", "calibrated variant serving every request" },
	{ 0 },
};
const struct param_desc compression_load_adaptive_params[] = {
	{ "variant", PARAM_STR, 0, 0, 0, NULL, "", "cheaper variant used under pressure" },
	{ "on_queue", PARAM_NUM, 1, 0, 1e6, NULL, "1", "waiting requests per slot that switch to it" },
	{ "off_queue", PARAM_NUM, 0.25, 0, 1e6, NULL, "1", "waiting requests per slot that switch back" },
	{ 0 },
};
const struct param_desc compression_carbon_adaptive_params[] = {
	{ "variant", PARAM_STR, 0, 0, 0, NULL, "", "cheaper variant used when the grid is dirty" },
	{ "on_g_per_kwh", PARAM_NUM, 300, 0, 1e4, NULL, "g/kWh", "intensity that switches to it" },
	{ "off_g_per_kwh", PARAM_NUM, 250, 0, 1e4, NULL, "g/kWh", "intensity that switches back" },
	{ 0 },
};
const struct param_desc compression_quality_budget_params[] = {
	{ "target_accuracy", PARAM_NUM, 0.95, 0, 1, NULL, "1",
	  "mean delivered accuracy to keep; the least-energy variant mix that meets it" },
	{ 0 },
};
/* cooling policies' parameters: policy/cool.c */
const struct param_desc power_sleep_idle_params[] = {
	{ "timeout_s", PARAM_NUM, 300, 0, 1e9, NULL, "s", "idle time before a node sleeps" },
	{ "min_awake", PARAM_NUM, 1, 0, 1e6, NULL, "1", "nodes kept awake" },
	{ "period_s", PARAM_NUM, 30, 1, 1e6, NULL, "s", "how often idle times are checked" },
	{ 0 },
};
const struct param_desc power_dvfs_params[] = {
	{ "up_util", PARAM_NUM, 0.8, 0, 1, NULL, "1", "utilisation above which clocks go to nominal" },
	{ "down_util", PARAM_NUM, 0.3, 0, 1, NULL, "1", "utilisation below which clocks step down" },
	{ "period_s", PARAM_NUM, 60, 1, 1e6, NULL, "s", "governor period" },
	{ 0 },
};
const struct param_desc power_cap_params[] = {
	{ "cap_w", PARAM_NUM, 0, 0, 1e12, NULL, "W", "site IT power cap (0: follow on-site renewables)" },
	{ "floor_w", PARAM_NUM, 0, 0, 1e12, NULL, "W", "never cap below this" },
	{ "period_s", PARAM_NUM, 300, 1, 1e7, NULL, "s", "control step: how often the cap is set" },
	{ 0 },
};
const struct param_desc storage_arbitrage_params[] = {
	{ "window_s", PARAM_NUM, 86400, 3600, 1e7, NULL, "s", "forecast window looked at" },
	{ "q_lo", PARAM_NUM, 0.25, 0, 1, NULL, "1", "charge when now is below this quantile" },
	{ "q_hi", PARAM_NUM, 0.75, 0, 1, NULL, "1", "discharge when now is above this quantile" },
	{ "forecast", PARAM_STR, 0, 0, 0, "oracle", "", "oracle, persistence or noisy" },
	{ "forecast_sigma", PARAM_NUM, 0.1, 0, 10, NULL, "1", "noisy: relative error sd" },
	{ "forecast_rho", PARAM_NUM, 0.8, 0, 0.999, NULL, "1", "noisy: error correlation" },
	{ 0 },
};
