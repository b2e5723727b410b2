/* reportpipe/plugin.h - the public, versioned plugin ABI of reportpipe.
 *
 * A plugin is a shared module that exports exactly one symbol,
 * RP_PLUGIN_SYMBOL ("reportpipe_plugin"), an rp_plugin descriptor filled
 * with designated initializers.  Everything a plugin needs from the engine
 * reaches it through the rp_host services table handed to its callbacks;
 * a plugin never includes a header of reportpipe's core.
 *
 * The ABI promise (see docs/writing-a-plugin.md):
 *  - RP_ABI_MAJOR changes only when an existing field, callback signature or
 *    status value changes meaning.  The engine refuses other majors.
 *  - A minor version only appends: new fields at the end of rp_plugin,
 *    rp_host and rp_run_info, new status values, new option types.  The
 *    engine accepts plugins built for its own or an older minor and refuses
 *    newer ones; it reads only the first struct_size bytes of a descriptor.
 *  - Status values are numbered once and never reused or renumbered.
 */
#ifndef REPORTPIPE_PLUGIN_H
#define REPORTPIPE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RP_ABI_MAJOR 1
#define RP_ABI_MINOR 3

#define RP_PLUGIN_SYMBOL "reportpipe_plugin"

#if defined(__GNUC__)
#define RP_PLUGIN_EXPORT __attribute__((visibility("default")))
#define RP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define RP_PLUGIN_EXPORT
#define RP_PRINTF(f, a)
#endif

/* Every function of the ABI returns one of these.  Numbers are fixed
 * forever: append new ones, never reuse or renumber. */
typedef enum rp_status {
	RP_OK = 0,
	RP_ERR_NOMEM = -1,       /* out of memory */
	RP_ERR_INVALID = -2,     /* invalid argument (a programming error) */
	RP_ERR_CONFIG = -3,      /* bad pipeline file or option value */
	RP_ERR_IO = -4,          /* reading or writing a local file failed */
	RP_ERR_PARSE = -5,       /* malformed input data */
	RP_ERR_NOT_FOUND = -6,   /* a named thing does not exist */
	RP_ERR_EXISTS = -7,      /* the destination exists with other content */
	RP_ERR_ABI = -8,         /* plugin built for an ABI this engine lacks */
	RP_ERR_UNSUPPORTED = -9, /* operation not supported by this plugin */
	RP_ERR_NETWORK = -10,    /* could not reach a server */
	RP_ERR_REMOTE = -11,     /* a server answered with an error */
	RP_ERR_TIMEOUT = -12,    /* an operation ran out of time */
	RP_ERR_AUTH = -13,       /* credentials missing or refused */
	RP_ERR_LIMIT = -14,      /* a size or count limit was exceeded */
	RP_ERR_INTERRUPTED = -15,/* the run was interrupted by a signal */
	RP_ERR_INTERNAL = -16,   /* a bug in reportpipe or a plugin */
	/* 1.1: a source's work failed in part (one account of many): the
	 * datasets it emitted are good and are delivered; the run exits 1. */
	RP_ERR_PARTIAL = -17
} rp_status;

typedef enum rp_plugin_kind {
	RP_KIND_SOURCE = 1,    /* produces datasets */
	RP_KIND_FORMATTER = 2, /* renders a dataset into an artifact */
	RP_KIND_SINK = 3       /* delivers artifacts */
} rp_plugin_kind;

typedef enum rp_option_type {
	RP_OPT_STRING = 1,   /* any text */
	RP_OPT_INT = 2,      /* decimal integer (octal with RP_OPT_OCTAL) */
	RP_OPT_BOOL = 3,     /* true/false, yes/no, on/off, 1/0 */
	RP_OPT_DURATION = 4, /* read as milliseconds; written "90s", "1.5s", "250ms", "2h", "1d" */
	RP_OPT_SIZE = 5,     /* bytes; suffixes K, M, G (powers of 1024) */
	RP_OPT_LIST = 6,     /* comma-separated; may continue on indented lines */
	RP_OPT_ENUM = 7,     /* one of the '|'-separated rp_option.choices */
	RP_OPT_PATH = 8      /* a path, resolved against the pipeline file's directory */
} rp_option_type;

