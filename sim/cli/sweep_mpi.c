/* sweep_mpi.c — a sweep across Open MPI ranks: rank 0 hands out trials and writes the database.
 *
 * Built with -DMAASIM_MPI (the Makefile adds it when mpicc exists); otherwise every entry point
 * reports that this build has no MPI. Protocol on MPI_COMM_WORLD: a worker rank sends READY
 * (no data), then receives TASK (one int: the trial index) or STOP; after each TASK it sends
 * RESULT (one sweep_wire message, which also carries the trial key the worker computed: rank 0
 * checks it against its own, so ranks that loaded different files are caught, not mixed).
 * Rank 0 only dispatches and writes: run N+1 ranks for N computing workers. Waiting is done
 * with MPI_Iprobe and a 1 ms sleep, so an idle rank 0 does not spin a core and notices SIGINT.
 * A stop (*stop = 1: rank 0's first SIGINT/SIGTERM) sends no more trials and drains the ones in
 * flight: they finish and are stored. A second signal (*stop = 2) abandons the drain: rank 0
 * stops waiting, its caller closes the database, and sweep_mpi_finalize ends the job with
 * MPI_Abort, since MPI_Finalize would wait for ranks still inside their trials (a trial that
 * never ends would hold it for good); their trials are not stored and a resume reruns them.
 */
#include "sweep_exec.h"

#include <stdlib.h>
#include <string.h>

/* Launchers set these: Open MPI's mpirun, and PMI/PMIx (Slurm srun, MPICH, Open MPI 5). */
int sweep_mpi_launched(void)
{
	static const char *const vars[] = { "OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK",
					    "PMI_SIZE", NULL };
	for (int i = 0; vars[i]; i++)
		if (getenv(vars[i]))
			return 1;
	return 0;
}

#ifdef MAASIM_MPI
#include <mpi.h>
#include <stdio.h>
#include <time.h>

#include "engine/xalloc.h"

enum { TAG_READY = 1, TAG_TASK = 2, TAG_STOP = 3, TAG_RESULT = 4 };

/* Set when rank 0 left worker ranks inside their trials (sweep_mpi_serve after a second stop). */
static int ranks_abandoned;

int sweep_mpi_built(void) { return 1; }

int sweep_mpi_init(int *rank, int *size, struct err *e)
{
	if (MPI_Init(NULL, NULL) != MPI_SUCCESS)
		return err_set(e, "sweep: MPI_Init failed");
	MPI_Comm_rank(MPI_COMM_WORLD, rank);
	MPI_Comm_size(MPI_COMM_WORLD, size);
	return 0;
}

int sweep_mpi_all_ok(int ok)
{
	int all = 0;
	MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
	return all;
}

void sweep_mpi_finalize(int exit_code)
{
	if (!ranks_abandoned) {
		MPI_Finalize();
		return;
	}
	fflush(NULL);
	MPI_Abort(MPI_COMM_WORLD, exit_code); /* ends every rank; does not return */
}

static void nap(void)
{
	struct timespec ts = { 0, 1000000 }; /* 1 ms */
	nanosleep(&ts, NULL);
}

/* Waits for a message from src (MPI_ANY_SOURCE allowed); returns 0, or 1 when *stop reached
 * level while waiting (stop may be NULL: no end but the message). */
static int wait_msg(int src, MPI_Status *st, volatile sig_atomic_t *stop, int level)
{
	for (;;) {
		int flag = 0;
		MPI_Iprobe(src, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, st);
		if (flag)
			return 0;
		if (stop && *stop >= level)
			return 1;
		nap();
	}
}

int sweep_mpi_serve(const struct sweep_job *job, const size_t *todo, size_t n,
		    volatile sig_atomic_t *stop, sweep_sink_fn sink, void *ctx,
		    struct sweep_progress *pg, struct sweep_tally *tl, struct err *e)
{
	int size, active, n_idle = 0, rc = 0;
	size_t next = 0;
	long *cur;
	int *idle;
	struct metrics ms;
	struct sweep_outcome *o = xmalloc(sizeof *o);
	struct sweep_buf b = { 0 };

