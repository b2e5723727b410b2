/* fuzz_creds.c - the JSON answers of the AWS credential chain (container
 * agent, instance metadata, credential_process), through
 * rp_creds_parse_json, the function the chain itself calls.  Each input
 * is read as all three kinds.
 *
 * Checked beyond memory errors: accepted credentials have what each kind
 * requires; a refusal leaves nothing behind and says why. */
#include "config.h"

#include <string.h>

#include "aws.h"
#include "credentials.h"
#include "fuzz.h"

static void check_accepted(const rp_aws_credentials *c, rp_creds_json kind)
{
	FUZZ_CHECK(c->access_key_id && c->access_key_id[0]);
	FUZZ_CHECK(c->secret_access_key && c->secret_access_key[0]);
	FUZZ_CHECK(c->provider == NULL);
	/* An empty token means none. */
	FUZZ_CHECK(!c->session_token || c->session_token[0]);
	if (kind != RP_CREDS_JSON_PROCESS)
		FUZZ_CHECK(c->session_token);
}

static void check_refused(const rp_aws_credentials *c, rp_status st,
			  const char *why)
{
	FUZZ_CHECK(st == RP_ERR_REMOTE || st == RP_ERR_PARSE ||
		   st == RP_ERR_NOMEM);
	FUZZ_CHECK(why[0] != '\0');
	FUZZ_CHECK(!c->access_key_id && !c->secret_access_key &&
		   !c->session_token && !c->provider && !c->expiration);
}

int rp_fuzz_creds(const uint8_t *data, size_t size)
{
	static const rp_creds_json kinds[] = {
		RP_CREDS_JSON_CONTAINER, RP_CREDS_JSON_IMDS, RP_CREDS_JSON_PROCESS,
	};
	int accepted = 0;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		rp_aws_credentials c;
		char why[256] = "";
		rp_status st;

		st = rp_creds_parse_json((const char *)data, size, kinds[i], &c,
					 why, sizeof(why));
		if (st == RP_OK) {
			check_accepted(&c, kinds[i]);
			accepted = 1;
		} else {
			check_refused(&c, st, why);
		}
		rp_aws_credentials_free(&c);
	}
	return accepted ? RP_FUZZ_ACCEPTED : RP_FUZZ_REFUSED;
}

#ifndef RP_FUZZ_REPLAY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rp_fuzz_creds(data, size);
	return 0;
}
#endif