/* rp_option.flags */
#define RP_OPT_REQUIRED 0x1u /* the section must set it */
#define RP_OPT_TEMPLATE 0x2u /* may hold {placeholders}; checked at load time */
#define RP_OPT_OCTAL 0x4u    /* with RP_OPT_INT: read as octal (file modes) */
#define RP_OPT_SECRET 0x8u   /* never printed, also not by `check` */

/* One row of a plugin's declarative option table.  The table ends with an
 * entry whose key is NULL.  The engine validates each section against it,
 * applies defaults, and turns it into `reportpipe plugins NAME` help. */
typedef struct rp_option {
	const char *key;
	rp_option_type type;
	const char *default_value; /* as it would be written in the file; NULL: none */
	unsigned flags;
	const char *choices;       /* RP_OPT_ENUM: "a|b|c" */
	int64_t min, max;          /* RP_OPT_INT: bounds when min < max */
	const char *description;   /* one line */
} rp_option;

typedef struct rp_instance rp_instance; /* one configured section */
typedef struct rp_dataset rp_dataset;   /* a table and its metadata */
typedef struct rp_artifact rp_artifact; /* a formatter's output */
typedef struct rp_host rp_host;

typedef struct rp_list {
	size_t count;
	const char *const *items;
} rp_list;

/* HTTP and AWS requests made through the host. */
typedef struct rp_header {
	const char *name;
	const char *value;
} rp_header;

typedef struct rp_request {
	const char *method;        /* "GET", "POST", "PUT" */
	/* http_request: the whole URL.  aws_request: the path, already
	 * percent-encoded ("/", "/bucket/key%20name"). */
	const char *target;
	const char *query;         /* aws_request: encoded, without '?'; or NULL */
	const rp_header *headers;
	size_t nheaders;
	const void *body;
	size_t body_len;
	/* aws_request: put in front of the endpoint's host name, e.g. "bucket."
	 * for S3's virtual-hosted style; NULL for none. */
	const char *host_prefix;
} rp_request;

typedef struct rp_response rp_response; /* status, headers, body */

/* aws_request flags */
#define RP_AWS_S3 0x1u /* S3's signing rules: path signed as sent, body hash header */

/* The options every AWS-calling section takes, the same everywhere: put
 * RP_AWS_OPTIONS in the plugin's option table and call host->aws_request. */
#define RP_AWS_OPTIONS \
	{.key = "profile", .type = RP_OPT_STRING, \
	 .description = "AWS profile from the shared config files (default: the credential chain)"}, \
	{.key = "role_arn", .type = RP_OPT_STRING, \
	 .description = "IAM role to assume with STS first (another account's, say)"}, \
	{.key = "external_id", .type = RP_OPT_STRING, .flags = RP_OPT_SECRET, \
	 .description = "external id the role's trust policy requires"}, \
	{.key = "role_session_name", .type = RP_OPT_STRING, \
	 .description = "session name when assuming role_arn (default reportpipe-<time>)"}, \
	{.key = "region", .type = RP_OPT_STRING, \
	 .description = "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's)"}, \
	{.key = "endpoint_url", .type = RP_OPT_STRING, \
	 .description = "endpoint override (default: AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, AWS's)"}, \
	{.key = "allow_http", .type = RP_OPT_BOOL, .default_value = "false", \
	 .description = "allow a plain http:// endpoint_url that is not loopback"}, \
	{.key = "ca_file", .type = RP_OPT_PATH, \
	 .description = "PEM file of CA certificates added to the system's (TLS is always verified)"}, \
	{.key = "max_attempts", .type = RP_OPT_INT, .min = 1, .max = 20, \
	 .description = "attempts per request, retries included (default: AWS_MAX_ATTEMPTS, else 3)"}, \
	{.key = "request_timeout", .type = RP_OPT_DURATION, .default_value = "60s", \
	 .description = "time limit for one HTTP request"}

/* The options every mail-sending section takes: put RP_MAIL_OPTIONS in
 * the option table, call host->mail_check from init and host->mail_compose
 * from deliver; the plugin only moves the finished message. */
