/*
 * stacks.c - the weighted stacks a profile is made of, root first, for
 * every output that adds costs up along stacks (tally.c, collapsed.c,
 * callgrind.c): a cpu sample weighs 1, a count call-tree node its own
 * time on its path, a mem allocation site its bytes.
 *
 * The design choice to know: count's call tree is walked as the stacks
 * of its nodes, each weighing the time spent in its own function on that
 * path, so one rule serves sampled and counted profiles alike: a
 * function's cost is the weight of the stacks it is on, counted once per
 * stack, and self + callees = cumulative holds by construction.
 */
#include <stdlib.h>

#include "report.h"

int profile_stacks(struct profile *P, size_t i,
		   int (*fn)(struct profile *P, const struct stack *s, void *ud), void *ud)
{
	const struct proc *p = &P->procs[i];
	uint32_t buf[PROF_DEPTH_MAX], *path;
	uint32_t maxd = 1;
	int rc = 0;

	if (P->kind == PROF_COUNT) {
		for (size_t k = 0; k < p->nnodes; k++)
			if (p->nodes[k].depth > maxd)
				maxd = p->nodes[k].depth;
		if (!(path = malloc(maxd * sizeof(*path))))
			return -1;
		for (size_t k = 0; k < p->nnodes && !rc; k++) {
			const struct cnode *c = &p->nodes[k];
			struct stack s = { path, c->depth, (double)c->n->self_ns, c->n->calls, c->tid };
			size_t j = k;

			for (uint32_t d = c->depth; d-- > 0; j = p->nodes[j].parent) {
				path[d] = P->node_locs[i][j];
				if (p->nodes[j].parent == PROF_NODE_ROOT)
					break;
			}
			rc = fn(P, &s, ud);
		}
		free(path);
		return rc;
	}
	if (P->kind == PROF_MEM) {
		for (size_t k = 0; k < p->nsites && !rc; k++) {
			const uint32_t *fr = P->site_frames[i][k];
			uint32_t d = p->sites[k].s->depth;
			struct stack s = { buf, d, (double)p->sites[k].s->bytes, 0, 0 };

			if (!fr || !d)
				continue;
			for (uint32_t j = 0; j < d; j++)
				buf[j] = fr[d - 1 - j];
			rc = fn(P, &s, ud);
		}
		return rc;
	}
	for (size_t k = 0; k < p->nsamples && !rc; k++) {
		const uint32_t *fr = P->frames[i][k];
		uint32_t d = p->samples[k].depth;
		struct stack s = { buf, d, 1, 0, p->samples[k].tid };

		if (!fr || !d)
			continue;
		for (uint32_t j = 0; j < d; j++)
			buf[j] = fr[d - 1 - j];
		rc = fn(P, &s, ud);
	}
	return rc;
}