	MPI_Comm_size(MPI_COMM_WORLD, &size);
	active = size - 1;
	cur = xmalloc((size_t)size * sizeof *cur);
	idle = xmalloc((size_t)size * sizeof *idle);
	for (int r = 0; r < size; r++)
		cur[r] = -1;
	metrics_init(&ms);
	while (active > 0) {
		MPI_Status st;
		int len = 0, src;

		/* on stop, keep draining: trials in flight finish and are stored, none are sent; a
		 * second signal, or the first after an error (its results are not stored anyway),
		 * abandons the drain (see the top) */
		if (wait_msg(MPI_ANY_SOURCE, &st, stop, rc == 1 ? 2 : 1)) {
			if (rc == 0) {
				rc = 1;
				continue;
			}
			ranks_abandoned = 1;
			break;
		}
		src = st.MPI_SOURCE;
		MPI_Get_count(&st, MPI_BYTE, &len);
		xgrow((void **)&b.p, &b.cap, len > 0 ? (size_t)len : 1, 1);
		MPI_Recv(b.p, len, MPI_BYTE, src, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		if (st.MPI_TAG == TAG_RESULT && cur[src] >= 0) {
			size_t t = todo[cur[src]];
			struct err de;
			err_clear(&de);
			cur[src] = -1;
			if (sweep_wire_decode(b.p, (size_t)len, o, &ms, &de) || (size_t)o->trial != t) {
				if (rc <= 0)
					rc = err_set(e, "sweep: rank %d sent a malformed or misaddressed result: %s", src, de.msg);
			} else if (strcmp(o->key, job->trials[t].key) != 0) {
				if (rc <= 0)
					rc = err_set(e, "sweep: rank %d computed trial key %s for trial %zu where rank 0 has %s: do all ranks read the same files with the same build?",
						     src, o->key, t, job->trials[t].key);
			} else if (rc != -1) {
				if (sink(ctx, o, &ms, e))
					rc = -1;
				else {
					sweep_tally_add(tl, o->ok);
					sweep_progress_step(pg, o->ok == 1);
				}
			}
		}
		if (rc == 0 && !*stop && next < n) {
			int t = (int)todo[next];
			cur[src] = (long)next++;
			MPI_Send(&t, 1, MPI_INT, src, TAG_TASK, MPI_COMM_WORLD);
		} else { /* nothing more for it: told to stop when the others are done (below) */
			idle[n_idle++] = src;
			active--;
		}
	}
	/* A rank told to stop goes into MPI_Finalize, which waits for every rank. Open MPI 4.1.4's
	 * mpirun was seen to hang, every rank a zombie, when rank 0 called MPI_Abort while one rank
	 * was in MPI_Finalize (1 run in 6 or so, also with a 20-line C program; in none of 28 runs
	 * of that program with the ranks computing instead): so the idle ranks hear STOP
	 * only once no rank is left behind, never before an abandoned drain's MPI_Abort. */
	for (int i = 0; !ranks_abandoned && i < n_idle; i++)
		MPI_Send(NULL, 0, MPI_INT, idle[i], TAG_STOP, MPI_COMM_WORLD);
	if (rc == 0 && (*stop || next < n))
		rc = 1;
	sweep_buf_fini(&b);
	metrics_fini(&ms);
	free(o);
	free(cur);
	free(idle);
	return rc;
}

int sweep_mpi_work(const struct sweep_job *job, struct err *e)
{
	struct metrics ms;
	struct sweep_outcome *o = xmalloc(sizeof *o);
	struct sweep_buf b = { 0 };
	int rc = 0;

	(void)e;
	metrics_init(&ms);
	MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_READY, MPI_COMM_WORLD);
	for (;;) {
		MPI_Status st;
		int t = -1;
		wait_msg(0, &st, NULL, 1);
		if (st.MPI_TAG != TAG_TASK) {
			MPI_Recv(NULL, 0, MPI_INT, 0, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
			break;
		}
		MPI_Recv(&t, 1, MPI_INT, 0, TAG_TASK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		if (t < 0 || (size_t)t >= job->n_trials) {
			rc = err_set(e, "sweep: rank 0 sent trial %d of %zu", t, job->n_trials);
			break;
		}
		sweep_exec_trial(job, (size_t)t, o, &ms, NULL);
		sweep_wire_encode(o, &ms, &b);
		MPI_Send(b.p, (int)b.n, MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD);
	}
	sweep_buf_fini(&b);
	metrics_fini(&ms);
	free(o);
	return rc;
}

#else /* !MAASIM_MPI */

int sweep_mpi_built(void) { return 0; }

int sweep_mpi_init(int *rank, int *size, struct err *e)
{
	*rank = 0;
	*size = 1;
	return err_set(e, "sweep: this maasim was built without Open MPI (install libopenmpi-dev and openmpi-bin, then make clean && make)");
}

int sweep_mpi_all_ok(int ok) { return ok; }

int sweep_mpi_serve(const struct sweep_job *job, const size_t *todo, size_t n,
		    volatile sig_atomic_t *stop, sweep_sink_fn sink, void *ctx,
		    struct sweep_progress *pg, struct sweep_tally *tl, struct err *e)
{
	(void)job, (void)todo, (void)n, (void)stop, (void)sink, (void)ctx, (void)pg, (void)tl;
	return err_set(e, "sweep: this maasim was built without Open MPI");
}

int sweep_mpi_work(const struct sweep_job *job, struct err *e)
{
	(void)job;
	return err_set(e, "sweep: this maasim was built without Open MPI");
}

void sweep_mpi_finalize(int exit_code) { (void)exit_code; }

#endif
