/* host.c - the services table plugins reach the engine through.  Every
 * entry is a thin, checked wrapper over the core; plugins never see a
 * struct of the core. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "log.h"
#include "mail.h"
#include "xml.h"

static void host_log(const rp_instance *self, rp_log_level level,
		     const char *fmt, ...) RP_PRINTF(3, 4);
static void host_log(const rp_instance *self, rp_log_level level,
		     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rp_vlog(level, self ? self->where : NULL, fmt, ap);
	va_end(ap);
}

static void host_set_error(rp_instance *self, const char *fmt, ...)
	RP_PRINTF(2, 3);
static void host_set_error(rp_instance *self, const char *fmt, ...)
{
	rp_buf b = {0};
	va_list ap;

	va_start(ap, fmt);
	if (rp_buf_vprintf(&b, fmt, ap) == RP_OK) {
		free(self->error);
		self->error = rp_buf_steal(&b);
	}
	va_end(ap);
	rp_buf_free(&b);
}

static const rp_optval *option(const rp_instance *self, const char *key,
			       unsigned types)
{
	const rp_optval *v = rp_optset_get(&self->opts, key);

	if (!v) {
		rp_log(RP_LOG_ERROR, self->where,
		       "plugin bug: '%s' asks for option '%s', which is not in its table",
		       self->plugin->desc.name, key);
		return NULL;
	}
	if (!(types & (1u << v->def->type))) {
		rp_log(RP_LOG_ERROR, self->where,
		       "plugin bug: '%s' reads option '%s' (a %s) with the wrong accessor",
		       self->plugin->desc.name, key,
		       rp_option_type_name(v->def->type));
		return NULL;
	}
	return v;
}

#define T(x) (1u << (x))

static const char *host_opt_string(const rp_instance *self, const char *key)
{
	const rp_optval *v = option(self, key,
				    T(RP_OPT_STRING) | T(RP_OPT_PATH) |
					    T(RP_OPT_ENUM));
	return v ? v->text : NULL;
}

static int64_t host_opt_int(const rp_instance *self, const char *key)
{
	const rp_optval *v = option(self, key,
				    T(RP_OPT_INT) | T(RP_OPT_DURATION) |
					    T(RP_OPT_SIZE));
	return v ? v->i : 0;
}

static int host_opt_bool(const rp_instance *self, const char *key)
{
	const rp_optval *v = option(self, key, T(RP_OPT_BOOL));
	return v ? v->b : 0;
}

static const rp_list *host_opt_list(const rp_instance *self, const char *key)
{
	const rp_optval *v = option(self, key, T(RP_OPT_LIST));
	return v ? &v->list : NULL;
}

static int host_opt_is_set(const rp_instance *self, const char *key)
{
	const rp_optval *v = option(self, key, ~0u);
	return v ? v->is_set : 0;
}

static const char *host_instance_name(const rp_instance *self)
{
	return self->sec->inst;
}

static void *host_instance_data(const rp_instance *self)
{
	return self->data;
}

static void host_set_instance_data(rp_instance *self, void *data)
{
	self->data = data;
}

static size_t host_ds_columns(const rp_dataset *ds)
{
	return ds->table.ncols;
}

static const char *host_ds_column_name(const rp_dataset *ds, size_t col)
{
	return col < ds->table.ncols ? rp_csv_header(&ds->table, col) : NULL;
}

static size_t host_ds_rows(const rp_dataset *ds)
{
	return ds->table.nrows;
}

static const rp_dataset_meta *host_ds_meta(const rp_dataset *ds)
{
	return &ds->meta;
}

static rp_status host_dataset_from_csv(rp_instance *self, const char *data,
				       size_t len, const char *origin,
				       rp_dataset **out)
{
	char err[512];
	rp_status st = rp_dataset_from_csv(data, len, origin, self->sec->inst,
					   out, err, sizeof(err));
	if (st == RP_ERR_PARSE)
		host_set_error(self, "%s; fix the CSV or regenerate the report", err);
	return st;
}

static rp_status host_dataset_from_csv_inplace(rp_instance *self, char *buf,
					       size_t len, const char *origin,
					       rp_dataset **out)
{
	char err[512];
	rp_status st = rp_dataset_from_csv_inplace(buf, len, origin,
						   self->sec->inst, out, err,
						   sizeof(err));
	if (st == RP_ERR_PARSE)
		host_set_error(self, "%s; fix the CSV or regenerate the report", err);
	return st;
}

static rp_status host_dataset_set_meta(rp_instance *self, rp_dataset *ds,
				       const char *account_id,
				       const char *partition, time_t generated)
{
	char err[512];
	rp_status st = rp_dataset_set_meta(ds, account_id, partition, generated,
					   err, sizeof(err));
	if (st && st != RP_ERR_NOMEM)
		host_set_error(self, "%s", err);
	return st;
}

static rp_status host_emit_dataset(rp_instance *self, rp_dataset *ds)
{
	rp_engine *eng = self->eng;
	rp_engine_dataset *g;

	if (self->sec->kind != RP_SECTION_SOURCE) {
		rp_dataset_free(ds);
		return RP_ERR_INVALID;
	}
	pthread_mutex_lock(&eng->datasets_lock);
	g = realloc(eng->datasets, (eng->ndatasets + 1) * sizeof(*g));
	if (!g) {
		pthread_mutex_unlock(&eng->datasets_lock);
		rp_dataset_free(ds);
		return RP_ERR_NOMEM;
	}
	eng->datasets = g;
	/* A worker's datasets are its section's. */
	g[eng->ndatasets] = (rp_engine_dataset){
		.ds = ds, .source = self->parent ? self->parent : self};
	eng->ndatasets++;
	pthread_mutex_unlock(&eng->datasets_lock);
	return RP_OK;
}