#define RP_MAIL_OPTIONS \
	{.key = "from", .type = RP_OPT_STRING, .flags = RP_OPT_REQUIRED, \
	 .description = "sender: addr@example.com or Display Name <addr@example.com>"}, \
	{.key = "to", .type = RP_OPT_LIST, .flags = RP_OPT_REQUIRED, \
	 .description = "recipients (comma list; continue on indented lines)"}, \
	{.key = "cc", .type = RP_OPT_LIST, .description = "copy recipients"}, \
	{.key = "bcc", .type = RP_OPT_LIST, \
	 .description = "blind copy recipients (never in the headers)"}, \
	{.key = "reply_to", .type = RP_OPT_STRING, .description = "Reply-To address"}, \
	{.key = "subject", .type = RP_OPT_STRING, .flags = RP_OPT_TEMPLATE, \
	 .default_value = "IAM credential report {account_id} {date}", \
	 .description = "subject (UTF-8 welcome)"}, \
	{.key = "body", .type = RP_OPT_STRING, \
	 .description = "the input format rendered as the message body (HTML gets a text alternative); default: a short text listing the attachments"}, \
	{.key = "attach", .type = RP_OPT_LIST, \
	 .description = "input formats attached (default: every input but the body)"}, \
	{.key = "attachment_name", .type = RP_OPT_STRING, .flags = RP_OPT_TEMPLATE, \
	 .default_value = "{date:%Y%m%d}_{account_id}_iam_credential_report_{format}.{ext}", \
	 .description = "file name of each attachment"}, \
	{.key = "archive", .type = RP_OPT_STRING, .flags = RP_OPT_TEMPLATE, \
	 .description = "where the archive is (a URL or s3:// path), named in the default body"}

typedef struct rp_mail rp_mail; /* a composed message and its envelope */

typedef enum rp_log_level {
	RP_LOG_ERROR = 0,
	RP_LOG_WARN = 1,
	RP_LOG_INFO = 2,
	RP_LOG_DEBUG = 3
} rp_log_level;

/* What a credential-report cell holds, beyond its text. */
typedef enum rp_cell_kind {
	RP_CELL_VALUE = 0,          /* a usable value of the asked type */
	RP_CELL_EMPTY = 1,          /* "" */
	RP_CELL_NA = 2,             /* "N/A" */
	RP_CELL_NO_INFORMATION = 3, /* "no_information" */
	RP_CELL_NOT_SUPPORTED = 4,  /* "not_supported" */
	RP_CELL_INVALID = 5         /* text that is not of the asked type */
} rp_cell_kind;

typedef struct rp_dataset_meta {
	const char *source;       /* section name of the source, e.g. "local" */
	const char *account_id;   /* 12 digits, or "" when unknown */
	const char *partition;    /* "aws", "aws-cn", "aws-us-gov" or "" */
	time_t generated_time;    /* when the report was generated (UTC) */
} rp_dataset_meta;

/* Run metadata.  Grows only at its end; check struct_size. */
typedef struct rp_run_info {
	size_t struct_size;
	const char *pipeline;     /* [pipeline] name */
	time_t run_time;          /* when this run started */
	const char *state_dir;    /* absolute */
	const char *timezone;     /* IANA name used for dates */
	const char *config_dir;   /* absolute directory of the pipeline file */
	int dry_run;              /* nonzero: sinks are previewed, not called */
	const char *version;      /* reportpipe's, e.g. "0.1.0" */
} rp_run_info;

/* The services the engine offers.  The table only ever grows at its end:
 * a plugin compiled against an older header sees a prefix of it. */
struct rp_host {
	size_t struct_size;
	unsigned abi_major, abi_minor;

	/* Logging: the engine prefixes the section ("sink.archive: ").  Never
	 * log a secret, also not at RP_LOG_DEBUG. */
	void (*log)(const rp_instance *self, rp_log_level level,
		    const char *fmt, ...) RP_PRINTF(3, 4);
	/* The sentence the user sees when a callback returns an error: what
	 * failed, on which input, what to do.  The engine adds the section. */
	void (*set_error)(rp_instance *self, const char *fmt, ...) RP_PRINTF(2, 3);
	const char *(*strerror)(rp_status status);

