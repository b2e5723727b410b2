/* engine.h - the pipeline engine: the data path of reportpipe.
 *
 *   source --produce--> dataset --render--> artifact --deliver--> sink
 *
 * rp_engine_open() reads the pipeline file, loads and checks every plugin
 * and option (all that `check` does); rp_engine_run() moves the data. */
#ifndef RP_ENGINE_H
#define RP_ENGINE_H

#include <stdio.h>

#include <pthread.h>

#include "aws.h"
#include "conffile.h"
#include "dataset.h"
#include "loader.h"
#include "options.h"
#include "util.h"

/* Exit codes, documented in the README and --help. */
enum {
	RP_EXIT_OK = 0,          /* everything delivered */
	RP_EXIT_DELIVERY = 1,    /* some delivery failed */
	RP_EXIT_CONFIG = 2,      /* usage or configuration error; nothing done */
	RP_EXIT_SOURCE = 3,      /* a source failed; nothing to deliver */
	RP_EXIT_LOCKED = 4       /* another run holds the lock */
};

typedef struct rp_engine rp_engine;

struct rp_artifact {
	const rp_instance *format; /* NULL for one read back from the spool */
	const char *name;          /* the [format.NAME]; NULL: rendering failed */
	const char *media_type;
	const char *extension;
	rp_buf buf;
};

struct rp_instance {
	rp_engine *eng;
	rp_section *sec;
	const rp_loaded_plugin *plugin;
	rp_optset opts;
	char *where;              /* "sink.archive" */
	char *error;              /* the last set_error sentence */
	void *data;
	int initialized;
	rp_artifact proto;        /* formats: the empty artifact sinks see */
	const rp_instance **inputs; /* sinks: the formats of `input =` */
	size_t ninputs;
	rp_aws_client *aws;       /* sections with RP_AWS_OPTIONS, on first use */
	/* Workers of a fanning-out source (workers.c): */
	rp_instance *parent;      /* the section's instance; NULL for it */
	/* Formats: scope = run.  Sinks: their inputs have scope = run. */
	int run_scope;
	rp_http *http;            /* the worker's own connection */
};

struct rp_response {
	rp_http_response http;
	rp_aws_error aerr;
};

typedef struct rp_engine_dataset {
	rp_dataset *ds;
	const rp_instance *source;
	rp_dataset *previous;      /* from the history, on first request */
	int previous_loaded;
} rp_engine_dataset;

struct rp_engine {
	rp_config cfg;
	rp_registry reg;
	rp_optset pipe_opts;
	rp_section *pipe_sec;     /* NULL when the file has no [pipeline] */
	rp_section empty_pipe;
	char *name;
	char *state_dir;
	char *timezone;
	long history_keep;
	rp_run_info info;
	rp_instance *inst;        /* sources, then formats, then sinks */
	size_t ninst;
	rp_engine_dataset *datasets;
	size_t ndatasets;
	FILE *out;                /* where --dry-run and check print */
	rp_http *http;            /* holds libcurl's global state while sinks run on threads */
	pthread_mutex_t datasets_lock; /* workers emit concurrently */
	/* The write-ahead gate: closed while a dataset's spool entry is
	 * written beside the sinks that start early; their requests wait. */
	pthread_mutex_t gate_lock;
	pthread_cond_t gate_cond;
	int gate_closed;
	rp_dataset run_ds;        /* what scope = run sinks get as "the dataset" */
	/* While formatters render: the dataset and what is done so far. */
	const rp_dataset *render_ds;
	const rp_artifact *render_arts;
	size_t render_n;
};

extern const rp_host rp_host_services;
extern const rp_option rp_pipeline_options[];

/* extra_dirs: directories searched after plugin_path and
 * REPORTPIPE_PLUGIN_PATH (the built-in one).  On error err holds the
 * message and the engine is closed. */
rp_status rp_engine_open(const char *path, const char *const *extra_dirs,
			 size_t nextra, rp_engine **out, char *err,
			 size_t errlen);
/* Set by SIGTERM/SIGINT: the run stops before the next source or sink;
 * what was not delivered is in the spool already (write-ahead). */
void rp_engine_interrupt(int signo);

/* Delivers the spool first, then runs the sources, formatters and sinks.
 * Returns an RP_EXIT_* code. */
int rp_engine_run(rp_engine *eng, int dry_run);
/* Delivers only the spool (`reportpipe retry`). */
int rp_engine_retry(rp_engine *eng);
void rp_engine_print_wiring(const rp_engine *eng, FILE *f);
/* check --online: who each AWS section runs as.  Returns RP_EXIT_*. */
int rp_engine_check_online(rp_engine *eng, FILE *f);
/* The report before ds (host->ds_previous), loaded once; NULL if none. */
const rp_dataset *rp_engine_previous(rp_instance *in, const rp_dataset *ds);
/* The i-th artifact rendered so far for ds (host->ds_artifact). */
const rp_artifact *rp_engine_rendered(rp_instance *in, const rp_dataset *ds,
				      size_t i);
/* The engine's HTTP handle, created on first use. */
rp_status rp_engine_http(rp_engine *eng, rp_http **out);
/* The section's own connection (created on first use). */
rp_status rp_instance_http(rp_instance *in, rp_http **out);
/* The section's AWS client (RP_AWS_OPTIONS), created on first use. */
rp_status rp_instance_aws(rp_instance *in, rp_aws_client **out, char *err,
			  size_t errlen);
void rp_engine_close(rp_engine *eng);
/* Has a signal asked the run to stop? */
int rp_engine_stopping(void);
/* Returns once the write-ahead of the dataset being delivered is on disk
 * (at once when none is being written): the host calls it before every
 * request that could deliver something. */
void rp_engine_gate_wait(rp_engine *eng);

/* workers.c: the host's instance_derive, instance_release, parallel. */
rp_status rp_instance_derive(rp_instance *self, const char *label,
			     const char *role_arn, rp_instance **out);
void rp_instance_release(rp_instance *worker);
rp_status rp_parallel(rp_instance *self, size_t n, unsigned max_parallel,
		      void (*fn)(void *arg, size_t i), void *arg);

/* Template context for an instance, dataset and artifact (either may be
 * NULL: sample values are used). */
rp_status rp_engine_expand(const rp_instance *self, const char *tmpl,
			   const rp_dataset *ds, const rp_artifact *a,
			   char **out, char *err, size_t errlen);

/* Builds the plugin search path: plugin_path, $REPORTPIPE_PLUGIN_PATH,
 * then extra_dirs.  Each string is allocated; free with rp_strv_free. */
rp_status rp_plugin_dirs(const char *const *plugin_path, size_t npath,
			 const char *const *extra, size_t nextra,
			 char ***dirs, size_t *ndirs);
void rp_strv_free(char **v, size_t n);

#endif