static rp_status host_artifact_append(rp_artifact *a, const void *data,
				      size_t len)
{
	return rp_buf_append(&a->buf, data, len);
}

static const void *host_artifact_data(const rp_artifact *a, size_t *len)
{
	*len = a->buf.len;
	return a->buf.data ? a->buf.data : "";
}

static const char *host_artifact_format(const rp_artifact *a)
{
	return a->name;
}

static const char *host_artifact_media_type(const rp_artifact *a)
{
	return a->media_type;
}

static const char *host_artifact_extension(const rp_artifact *a)
{
	return a->extension;
}

static rp_status host_expand(rp_instance *self, const char *tmpl,
			     const rp_dataset *ds, const rp_artifact *a,
			     char **out)
{
	char err[256];
	rp_status st = rp_engine_expand(self, tmpl, ds, a, out, err, sizeof(err));

	if (st && st != RP_ERR_NOMEM)
		host_set_error(self, "template '%s': %s", tmpl, err);
	return st;
}

static size_t host_sink_input_count(const rp_instance *self)
{
	return self->ninputs;
}

static const rp_artifact *host_sink_input(const rp_instance *self, size_t i)
{
	return i < self->ninputs ? &self->inputs[i]->proto : NULL;
}

static const rp_run_info *host_run_info(const rp_instance *self)
{
	return &self->eng->info;
}


static rp_status response_new(rp_response **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? RP_OK : RP_ERR_NOMEM;
}

static void host_response_free(rp_response *r)
{
	if (!r)
		return;
	rp_http_response_free(&r->http);
	free(r);
}

static rp_status host_http_request(rp_instance *self, const rp_request *req,
				   rp_response **out)
{
	const rp_optval *ca = rp_optset_get(&self->opts, "ca_file");
	const rp_optval *ah = rp_optset_get(&self->opts, "allow_http");
	char err[1024];
	rp_http *http;
	rp_status st;

	*out = NULL;
	st = rp_http_check_url(req->target, ah && ah->b, err, sizeof(err));
	if (st) {
		host_set_error(self, "%s", err);
		return st;
	}
	st = rp_instance_http(self, &http);
	if (!st)
		st = response_new(out);
	if (st)
		return st;
	{
		rp_http_request hr = {
			.method = req->method, .url = req->target,
			.headers = req->headers,
			.nheaders = req->nheaders, .body = req->body,
			.body_len = req->body_len,
			.ca_file = ca ? ca->text : NULL,
		};
		/* Nothing leaves before the write-ahead is on disk. */
		rp_engine_gate_wait(self->eng);
		st = rp_http_perform(http, &hr, &(*out)->http, err, sizeof(err));
	}
	if (st) {
		host_set_error(self, "%s", err);
		host_response_free(*out);
		*out = NULL;
	}
	return st;
}