	/* Options, already validated and typed.  Asking for a key that is not
	 * in the plugin's table, or with the wrong type, is a plugin bug: it
	 * is logged and the call returns NULL / 0. */
	const char *(*opt_string)(const rp_instance *self, const char *key); /* STRING, PATH, ENUM */
	int64_t (*opt_int)(const rp_instance *self, const char *key);        /* INT, DURATION (ms), SIZE */
	int (*opt_bool)(const rp_instance *self, const char *key);
	const rp_list *(*opt_list)(const rp_instance *self, const char *key);
	int (*opt_is_set)(const rp_instance *self, const char *key);        /* set in the file? */
	const char *(*instance_name)(const rp_instance *self);             /* "archive" */
	void *(*instance_data)(const rp_instance *self);
	void (*set_instance_data)(rp_instance *self, void *data);

	/* Datasets: a table of UTF-8 cells with a header row. */
	size_t (*ds_columns)(const rp_dataset *ds);
	const char *(*ds_column_name)(const rp_dataset *ds, size_t col);
	long (*ds_column_index)(const rp_dataset *ds, const char *name); /* -1 when absent */
	size_t (*ds_rows)(const rp_dataset *ds);
	const char *(*ds_cell)(const rp_dataset *ds, size_t row, size_t col);
	rp_cell_kind (*ds_cell_bool)(const rp_dataset *ds, size_t row, size_t col, int *out);
	rp_cell_kind (*ds_cell_time)(const rp_dataset *ds, size_t row, size_t col, time_t *out);
	int (*ds_row_is_root)(const rp_dataset *ds, size_t row);
	const rp_dataset_meta *(*ds_meta)(const rp_dataset *ds);

	/* Sources: build a dataset from CSV bytes and hand it to the engine.
	 * origin names the input in error messages (a path or a URL). */
	rp_status (*dataset_from_csv)(rp_instance *self, const char *data, size_t len,
				      const char *origin, rp_dataset **out);
	/* account_id/partition NULL: derived from the arn column. */
	rp_status (*dataset_set_meta)(rp_instance *self, rp_dataset *ds,
				      const char *account_id, const char *partition,
				      time_t generated_time);
	rp_status (*emit_dataset)(rp_instance *self, rp_dataset *ds); /* takes ownership */
	void (*dataset_free)(rp_dataset *ds);

	/* Artifacts: formatters append bytes; sinks read them. */
	rp_status (*artifact_append)(rp_artifact *a, const void *data, size_t len);
	const void *(*artifact_data)(const rp_artifact *a, size_t *len);
	const char *(*artifact_format)(const rp_artifact *a);     /* [format.NAME] */
	const char *(*artifact_media_type)(const rp_artifact *a); /* "text/csv" */
	const char *(*artifact_extension)(const rp_artifact *a);  /* "csv" */

	/* Templates: {pipeline} {source} {account_id} {format} {ext} {date}
	 * {date:FMT} {now:FMT}.  ds and a may be NULL at check time, when
	 * sample values are used.  The result is freed with host->free. */
	rp_status (*expand)(rp_instance *self, const char *tmpl, const rp_dataset *ds,
			    const rp_artifact *a, char **out);
	void (*free)(void *p);

	/* Sinks: the formats named by `input =`, in order, as empty
	 * artifacts: format name, media type and extension are known from
	 * init on, so paths can be checked before anything runs (pass one to
	 * expand with ds NULL). */
	size_t (*sink_input_count)(const rp_instance *self);
	const rp_artifact *(*sink_input)(const rp_instance *self, size_t i);

	const rp_run_info *(*run_info)(const rp_instance *self);

	/* ISO 8601 "2019-08-15T01:02:03+00:00" (also Z and fractions) to
	 * time_t; 0 on success, -1 if text is not such a time. */
	int (*parse_time)(const char *text, time_t *out);

