/* manifest.c - formatter plugin: audit evidence.  A JSON document listing
 * every artifact rendered before it for the report, with its SHA-256 and
 * size, the report's generated time and account, and reportpipe's
 * version, so an archived object can be matched to what was mailed. */
#define _POSIX_C_SOURCE 200809L

#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <reportpipe/plugin.h>

static void iso8601(time_t t, char *out, size_t outlen)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0;

	if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32)
		return -1;
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

static rp_status manifest_render(rp_instance *self, const rp_host *host,
				 const rp_dataset *ds, rp_artifact *out)
{
	const rp_dataset_meta *m = host->ds_meta(ds);
	const rp_run_info *run = host->run_info(self);
	json_t *root = json_object(), *list = json_array();
	char gen[32], now[32], hex[65];
	const rp_artifact *a;
	rp_status st = RP_ERR_NOMEM;
	char *text = NULL;

	if (!root || !list)
		goto out;
	iso8601(m->generated_time, gen, sizeof(gen));
	iso8601(run->run_time, now, sizeof(now));
	for (size_t i = 0; (a = host->ds_artifact(self, ds, i)) != NULL; i++) {
		size_t len;
		const void *data = host->artifact_data(a, &len);

		if (sha256_hex(data, len, hex)) {
			st = RP_ERR_INTERNAL;
			goto out;
		}
		if (json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:I,s:s}",
			"format", host->artifact_format(a),
			"media_type", host->artifact_media_type(a),
			"extension", host->artifact_extension(a),
			"size", (json_int_t)len, "sha256", hex)))
			goto out;
	}
	if (json_object_set_new(root, "pipeline", json_string(run->pipeline)) ||
	    json_object_set_new(root, "source", json_string(m->source)) ||
	    json_object_set_new(root, "account_id", json_string(m->account_id)) ||
	    json_object_set_new(root, "partition", json_string(m->partition)) ||
	    json_object_set_new(root, "report_generated_time", json_string(gen)) ||
	    json_object_set_new(root, "run_time", json_string(now)) ||
	    json_object_set_new(root, "reportpipe_version",
				json_string(run->version ? run->version : "")) ||
	    json_object_set(root, "artifacts", list))
		goto out;
	if (json_array_size(list) == 0)
		host->log(self, RP_LOG_WARN,
			  "no artifact was rendered before this format; put [format.%s] after the formats it should list",
			  host->instance_name(self));
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!text)
		goto out;
	st = host->artifact_append(out, text, strlen(text));
	if (!st)
		st = host->artifact_append(out, "\n", 1);
out:
	free(text);
	json_decref(list);
	json_decref(root);
	return st;
}

RP_PLUGIN_EXPORT const rp_plugin reportpipe_plugin = {
	.abi_major = RP_ABI_MAJOR,
	.abi_minor = RP_ABI_MINOR,
	.struct_size = sizeof(rp_plugin),
	.kind = RP_KIND_FORMATTER,
	.name = "manifest",
	.description = "audit evidence: SHA-256 and size of every artifact rendered before it",
	.media_type = "application/json",
	.extension = "json",
	.render = manifest_render,
};
