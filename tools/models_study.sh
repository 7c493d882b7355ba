#!/usr/bin/env bash
# tools/models_study.sh [BUILD_DIR] — serves scenarios/models_study.json once per model variant
# of the shipped calibration table (factors mapped onto an H100-class node) and prints latency,
# IT and facility energy per request, operational carbon and accuracy per variant from the results database results/models_study.db (the runs'
# warnings go to results/models_study.log).
set -eu
build=${1:-build}
db=results/models_study.db
mkdir -p results
rm -f "$db"
log=results/models_study.log
"$build/maasim" run scenarios/models_study.json --db "$db" --set 'models={}' >/dev/null 2>"$log"
for v in bf16_weights int8 int4_weights prune50 prune75 prune90 prune95 sparse24 \
	 lowrank_d2 lowrank_d4 lowrank_d8; do
	"$build/maasim" run scenarios/models_study.json --db "$db" --set models.variant=$v >/dev/null 2>>"$log"
done
sqlite3 -header -column "$db" "
SELECT CASE WHEN r.params LIKE '%variant%' THEN substr(r.params, instr(r.params, 'variant') + 10,
            instr(substr(r.params, instr(r.params, 'variant') + 10), '\"') - 1)
       ELSE 'dense (no models)' END AS variant,
       printf('%.2f', avg(CASE WHEN m.name = 'latency_mean_s' THEN m.value END)) AS latency_mean_s,
       printf('%.3f', avg(CASE WHEN m.name = 'energy_per_request_wh' THEN m.value END)) AS wh_per_request,
       printf('%.3f', avg(CASE WHEN m.name = 'energy_facility_per_request_wh' THEN m.value END)) AS facility_wh_per_req,
       printf('%.3f', avg(CASE WHEN m.name = 'carbon_per_request_g' THEN m.value END)) AS co2_g_per_req,
       printf('%.2f', avg(CASE WHEN m.name = 'carbon_operational_kg' THEN m.value END)) AS co2_kg,
       CASE WHEN avg(CASE WHEN m.name = 'accuracy_mean' THEN m.value END) IS NULL THEN '-'
            ELSE printf('%.4f', avg(CASE WHEN m.name = 'accuracy_mean' THEN m.value END))
       END AS accuracy
FROM runs r JOIN metrics m ON m.run_id = r.run_id
GROUP BY r.params ORDER BY min(r.run_id);"