	/* HTTP: TLS always verified, the section's ca_file added, retries are
	 * the caller's.  *out is set for any HTTP status; free it. */
	rp_status (*http_request)(rp_instance *self, const rp_request *req,
				  rp_response **out);
	/* AWS: signed with the section's credentials (RP_AWS_OPTIONS), to the
	 * service's endpoint, with the SDKs' standard retries.  2xx: RP_OK.
	 * An AWS error: RP_ERR_REMOTE or RP_ERR_AUTH, the sentence already
	 * set with set_error, and *out still set so response_error_code can
	 * tell "ReportInProgress" from "AccessDenied".  Free *out if set.
	 * When the retries were used up, the sentence ends, after the AWS
	 * error's "(HTTP ...)", with how many attempts were made and what
	 * to do ("; still throttled after 3 attempts: ..."). */
	rp_status (*aws_request)(rp_instance *self, const char *service,
				 const char *operation, unsigned flags,
				 const rp_request *req, rp_response **out);
	long (*response_status)(const rp_response *r);
	const void *(*response_body)(const rp_response *r, size_t *len);
	const char *(*response_header)(const rp_response *r, const char *name);
	const char *(*response_error_code)(const rp_response *r); /* "" if none */
	void (*response_free)(rp_response *r);
	/* The section's region (NULL if none is configured anywhere). */
	const char *(*aws_region)(rp_instance *self);
	/* STS GetCallerIdentity with the section's credentials; free both. */
	rp_status (*aws_caller_identity)(rp_instance *self, char **account_id,
					 char **arn);
	/* Text of the first element at a '/'-separated path of local names,
	 * matched at any depth ("GetCredentialReportResult/Content");
	 * *out NULL when absent, free it with host->free. */
	rp_status (*xml_text)(const char *xml, size_t len, const char *path,
			      char **out);

	/* Mail (RP_MAIL_OPTIONS).  mail_check validates addresses, refuses
	 * CR/LF in any header value (header injection) and checks body/attach
	 * name inputs; call it from init.  mail_compose builds the MIME
	 * message (multipart/mixed, UTF-8, RFC 2047/2231, CRLF, base64
	 * attachments) for one dataset and its artifacts in input order. */
	rp_status (*mail_check)(rp_instance *self);
	rp_status (*mail_compose)(rp_instance *self, const rp_dataset *ds,
				  const rp_artifact *const *arts, size_t n,
				  rp_mail **out);
	/* The whole message; NULL (*len 0) when out of memory. */
	const char *(*mail_data)(const rp_mail *m, size_t *len);
	const char *(*mail_sender)(const rp_mail *m);        /* envelope from: addr-spec */
	size_t (*mail_recipient_count)(const rp_mail *m);    /* to + cc + bcc */
	const char *(*mail_recipient)(const rp_mail *m, size_t i);
	void (*mail_free)(rp_mail *m);

	/* The report before ds of the same source and account: the newest
	 * one in state_dir/history generated at or before ds (the engine
	 * keeps the last [pipeline] history_keep of them; a re-run of the
	 * same report gets itself, so it shows no changes), or NULL when there
	 * is none (the first run).  Owned by the engine; valid until the run
	 * ends. */
	const rp_dataset *(*ds_previous)(rp_instance *self, const rp_dataset *ds);

	/* Formatters: the i-th artifact already rendered for ds in this run
	 * (the [format.*] sections before the caller's, in file order, those
	 * that succeeded), or NULL past the last: what a manifest lists and a
	 * summary quotes the checksum of. */
	const rp_artifact *(*ds_artifact)(rp_instance *self, const rp_dataset *ds,
					  size_t i);

	/* ---- 1.1: sources that fan out, e.g. over the accounts of an
	 * organization.  Check struct_size (or abi_minor >= 1) first. */

	/* A worker copy of self for one piece of the work, named by label
	 * ("111122223333"): the same options and instance data, but its own
	 * error sentence, log prefix ("source.org[111122223333]") and HTTP
	 * connection.  With role_arn, its AWS requests are signed with
	 * credentials from assuming role_arn with self's credentials (and
	 * self's external_id and role_session_name); NULL: self's own.  The
	 * datasets it emits are self's.  Call from the thread that runs
	 * produce; release it after parallel() has returned. */
	rp_status (*instance_derive)(rp_instance *self, const char *label,
				     const char *role_arn, rp_instance **out);
	void (*instance_release)(rp_instance *worker);
	/* The sentence last set with set_error on in, "" if none: what a
	 * worker failed with, to report it from self. */
	const char *(*instance_error)(const rp_instance *in);
	/* Calls fn(arg, i) for each i < n on at most max_parallel threads
	 * and returns when every call has returned.  When the run is
	 * interrupted (SIGTERM), calls not yet started are skipped and it
	 * returns RP_ERR_INTERRUPTED.  From fn, call host services only with
	 * instances no other thread uses (one derived instance per i). */
	rp_status (*parallel)(rp_instance *self, size_t n, unsigned max_parallel,
			      void (*fn)(void *arg, size_t i), void *arg);
	/* The run's i-th dataset (sources in file order, each source's in
	 * the order it emitted them), NULL past the last: what a formatter
	 * with scope = run renders. */
	const rp_dataset *(*run_dataset)(rp_instance *self, size_t i);

