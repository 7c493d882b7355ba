/* sweep_exec.c — trials in this process or in forked workers; progress (sweep_exec.h).
 *
 * Forked workers: each has a task pipe (parent -> worker: a 4-byte trial index) and a result
 * pipe (worker -> parent: a 4-byte length and one sweep_wire message). A worker has one trial
 * running and up to SWEEP_QUEUE more queued in its task pipe (the k-th only while more than k
 * per worker are left, so the last trials still go to whichever worker is free), and its result
 * pipe is widened to hold many results: it goes on computing while the writer is busy, which
 * it is in bursts (SQLite's checkpoints copy the write-ahead log into the database and wait for
 * the disk: 50-80 ms every ~0.25 s in the 200-trial bench sweep, whose trials take ~8 ms).
 * The parent polls the
 * result pipes and is the only process that touches the database; workers never use the
 * parent's open database handle and leave with _exit. A worker that dies (signal, abort) is
 * replaced and its trial counted as crashed (not stored, so a rerun retries it). Workers ignore
 * SIGINT (the parent decides) and, on Linux, die with the parent (PR_SET_PDEATHSIG), so a
 * kill -9 of the parent leaves no orphan running. Without PDEATHSIG, an orphan ends at its next
 * read (end of file) or write (EPIPE).
 */
#include "sweep_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "cli/run.h"
#include "engine/xalloc.h"

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- progress ---- */

static void fmt_dur(double s, char *buf, size_t n)
{
	long t = s < 0 || s > 1e8 ? 0 : (long)(s + 0.5);
	if (t >= 3600)
		snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, n, "%ld:%02ld", t / 60, t % 60);
}

void sweep_progress_start(struct sweep_progress *pg, size_t total, int quiet)
{
	memset(pg, 0, sizeof *pg);
	pg->total = total;
	pg->quiet = quiet;
	pg->tty = isatty(STDERR_FILENO);
	pg->t0_s = pg->last_s = mono_s();
}