/* Splits "A/B/C" into parts[] (pointing into copy); 0 when too long. */
static size_t xml_path(const char *path, char *copy, size_t copylen,
		       const char **parts, size_t maxparts)
{
	size_t n = 0;

	if (strlen(path) >= copylen)
		return 0;
	strcpy(copy, path);
	for (char *save, *p = strtok_r(copy, "/", &save); p && n < maxparts;
	     p = strtok_r(NULL, "/", &save))
		parts[n++] = p;
	return n;
}

/* Paths as host->xml_texts takes them, as rp_xml_fields wants them:
 * field i's text goes to out[i]. */
enum { XML_MAX_FIELDS = 16, XML_MAX_PARTS = 16 };
typedef struct xml_paths {
	const char *parts[XML_MAX_FIELDS][XML_MAX_PARTS];
	char copy[XML_MAX_FIELDS][256];
	rp_xml_field f[XML_MAX_FIELDS];
} xml_paths;

static rp_status xml_paths_set(xml_paths *p, const char *const *paths,
			       size_t n, char **out)
{
	for (size_t i = 0; i < n && i < XML_MAX_FIELDS; i++)
		out[i] = NULL;
	if (n > XML_MAX_FIELDS)
		return RP_ERR_INVALID;
	for (size_t i = 0; i < n; i++) {
		p->f[i].path = p->parts[i];
		p->f[i].npath = xml_path(paths[i], p->copy[i], sizeof(p->copy[i]),
					 p->parts[i], XML_MAX_PARTS);
		p->f[i].out = &out[i];
		if (!p->f[i].npath)
			return RP_ERR_INVALID;
	}
	return RP_OK;
}

static int stream_reset(void *arg)
{
	return rp_xml_stream_reset(arg) != RP_OK;
}

/* A body made as it is sent (host->aws_request_gen), or none. */
typedef struct body_gen {
	int (*fn)(void *arg, size_t off, char *buf, size_t n);
	void *arg;
} body_gen;

/* aws_request, and with x the XML stream a 2xx body goes to, with gen the
 * body's maker. */
static rp_status aws_request(rp_instance *self, const char *service,
			     const char *operation, unsigned flags,
			     const rp_request *req, const body_gen *gen,
			     rp_xml_stream *x, rp_response **out)
{
	rp_aws_client *aws;
	char err[1024], hex[65];
	rp_status st;

	*out = NULL;
	st = rp_instance_aws(self, &aws, err, sizeof(err));
	if (st) {
		host_set_error(self, "%s", err);
		return st;
	}
	st = response_new(out);
	if (st)
		return st;
	{
		rp_aws_call call = {
			.service = service, .operation = operation,
			.method = req->method, .path = req->target,
			.query = req->query,
			.headers = req->headers,
			.nheaders = req->nheaders,
			.body = gen ? NULL : req->body,
			.body_len = req->body_len,
			.gen = gen ? gen->fn : NULL,
			.gen_arg = gen ? gen->arg : NULL,
			.s3 = (flags & RP_AWS_S3) != 0,
			.host_prefix = req->host_prefix,
			/* The plugin may read the error's body and headers. */
			.keep_error_response = 1,
			.body_fn = x ? rp_xml_stream_feed : NULL,
			.body_reset = x ? stream_reset : NULL,
			.body_arg = x,
		};
		/* The body's hash is worked out while the write-ahead is
		 * written; nothing leaves before it is on disk. */
		call.payload_hash = rp_aws_payload_hash(&call, hex);
		rp_engine_gate_wait(self->eng);
		st = rp_aws_request(aws, &call, &(*out)->http, &(*out)->aerr, err,
				    sizeof(err));
	}
	if (st) {
		host_set_error(self, "%s", err);
		/* Without an AWS error there is nothing to look at. */
		if (!(*out)->aerr.code[0]) {
			host_response_free(*out);
			*out = NULL;
		}
	}
	return st;
}