	/* A cache per dataset, for what several formatters derive from the
	 * same dataset (the register model of html_summary, text_summary,
	 * json and changes): the first builds it and puts it, the others get
	 * it.  The engine owns what was put and calls free_fn(data) when it
	 * is done with ds: after ds's sinks, or, when the pipeline has a
	 * formatter with scope = run, at the end of the run, so that its
	 * render finds what was cached for each run_dataset(i).
	 *  - What was put is shared: never change it after putting it.
	 *  - The key names the data's layout as well as its content, e.g.
	 *    "register.summary/1 ... th=30,45,90": another plugin (or a copy
	 *    of a library built from other sources) that reads it must agree
	 *    on the struct byte for byte.  Put a version in the key and
	 *    change it whenever the struct changes, and put every option the
	 *    content depends on in the key.
	 *  - ds_cache_get returns NULL when nothing was put under key.
	 *  - ds_cache_put returns RP_ERR_EXISTS when key is taken,
	 *    RP_ERR_INVALID for a NULL key, data or free_fn, RP_ERR_NOMEM;
	 *    on any error nothing is stored and data stays the caller's.
	 *  - Call both from render, on the thread that calls it. */
	void *(*ds_cache_get)(rp_instance *self, const rp_dataset *ds,
			      const char *key);
	rp_status (*ds_cache_put)(rp_instance *self, const rp_dataset *ds,
				  const char *key, void *data,
				  void (*free_fn)(void *data));

	/* ---- 1.2.  Check struct_size (or abi_minor >= 2) first. */

	/* xml_text for n paths in one pass over the document, for answers
	 * too big to parse once per field (an IAM report's Content is
	 * megabytes).  On RP_OK out[i] is the text at paths[i] or NULL when
	 * absent (free each with host->free); on error every out[i] is NULL.
	 * RP_ERR_PARSE when the document is not well-formed XML. */
	rp_status (*xml_texts)(const char *xml, size_t len,
			       const char *const *paths, size_t n, char **out);
	/* aws_request for an answer in XML that is read as it arrives: the
	 * texts at paths (as xml_texts, into out[i]) are kept and the body is
	 * not, so an answer of megabytes is parsed while it downloads and
	 * never held whole.  On RP_OK *r is the answer without its body
	 * (status, headers).  RP_ERR_PARSE (with set_error done) when a 2xx
	 * answer is not well-formed XML; on an AWS error, as aws_request
	 * (the error's body is kept).  On any error every out[i] is NULL. */
	rp_status (*aws_request_xml)(rp_instance *self, const char *service,
				     const char *operation, unsigned flags,
				     const rp_request *req,
				     const char *const *paths, size_t n,
				     char **out, rp_response **r);
	/* dataset_from_csv without a copy, for a report of megabytes the
	 * source already holds: buf was allocated with malloc, holds len + 1
	 * bytes with the CSV at buf + 1 (one spare byte in front), and is the
	 * host's from this call on, whatever it returns: the cells are
	 * written over it, and it is freed with the dataset. */
	rp_status (*dataset_from_csv_inplace)(rp_instance *self, char *buf,
					      size_t len, const char *origin,
					      rp_dataset **out);

	/* ---- 1.3.  Check struct_size (or abi_minor >= 3) first. */

