/*
 * csv.c - `--format csv`: one row per mode, times in ns, for
 * spreadsheets and gnuplot. No field needs quoting: names are plain
 * words and checksums hex.
 */
#include <math.h>

#include "cli/cli.h"

int write_csv(FILE *f, const struct run_output *ro)
{
	const struct bench_report *r = ro->report;

	fputs("workload,mode,workers,size,chunk,seed,samples,median_ns,ci_low_ns,ci_high_ns,"
	      "min_ns,max_ns,mean_ns,stddev_ns,cv,outliers,items_per_s,speedup,efficiency,"
	      "cpu_median_ns,maxrss_kb,checksum,verified,engine\n", f);
	for (size_t i = 0; i < r->nresults; i++) {
		const struct bench_mode_result *mr = &r->results[i];
		const struct bench_stats *s = &mr->wall;

		fprintf(f, "%s,%s,%u,%llu,%llu,%llu,%zu,%.0f,%.0f,%.0f,%.0f,%.0f,%.1f,%.1f,%.6f,%zu,%.6g,",
			r->wl->name, mr->mode->name, mr->workers,
			(unsigned long long)mr->size,
			(unsigned long long)mr->chunk,
			(unsigned long long)r->params.seed, mr->nsamples,
			s->median, s->ci_low, s->ci_high, s->min, s->max,
			s->mean, s->stddev, s->cv, s->outliers,
			mr->items_per_s);
		if (isnan(mr->speedup))
			fputs(",,", f);
		else
			fprintf(f, "%.6f,%.6f,", mr->speedup, mr->efficiency);
		fprintf(f, "%.0f,%llu,%s,%s,%s\n", mr->cpu.median,
			(unsigned long long)mr->maxrss_kb, mr->checksum,
			mr->verified ? "true" : "false",
			bench_engine_name(mr->engine));
	}
	return ferror(f) ? -1 : 0;
}