static rp_status host_aws_request(rp_instance *self, const char *service,
				  const char *operation, unsigned flags,
				  const rp_request *req, rp_response **out)
{
	return aws_request(self, service, operation, flags, req, NULL, NULL,
			   out);
}

static rp_status host_aws_request_gen(rp_instance *self, const char *service,
				      const char *operation, unsigned flags,
				      const rp_request *req,
				      int (*fn)(void *arg, size_t off,
						char *buf, size_t n),
				      void *arg, rp_response **out)
{
	body_gen gen = {fn, arg};

	*out = NULL;
	if (!fn) {
		host_set_error(self, "internal error: aws_request_gen without a body maker");
		return RP_ERR_INVALID;
	}
	return aws_request(self, service, operation, flags, req, &gen, NULL,
			   out);
}

static rp_status host_aws_request_xml(rp_instance *self, const char *service,
				      const char *operation, unsigned flags,
				      const rp_request *req,
				      const char *const *paths, size_t n,
				      char **texts, rp_response **out)
{
	xml_paths p;
	char err[256];
	rp_xml_stream *x = NULL;
	rp_status st;

	*out = NULL;
	st = xml_paths_set(&p, paths, n, texts);
	if (st)
		return st;
	st = rp_xml_stream_new(p.f, n, &x);
	if (st)
		return st;
	st = aws_request(self, service, operation, flags, req, NULL, x, out);
	if (!st) {
		/* A 2xx answer whose status line was not read as such was
		 * kept whole: read it now. */
		if (!(*out)->http.streaming && (*out)->http.body.len)
			rp_xml_stream_feed(x, (*out)->http.body.data,
					   (*out)->http.body.len);
		st = rp_xml_stream_finish(x, err, sizeof(err));
		if (st == RP_ERR_PARSE)
			host_set_error(self, "%s %s: the answer is not well-formed XML (%s)",
				       service, operation, err);
	}
	rp_xml_stream_free(x);
	return st;
}

static long host_response_status(const rp_response *r)
{
	return r->http.status;
}

static const void *host_response_body(const rp_response *r, size_t *len)
{
	*len = r->http.body.len;
	return r->http.body.data ? r->http.body.data : "";
}

static const char *host_response_header(const rp_response *r, const char *name)
{
	return rp_http_header_get(&r->http, name);
}

static const char *host_response_error_code(const rp_response *r)
{
	return r->aerr.code;
}

static const char *host_aws_region(rp_instance *self)
{
	rp_aws_client *aws;
	char err[256];

	if (rp_instance_aws(self, &aws, err, sizeof(err)))
		return NULL;
	return rp_aws_client_region(aws);
}

static rp_status host_xml_texts(const char *xml, size_t len,
				const char *const *paths, size_t n, char **out)
{
	xml_paths p;
	char err[128];
	rp_status st = xml_paths_set(&p, paths, n, out);

	return st ? st : rp_xml_fields(xml, len, p.f, n, err, sizeof(err));
}

static rp_status host_xml_text(const char *xml, size_t len, const char *path,
			       char **out)
{
	return host_xml_texts(xml, len, &path, 1, out);
}