	/* aws_request with a body that is made as it is sent rather than
	 * held (a mail of megabytes base64-encoded into a JSON envelope):
	 * req->body is ignored and req->body_len is the body's length.
	 * gen(arg, off, buf, n) writes the body's bytes [off, off + n) into
	 * buf and returns 0, or nonzero to give up (the request then fails).
	 * It is called in order from offset 0 once for the signature's
	 * payload hash and again for each attempt, so it must give the same
	 * bytes every time; off and n are otherwise arbitrary.  Everything
	 * else is as aws_request. */
	rp_status (*aws_request_gen)(rp_instance *self, const char *service,
				     const char *operation, unsigned flags,
				     const rp_request *req,
				     int (*gen)(void *arg, size_t off,
						char *buf, size_t n),
				     void *arg, rp_response **out);
	/* The composed message read a range at a time: its length, and its
	 * bytes [off, off + n) into buf (nonzero when past the end).  The
	 * attachments' base64 is made as it is read, so together with
	 * aws_request_gen (or a read callback) a mail of megabytes is never
	 * held whole; mail_data makes it whole on first use.  A message
	 * refers to the artifacts it attaches: compose, read and free it
	 * within the deliver call that got them (always so in 1.x). */
	size_t (*mail_size)(const rp_mail *m);
	int (*mail_read)(const rp_mail *m, size_t off, void *buf, size_t n);
};

/* The exported descriptor.  Fields up to and including `deliver` form the
 * minimum size (RP_PLUGIN_MIN_SIZE); later minors append after `preview`. */
typedef struct rp_plugin {
	uint32_t abi_major;   /* RP_ABI_MAJOR */
	uint32_t abi_minor;   /* RP_ABI_MINOR */
	uint32_t struct_size; /* sizeof(rp_plugin) */
	rp_plugin_kind kind;
	const char *name;        /* [a-z0-9_]+, unique among plugins */
	const char *description; /* one line */
	const rp_option *options;

	/* Formatters only: what render() produces. */
	const char *media_type; /* "text/csv; charset=utf-8" */
	const char *extension;  /* "csv" */

	/* Called once per section after its options are validated, also by
	 * `check`.  Validate combinations, allocate private state. */
	rp_status (*init)(rp_instance *self, const rp_host *host);
	void (*fini)(rp_instance *self, const rp_host *host);

	/* Sources: produce datasets with host->emit_dataset. */
	rp_status (*produce)(rp_instance *self, const rp_host *host);
	/* Formatters: append the rendering of ds to out (ds NULL: the whole
	 * run, for scope = run; see RP_PLUGIN_RUN_SCOPE). */
	rp_status (*render)(rp_instance *self, const rp_host *host,
			    const rp_dataset *ds, rp_artifact *out);
	/* Sinks: deliver the artifacts of one dataset, in `input =` order.
	 * A sink whose inputs have scope = run is called once per run, with a
	 * dataset standing for the whole run: no rows, source "run",
	 * account_id "all", the newest report's generated time. */
	rp_status (*deliver)(rp_instance *self, const rp_host *host,
			     const rp_dataset *ds, const rp_artifact *const *arts,
			     size_t n);

	/* Sinks, optional: one line per artifact saying where it would go,
	 * for --dry-run (e.g. "write /var/reports/x.csv").  Freed with
	 * host->free. */
	rp_status (*preview)(rp_instance *self, const rp_host *host,
			     const rp_dataset *ds, const rp_artifact *a,
			     char **line);

	/* ---- 1.1 */
	unsigned flags; /* RP_PLUGIN_* */
} rp_plugin;

/* rp_plugin.flags */
/* A formatter that can render `scope = run`: one document for the whole
 * run.  Its render() is then called once, with ds NULL, and reads the
 * run's datasets with host->run_dataset. */
#define RP_PLUGIN_RUN_SCOPE 0x1u
/* A sink whose deliver may run on a thread of its own while other sinks
 * deliver: it keeps no state outside its instance and reaches files and
 * the network only through its own handles or the host's services.  The
 * engine delivers such sinks at once; the others take turns. */
#define RP_PLUGIN_CONCURRENT 0x2u
/* (1.2) A concurrent sink whose deliver may start while the engine still
 * writes the dataset's write-ahead spool entry: the host holds back its
 * http_request and aws_request until the entry is on disk, so the sink
 * composes and hashes in the meantime.  Declare it only if the sink
 * reaches the outside through those two services alone (s3 and ses do;
 * smtp, which speaks through its own libcurl handle, does not). */
#define RP_PLUGIN_EARLY_START 0x4u

#define RP_PLUGIN_MIN_SIZE \
	(offsetof(rp_plugin, deliver) + sizeof(((rp_plugin *)0)->deliver))

#ifdef __cplusplus
}
#endif

#endif
