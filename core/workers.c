/* workers.c - sources that fan out (every account of an organization):
 * worker instances derived from a section, and the bounded thread pool
 * they run on.
 *
 * A worker shares its section's options, plugin and instance data (all
 * read-only while produce runs) and has its own error sentence, log
 * prefix, HTTP handle and AWS client, so host services called with it
 * touch nothing another thread touches.  The one shared thing a worker
 * writes, the run's list of datasets, is guarded in host.c. */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "log.h"

rp_status rp_instance_derive(rp_instance *self, const char *label,
			     const char *role_arn, rp_instance **out)
{
	rp_instance *w;
	rp_aws_client *aws = NULL;
	char err[1024];
	rp_status st;

	*out = NULL;
	if (self->parent)
		return RP_ERR_INVALID; /* workers do not fan out again */
	w = calloc(1, sizeof(*w));
	if (!w)
		return RP_ERR_NOMEM;
	w->eng = self->eng;
	w->sec = self->sec;
	w->plugin = self->plugin;
	w->opts = self->opts;     /* borrowed: never freed through w */
	w->data = self->data;
	w->initialized = 1;
	w->parent = self;
	w->where = rp_asprintf("%s[%s]", self->where, label ? label : "?");
	st = w->where ? rp_http_new(&w->http) : RP_ERR_NOMEM;
	if (!st && rp_optset_get(&self->opts, "profile")) {
		err[0] = '\0';
		st = rp_instance_aws(self, &aws, err, sizeof(err));
		if (!st)
			st = rp_aws_client_derive(aws, w->http, role_arn, &w->aws,
						  err, sizeof(err));
		if (st && err[0]) {
			free(self->error);
			self->error = rp_strdup(err);
		}
	}
	if (st) {
		rp_instance_release(w);
		return st;
	}
	*out = w;
	return RP_OK;
}

void rp_instance_release(rp_instance *w)
{
	if (!w || !w->parent)
		return;
	rp_aws_client_free(w->aws);
	rp_http_free(w->http);
	free(w->where);
	free(w->error);
	free(w);
}

typedef struct pool {
	pthread_mutex_t lock;
	size_t next, n;
	void (*fn)(void *arg, size_t i);
	void *arg;
	int stopped;
} pool;

static void *pool_worker(void *user)
{
	pool *p = user;

	for (;;) {
		size_t i;

		pthread_mutex_lock(&p->lock);
		if (p->next >= p->n || rp_engine_stopping()) {
			if (p->next < p->n)
				p->stopped = 1;
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		p->fn(p->arg, i);
	}
}

rp_status rp_parallel(rp_instance *self, size_t n, unsigned max_parallel,
		      void (*fn)(void *arg, size_t i), void *arg)
{
	pool p = {.n = n, .fn = fn, .arg = arg};
	size_t nthreads = max_parallel ? max_parallel : 1, started = 0;
	pthread_t *threads;
	sigset_t block, old;

	if (!fn)
		return RP_ERR_INVALID;
	if (nthreads > n)
		nthreads = n;
	if (nthreads <= 1) {
		/* No thread for a single lane: the same order, easier to debug. */
		for (size_t i = 0; i < n; i++) {
			if (rp_engine_stopping())
				return RP_ERR_INTERRUPTED;
			fn(arg, i);
		}
		return RP_OK;
	}
	threads = calloc(nthreads, sizeof(*threads));
	if (!threads)
		return RP_ERR_NOMEM;
	pthread_mutex_init(&p.lock, NULL);
	/* Signals stay with the main thread, whose handler sets the flag the
	 * workers check between pieces of work. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	for (; started < nthreads; started++)
		if (pthread_create(&threads[started], NULL, pool_worker, &p))
			break;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (started == 0) {
		rp_log(RP_LOG_WARN, self->where,
		       "cannot start threads; working on one account at a time");
		pool_worker(&p);
	}
	for (size_t t = 0; t < started; t++)
		pthread_join(threads[t], NULL);
	pthread_mutex_destroy(&p.lock);
	free(threads);
	return p.stopped ? RP_ERR_INTERRUPTED : RP_OK;
}