static rp_status host_aws_caller_identity(rp_instance *self, char **account,
					  char **arn)
{
	static const rp_header form[] = {
		{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
	static const char body[] = "Action=GetCallerIdentity&Version=2011-06-15";
	rp_request req = {.method = "POST", .target = "/", .headers = form,
			  .nheaders = 1, .body = body, .body_len = sizeof(body) - 1};
	rp_response *r = NULL;
	rp_status st;

	*account = *arn = NULL;
	st = host_aws_request(self, "sts", "GetCallerIdentity", 0, &req, &r);
	if (!st) {
		static const char *const paths[] = {
			"GetCallerIdentityResult/Account", "GetCallerIdentityResult/Arn"};
		char *got[2];

		st = host_xml_texts(r->http.body.data, r->http.body.len, paths, 2,
				    got);
		*account = got[0];
		*arn = got[1];
		if (!st && (!*account || !*arn)) {
			host_set_error(self, "STS GetCallerIdentity: the answer has no Account or Arn");
			st = RP_ERR_PARSE;
		}
		if (st) {
			free(*account);
			free(*arn);
			*account = *arn = NULL;
		}
	}
	host_response_free(r);
	return st;
}

static const char *host_instance_error(const rp_instance *in)
{
	return in && in->error ? in->error : "";
}

static const rp_dataset *host_run_dataset(rp_instance *self, size_t i)
{
	return i < self->eng->ndatasets ? self->eng->datasets[i].ds : NULL;
}

/* The cache is the engine's, not the dataset's content: a const dataset
 * still takes entries (every dataset a formatter sees is the engine's,
 * allocated and writable). */
static void *host_ds_cache_get(rp_instance *self, const rp_dataset *ds,
			       const char *key)
{
	(void)self;
	return rp_dataset_cache_get(ds, key);
}

static rp_status host_ds_cache_put(rp_instance *self, const rp_dataset *ds,
				   const char *key, void *data,
				   void (*free_fn)(void *data))
{
	(void)self;
	return rp_dataset_cache_put((rp_dataset *)ds, key, data, free_fn);
}

const rp_host rp_host_services = {
	.struct_size = sizeof(rp_host),
	.abi_major = RP_ABI_MAJOR,
	.abi_minor = RP_ABI_MINOR,
	.log = host_log,
	.set_error = host_set_error,
	.strerror = rp_status_str,
	.opt_string = host_opt_string,
	.opt_int = host_opt_int,
	.opt_bool = host_opt_bool,
	.opt_list = host_opt_list,
	.opt_is_set = host_opt_is_set,
	.instance_name = host_instance_name,
	.instance_data = host_instance_data,
	.set_instance_data = host_set_instance_data,
	.ds_columns = host_ds_columns,
	.ds_column_name = host_ds_column_name,
	.ds_column_index = rp_dataset_column,
	.ds_rows = host_ds_rows,
	.ds_cell = rp_dataset_cell,
	.ds_cell_bool = rp_dataset_cell_bool,
	.ds_cell_time = rp_dataset_cell_time,
	.ds_row_is_root = rp_dataset_row_is_root,
	.ds_meta = host_ds_meta,
	.dataset_from_csv = host_dataset_from_csv,
	.dataset_set_meta = host_dataset_set_meta,
	.emit_dataset = host_emit_dataset,
	.dataset_free = rp_dataset_free,
	.artifact_append = host_artifact_append,
	.artifact_data = host_artifact_data,
	.artifact_format = host_artifact_format,
	.artifact_media_type = host_artifact_media_type,
	.artifact_extension = host_artifact_extension,
	.expand = host_expand,
	.free = free,
	.sink_input_count = host_sink_input_count,
	.sink_input = host_sink_input,
	.run_info = host_run_info,
	.parse_time = rp_parse_iso8601,
	.http_request = host_http_request,
	.aws_request = host_aws_request,
	.response_status = host_response_status,
	.response_body = host_response_body,
	.response_header = host_response_header,
	.response_error_code = host_response_error_code,
	.response_free = host_response_free,
	.aws_region = host_aws_region,
	.aws_caller_identity = host_aws_caller_identity,
	.xml_text = host_xml_text,
	.mail_check = rp_mail_check,
	.mail_compose = rp_mail_compose,
	.mail_data = rp_mail_data,
	.mail_sender = rp_mail_sender,
	.mail_recipient_count = rp_mail_recipient_count,
	.mail_recipient = rp_mail_recipient,
	.mail_free = rp_mail_free,
	.ds_previous = rp_engine_previous,
	.ds_artifact = rp_engine_rendered,
	.instance_derive = rp_instance_derive,
	.instance_release = rp_instance_release,
	.instance_error = host_instance_error,
	.parallel = rp_parallel,
	.run_dataset = host_run_dataset,
	.ds_cache_get = host_ds_cache_get,
	.ds_cache_put = host_ds_cache_put,
	.xml_texts = host_xml_texts,
	.aws_request_xml = host_aws_request_xml,
	.dataset_from_csv_inplace = host_dataset_from_csv_inplace,
	.aws_request_gen = host_aws_request_gen,
	.mail_size = rp_mail_size,
	.mail_read = rp_mail_read,
};