static void progress_draw(struct sweep_progress *pg, int final)
{
	double now = mono_s(), el = now - pg->t0_s;
	double eta = pg->done ? el / (double)pg->done * (double)(pg->total - pg->done) : 0;
	char e1[32], e2[32], fails[32] = "";
	int pct = pg->total ? (int)(100.0 * (double)pg->done / (double)pg->total) : 100;

	fmt_dur(el, e1, sizeof e1);
	fmt_dur(eta, e2, sizeof e2);
	if (pg->failed)
		snprintf(fails, sizeof fails, ", %zu failed", pg->failed);
	if (pg->tty) {
		char bar[31];
		size_t fill = pg->total ? pg->done * 30 / pg->total : 30;
		for (size_t i = 0; i < 30; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[30] = '\0';
		fprintf(stderr, "\r[%s] %zu/%zu %3d%%  %s elapsed  ETA %s%s \033[K", bar, pg->done,
			pg->total, pct, e1, pg->done ? e2 : "?", fails);
		if (final)
			fputc('\n', stderr);
	} else {
		fprintf(stderr, "sweep: %zu/%zu trials (%d%%), %s elapsed, ETA %s%s\n", pg->done,
			pg->total, pct, e1, pg->done ? e2 : "?", fails);
	}
	fflush(stderr);
	pg->last_s = now;
}

void sweep_progress_step(struct sweep_progress *pg, int ok)
{
	double now;
	int decile;

	pg->done++;
	if (!ok)
		pg->failed++;
	if (pg->quiet)
		return;
	now = mono_s();
	decile = pg->total ? (int)(10 * pg->done / pg->total) : 10;
	if (pg->tty ? now - pg->last_s >= 0.1 || pg->done == pg->total
		    : decile != pg->last_decile || now - pg->last_s >= 30) {
		pg->last_decile = decile;
		progress_draw(pg, 0);
	}
}

void sweep_progress_end(struct sweep_progress *pg)
{
	if (pg->quiet || !pg->total)
		return;
	if (pg->tty)
		progress_draw(pg, 1);
	else if (pg->last_decile != 10)
		progress_draw(pg, 1);
}

/* ---- one trial ---- */

void sweep_trial_key(const char *scenario_hash, long rep, const char *version, char *out, size_t n)
{
	uint64_t vh = scenario_hash64(version, strlen(version));
	snprintf(out, n, "%s.r%ld.%08llx", scenario_hash, rep, (unsigned long long)(vh & 0xffffffffULL));
}

void sweep_cache_fini(struct sweep_cache *c)
{
	if (!c)
		return;
	for (int i = 0; i < SWEEP_CACHE_N; i++) {
		scenario_free(c->sc[i]);
		c->sc[i] = NULL;
	}
}

/* The scenario of point p: preloaded, cached, or loaded now (and checked against the hash the
 * sweep computed when it started, so a file edited meanwhile is caught, not silently mixed). */
static const struct scenario *point_scenario(const struct sweep_job *job, size_t p, struct err *e)
{
	const struct sweep_point *pt = &job->spec->points[p];
	struct sweep_cache *c = job->cache;
	struct scenario *sc;

	if (job->sc && job->sc[p])
		return job->sc[p];
	for (int i = 0; i < SWEEP_CACHE_N; i++)
		if (c->sc[i] && c->point[i] == p)
			return c->sc[i];
	if (scenario_load(job->spec->scenarios[pt->scenario], pt->sets, pt->n_sets, &sc, e))
		return NULL;
	if (strcmp(sc->hash, job->pinfo[p].hash) != 0) {
		err_set(e, "point \"%s\": its scenario changed since the sweep started (hash %s, was %s)",
			pt->label, sc->hash, job->pinfo[p].hash);
		scenario_free(sc);
		return NULL;
	}
	scenario_free(c->sc[c->next]);
	c->sc[c->next] = sc;
	c->point[c->next] = p;
	c->next = (c->next + 1) % SWEEP_CACHE_N;
	return sc;
}

void sweep_exec_trial(const struct sweep_job *job, size_t t, struct sweep_outcome *o,
		      struct metrics *ms, const volatile sig_atomic_t *interrupt)
{
	const struct sweep_trial *tr = &job->trials[t];
	const struct scenario *sc;
	struct run_info info;
	struct err e;
	time_t now = time(NULL);
	struct tm tm;
	double t0;
	int rc;

	memset(o, 0, sizeof *o);
	metrics_reset(ms);
	o->trial = (long)t;
	snprintf(o->key, sizeof o->key, "%s", tr->key);
	gmtime_r(&now, &tm);
	strftime(o->started_at, sizeof o->started_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
	err_clear(&e);
	memset(&info, 0, sizeof info);
	t0 = mono_s();
	if (!(sc = point_scenario(job, tr->point, &e))) {
		o->ok = SWEEP_NOT_RUN;
		snprintf(o->message, sizeof o->message, "%s", e.msg);
		return;
	}
	rc = run_replication_interruptible(sc, tr->rep, ms, &info, interrupt, &e);
	o->ok = rc == 0;
	o->wall_s = mono_s() - t0;
	o->events = info.events;
	if (rc == 1 || (interrupt && *interrupt)) { /* stopped before its horizon: no result */
		o->ok = SWEEP_NOT_RUN;
		snprintf(o->message, sizeof o->message, "interrupted");
		metrics_reset(ms);
		return;
	}
	if (!o->ok) {
		snprintf(o->message, sizeof o->message, "%s", e.msg);
		metrics_reset(ms); /* a failed run's numbers are not results */
	}
}

void sweep_tally_add(struct sweep_tally *tl, int ok)
{
	if (ok == 1)
		tl->stored++;
	else if (ok == 0)
		tl->failed++;
	else
		tl->not_run++;
}

/* ---- forked workers ---- */

/* Trials queued behind the running one, per worker: enough to cover a writer's stall of a
 * checkpoint (see the top) with trials of a few ms (32: measured against 8 and 64 on the
 * 200-trial bench sweep, README "Sweeps"); the result pipe (SWEEP_PIPE_BYTES, Linux) holds
 * about as many results of ~30 kB (a trial's 1,500 rows) so that sending does not block. */
#define SWEEP_QUEUE 32
#define SWEEP_PIPE_BYTES (1 << 20)

/* Workers run at this lower priority (nice), so that the writer, the one serial process, gets a
 * core as soon as a result arrives instead of waiting for a worker's time slice: on a busy
 * machine the writer of the 200-trial bench sweep at -j 2 waited 0.5-0.85 s for a core within
 * its writes at nice 0 and 0.1-0.16 s with workers at 10 (/proc/thread-self/schedstat,
 * 2026-11-29). Workers still take every cycle the writer leaves; among other processes, Linux
 * weighs the sweep as one session while autogroup is on (kernel.sched_autogroup_enabled, the
 * default here); with it off, the workers also yield to every other process at nice 0. */
#define SWEEP_WORKER_NICE 10

struct worker {
	pid_t pid;
	int to_fd, from_fd;
	long q[1 + SWEEP_QUEUE]; /* indices into todo: q[0] runs, q[1..nq) are queued behind it */
	int nq;                  /* 0: idle */
};

/* The trials still to hand out: todo[next..n), and first the ones taken back from a worker that
 * died with them queued (at most SWEEP_QUEUE + 1 per worker at a time). */
struct dispenser {
	size_t next, n;
	long *back;
	size_t n_back;
};

static size_t remaining(const struct dispenser *d) { return d->n_back + (d->n - d->next); }

static long take(struct dispenser *d)
{
	if (d->n_back)
		return d->back[--d->n_back];
	return d->next < d->n ? (long)d->next++ : -1;
}

static int write_full(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The writer's wait in the main loop and for the rest of a result: at most this long between
 * two looks at the stop flag (a signal interrupts the wait at once, the signals being delivered
 * to this thread: store.c's checkpoint thread blocks them; this bounds the case where one lands
 * just before the wait starts). */
#define SWEEP_POLL_MS 500

/* Reads n bytes of a message: 1 on success, 0 on end of file at the start, -1 on error or a short
 * message, 2 when *stop is set first (stop may be NULL: a worker's blocking read of its task).
 * The writer reads results from non-blocking pipes: when nothing is there it waits in poll, at
 * most SWEEP_POLL_MS between looks at *stop, and a stop abandons the result (as every trial in
 * flight is on a stop). A worker stopped half-way through a message (SIGSTOP, a debugger, a
 * frozen cgroup) kept a blocking read() waiting for good, and SIGTERM or the first Ctrl-C, which
 * only set the flag, were not seen. (Reading first and polling only when the pipe is empty: 225
 * polls and 512 reads on the 200-trial bench sweep at -j 2, against 162 and 451 with blocking
 * reads; docs/performance.md.) */
static int read_msg(int fd, void *p, size_t n, volatile sig_atomic_t *stop)
{
	char *c = p;
	size_t got = 0;
	while (got < n) {
		ssize_t r;
		if (stop && *stop)
			return 2;
		r = read(fd, c + got, n - got);
		if (r > 0) {
			got += (size_t)r;
			continue;
		}
		if (r == 0)
			return got ? -1 : 0;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			struct pollfd pf = { fd, POLLIN, 0 };
			if (poll(&pf, 1, SWEEP_POLL_MS) < 0 && errno != EINTR)
				return -1;
		} else if (errno != EINTR) {
			return -1;
		}
	}
	return 1;
}

static void put_u32(unsigned char *b, uint32_t x)
{
	for (int i = 0; i < 4; i++)
		b[i] = (unsigned char)(x >> (8 * i));
}

static uint32_t get_u32(const unsigned char *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

#ifdef MAASIM_FAULT
/* Test builds: MAASIM_TEST_WORKER_STALL=N stops a worker (SIGSTOP) after it sent the length of
 * its N-th result and before the result itself, so the writer waits for a message that does not
 * come (tests/sh/t_sweep.sh: SIGTERM must still end the sweep). */
static void stall_point(long *sent)
{
	const char *at = getenv("MAASIM_TEST_WORKER_STALL");

	if (at && ++*sent == atol(at))
		raise(SIGSTOP);
}

/* Test builds: MAASIM_TEST_REAP_RACE=1 makes the last moments of a sweep that ends normally the
 * race reap closes: each worker stops itself (SIGSTOP) when its task pipe ends, instead of
 * exiting, and the writer's first wait for a worker to exit raises SIGTERM right after its look
 * at the stop flag, before it starts waiting (tests/sh/t_sweep.sh: the sweep must still end,
 * with 130). */
static int reap_race(void) { return getenv("MAASIM_TEST_REAP_RACE") != NULL; }

static void exit_stall_point(void)
{
	if (reap_race())
		raise(SIGSTOP);
}

static void reap_race_point(void)
{
	static int raised;

	if (!raised && reap_race()) {
		raised = 1;
		raise(SIGTERM);
	}
}
#else
static void stall_point(long *sent) { (void)sent; }
static void exit_stall_point(void) {}
static void reap_race_point(void) {}
#endif

static _Noreturn void worker_main(const struct sweep_job *job, int in_fd, int out_fd)
{
	struct metrics ms;
	struct sweep_outcome o;
	struct sweep_buf b = { 0 };
	unsigned char hdr[4];
	long sent = 0;

	metrics_init(&ms);
	for (;;) {
		uint32_t t;
		/* the cache holds scenarios of this worker only: it is freed by _exit */
		if (read_msg(in_fd, hdr, 4, NULL) != 1)
			break; /* parent closed the pipe (done) or died */
		t = get_u32(hdr);
		if (t >= job->n_trials)
			break;
		sweep_exec_trial(job, t, &o, &ms, NULL); /* workers ignore SIGINT */
		sweep_wire_encode(&o, &ms, &b);
		put_u32(hdr, (uint32_t)b.n);
		if (write_full(out_fd, hdr, 4))
			break;
		stall_point(&sent);
		if (write_full(out_fd, b.p, b.n))
			break;
	}
	exit_stall_point();
	/* _exit: no stdio flush, no atexit, nothing of the parent's database is touched */
	_exit(0);
}

static int spawn(const struct sweep_job *job, struct worker *w, const struct worker *others,
		 size_t n_others, struct err *e)
{
	int to[2], from[2];
	pid_t pid;

	if (pipe(to))
		return err_set(e, "sweep: cannot create a pipe: %s", strerror(errno));
	if (pipe(from)) {
		close(to[0]);
		close(to[1]);
		return err_set(e, "sweep: cannot create a pipe: %s", strerror(errno));
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(to[0]), close(to[1]), close(from[0]), close(from[1]);
		return err_set(e, "sweep: cannot start a worker process: %s", strerror(errno));
	}
	if (pid == 0) {
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_DFL);
		/* the writer first: see SWEEP_WORKER_NICE. Its result is not checked: a failure leaves
		 * the inherited priority, and -1 is also a valid new niceness */
		if (nice(SWEEP_WORKER_NICE) == -1)
			errno = 0;
#ifdef __linux__
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(0); /* the parent died before prctl took effect */
#endif
		for (size_t i = 0; i < n_others; i++)
			if (others[i].pid > 0) {
				close(others[i].to_fd);
				close(others[i].from_fd);
			}
		close(to[1]);
		close(from[0]);
		worker_main(job, to[0], from[1]);
	}
	close(to[0]);
	close(from[1]);
	/* read_msg (should this fail, its reads block as they did before it) */
	fcntl(from[0], F_SETFL, fcntl(from[0], F_GETFL) | O_NONBLOCK);
#ifdef F_SETPIPE_SZ
	fcntl(from[0], F_SETPIPE_SZ, SWEEP_PIPE_BYTES); /* a hint: the default 64 kB also works */
#endif
	w->pid = pid;
	w->to_fd = to[1];
	w->from_fd = from[0];
	w->nq = 0;
	return 0;
}

/* Waits for the end of a worker's result pipe (fd): its only writer is the worker (spawn closes
 * the write end in the parent before the next fork), so the end of file means the worker has
 * exited, or is exiting. Like read_msg, it waits in poll at most SWEEP_POLL_MS between looks at
 * *stop, and returns 1 when *stop is set first, 0 at the end of the pipe (or an error: the
 * caller's waitpid then waits, as before). Anything still in the pipe is read and dropped (at
 * the normal end there is nothing: every result was read). */
static int wait_pipe_end(int fd, volatile sig_atomic_t *stop)
{
	char drop[4096];

	for (;;) {
		struct pollfd pf = { fd, POLLIN, 0 };
		ssize_t r;
		if (*stop)
			return 1;
		reap_race_point();
		if (poll(&pf, 1, SWEEP_POLL_MS) < 0 && errno != EINTR)
			return 0;
		if (!(pf.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		r = read(fd, drop, sizeof drop);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
			return 0;
	}
}

/* Ends worker w: killed (kill_it, or *stop already set: stop may be NULL), or left to see the
 * end of its task pipe and exit; a worker that does not (stopped: SIGSTOP...) is killed once
 * *stop is set. The wait for its exit is wait_pipe_end's poll, which looks at *stop every
 * SWEEP_POLL_MS: it was waitpid, which a signal interrupted, but one landing between the look at
 * *stop and waitpid's start was seen only at the next signal (which ended the process), and
 * the sweep waited for a stopped worker meanwhile. After the end of its pipe, or the SIGKILL,
 * the worker is gone or going: waitpid returns at once. */
static void reap(struct worker *w, int kill_it, volatile sig_atomic_t *stop)
{
	if (w->pid <= 0)
		return;
	if (stop && *stop)
		kill_it = 1;
	close(w->to_fd);
	if (!kill_it && stop && wait_pipe_end(w->from_fd, stop))
		kill_it = 1;
	if (kill_it)
		kill(w->pid, SIGKILL);
	close(w->from_fd);
	while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
		;
	w->pid = -1;
}

static int send_task(struct worker *w, const size_t *todo, long i)
{
	unsigned char hdr[4];
	put_u32(hdr, (uint32_t)todo[i]);
	if (write_full(w->to_fd, hdr, 4))
		return -1;
	w->q[w->nq++] = i;
	return 0;
}

/* Worker w sent the result of q[0]: the next queued one runs. */
static void task_done(struct worker *w)
{
	memmove(w->q, w->q + 1, (size_t)(w->nq - 1) * sizeof *w->q);
	w->nq--;
}

/* Gives worker k work: a trial to run when it is idle, and the k-th to queue behind the running
 * one while more than k trials per worker are left, up to SWEEP_QUEUE (so a worker never waits
 * for the writer to hand out its next trial; near the end trials go only to idle workers, so
 * uneven ones still balance). An idle worker that died (its pipe is broken) is reaped and
 * replaced once; a busy one's death is left to the result path. Returns 0, or -1 with e. */
static int assign(const struct sweep_job *job, struct worker *w, size_t nw, size_t k,
		  const size_t *todo, struct dispenser *d, size_t *inflight, struct err *e)
{
	while (w[k].nq <= SWEEP_QUEUE && remaining(d) > 0 &&
	       (w[k].nq == 0 || remaining(d) > nw * (size_t)w[k].nq)) {
		long i = take(d);
		if (send_task(&w[k], todo, i) == 0) {
			++*inflight;
			continue;
		}
		if (w[k].nq > 0) { /* dying while it runs a trial: the result path sees it */
			d->back[d->n_back++] = i;
			return 0;
		}
		reap(&w[k], 1, NULL);
		if (spawn(job, &w[k], w, nw, e))
			return -1;
		if (send_task(&w[k], todo, i))
			return err_set(e, "sweep: cannot reach a freshly started worker: %s", strerror(errno));
		++*inflight;
	}
	return 0;
}

static int run_serial(const struct sweep_job *job, const size_t *todo, size_t n,
		      volatile sig_atomic_t *stop, sweep_sink_fn sink, void *ctx,
		      struct sweep_progress *pg, struct sweep_tally *tl, struct err *e)
{
	struct metrics ms;
	struct sweep_outcome *o = xmalloc(sizeof *o);
	int rc = 0;

	metrics_init(&ms);
	for (size_t i = 0; i < n; i++) {
		if (*stop) {
			rc = 1;
			break;
		}
		sweep_exec_trial(job, todo[i], o, &ms, stop); /* a signal stops the trial itself */
		if (*stop) { /* the trial it stopped is not a result */
			rc = 1;
			break;
		}
		if (sink(ctx, o, &ms, e)) {
			rc = -1;
			break;
		}
		sweep_tally_add(tl, o->ok);
		sweep_progress_step(pg, o->ok == 1);
	}
	metrics_fini(&ms);
	free(o);
	return rc;
}

int sweep_exec_local(const struct sweep_job *job, const size_t *todo, size_t n, int nworkers,
		     volatile sig_atomic_t *stop, sweep_sink_fn sink, void *ctx,
		     struct sweep_progress *pg, struct sweep_tally *tl, struct err *e)
{
	struct worker *w;
	struct pollfd *pf;
	struct metrics ms;
	struct sweep_outcome *o;
	struct sweep_buf b = { 0 };
	struct dispenser d = { 0, n, NULL, 0 };
	size_t inflight = 0, nw;
	int rc = 0;

	if (n == 0)
		return 0;
	if (nworkers <= 1)
		return run_serial(job, todo, n, stop, sink, ctx, pg, tl, e);
	nw = (size_t)nworkers < n ? (size_t)nworkers : n;
	signal(SIGPIPE, SIG_IGN); /* a dead worker's pipe gives EPIPE, not a dead parent */
	w = xcalloc(nw, sizeof *w);
	pf = xcalloc(nw, sizeof *pf);
	d.back = xcalloc(nw * (1 + SWEEP_QUEUE), sizeof *d.back);
	o = xmalloc(sizeof *o);
	metrics_init(&ms);
	for (size_t i = 0; i < nw; i++)
		w[i].pid = -1;
	for (size_t i = 0; i < nw && rc == 0; i++)
		if (spawn(job, &w[i], w, i, e) || assign(job, w, nw, i, todo, &d, &inflight, e))
			rc = -1;
	for (size_t i = 0; i < nw && rc == 0; i++) /* the queued ones, once all have one running */
		rc = assign(job, w, nw, i, todo, &d, &inflight, e);
	while (rc == 0 && inflight > 0) {
		int pr;
		if (*stop) {
			rc = 1;
			break;
		}
		for (size_t i = 0; i < nw; i++) {
			pf[i].fd = w[i].nq > 0 ? w[i].from_fd : -1;
			pf[i].events = POLLIN;
			pf[i].revents = 0;
		}
		pr = poll(pf, (nfds_t)nw, SWEEP_POLL_MS);
		if (pr < 0 && errno != EINTR) {
			rc = err_set(e, "sweep: poll: %s", strerror(errno));
			break;
		}
		for (size_t i = 0; pr > 0 && i < nw && rc == 0; i++) {
			unsigned char hdr[4];
			int got;
			if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			got = read_msg(w[i].from_fd, hdr, 4, stop);
			if (got == 1) {
				size_t len = get_u32(hdr);
				xgrow((void **)&b.p, &b.cap, len ? len : 1, 1);
				got = read_msg(w[i].from_fd, b.p, len, stop);
				if (got == 1 && (sweep_wire_decode(b.p, len, o, &ms, e) ||
						 (size_t)o->trial != todo[w[i].q[0]])) {
					rc = err_set(e, "sweep: worker %ld sent a result for the wrong trial", (long)w[i].pid);
					break;
				}
				if (got == 1) {
					inflight--;
					task_done(&w[i]);
					/* more work first, then the write: the worker computes while
					 * the writer writes */
					if (!*stop && assign(job, w, nw, i, todo, &d, &inflight, e)) {
						rc = -1;
						break;
					}
					if (sink(ctx, o, &ms, e)) {
						rc = -1;
						break;
					}
					sweep_tally_add(tl, o->ok);
					sweep_progress_step(pg, o->ok == 1);
				}
			}
			if (got == 2) { /* stopped while waiting for a result: abandoned (below) */
				rc = 1;
				break;
			}
			if (got != 1) { /* the worker died: its trial is not stored; replace it */
				int status = 0;
				const struct sweep_trial *tr = &job->trials[todo[w[i].q[0]]];
				pid_t pid = w[i].pid;
				close(w[i].to_fd);
				close(w[i].from_fd);
				while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
					;
				w[i].pid = -1;
				fprintf(stderr, "%smaasim sweep: worker %ld died (%s %d) running trial %s (point %zu, replication %ld); not stored\n",
					pg->tty ? "\n" : "", (long)pid,
					WIFSIGNALED(status) ? "signal" : "exit status",
					WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
					tr->key, tr->point, tr->rep);
				tl->crashed++;
				inflight--;
				for (int k = w[i].nq - 1; k >= 1; k--) { /* queued, never started: handed out again */
					d.back[d.n_back++] = w[i].q[k];
					inflight--;
				}
				w[i].nq = 0;
				sweep_progress_step(pg, 0);
				if (spawn(job, &w[i], w, nw, e)) {
					rc = -1;
					break;
				}
			}
			if (!*stop && rc == 0)
				rc = assign(job, w, nw, i, todo, &d, &inflight, e);
			/* another worker may have room for more (the dispenser got trials back) */
			for (size_t k = 0; !*stop && rc == 0 && k < nw; k++)
				if (w[k].pid > 0 && w[k].nq <= SWEEP_QUEUE)
					rc = assign(job, w, nw, k, todo, &d, &inflight, e);
		}
	}
	/* done: idle workers see end of file and leave; on stop or error, in-flight trials are
	 * abandoned (killed): they were never stored and a rerun does them */
	for (size_t i = 0; i < nw; i++)
		reap(&w[i], rc != 0 || w[i].nq > 0, stop);
	if (rc == 0 && remaining(&d) > 0)
		rc = 1;
	sweep_buf_fini(&b);
	metrics_fini(&ms);
	free(d.back);
	free(o);
	free(pf);
	free(w);
	return rc;
}
