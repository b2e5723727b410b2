/* credentials.h - the engine-internal parts of credentials.c that are
 * worth calling on their own: the JSON answers of the credential chain,
 * parsed by the same code whether they come from the network, a child
 * process, a unit test or the fuzzer. */
#ifndef RP_CREDENTIALS_H
#define RP_CREDENTIALS_H

#include <stddef.h>

#include "aws.h"
#include "reportpipe/plugin.h"

/* Which answer a JSON body is: they differ in the token's key, in what is
 * required and in what else they carry. */
typedef enum rp_creds_json {
	RP_CREDS_JSON_CONTAINER = 1, /* ECS/EKS agent: Token, Expiration required */
	RP_CREDS_JSON_IMDS = 2,      /* EC2 role: also Code, when present, "Success" */
	RP_CREDS_JSON_PROCESS = 3    /* credential_process: Version 1;
					SessionToken and Expiration optional */
} rp_creds_json;

/* Parses and checks buf[0..len) as the answer of that kind; fills *out
 * (all but provider) on success.  why gets a sentence fragment that never
 * quotes a secret:
 * RP_ERR_REMOTE  the body is not such an answer at all (not a JSON object,
 *                another Version, a Code other than "Success"); for
 *                RP_CREDS_JSON_PROCESS the fragment reads after the
 *                program's name ("did not print a JSON object ...");
 * RP_ERR_PARSE   a credential member is missing or malformed;
 * RP_ERR_NOMEM   why is "out of memory".
 * On error *out is zeroed and holds nothing to free. */
rp_status rp_creds_parse_json(const char *buf, size_t len, rp_creds_json kind,
			      rp_aws_credentials *out, char *why,
			      size_t whylen);

#endif
