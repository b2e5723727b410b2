/* ses_body.h - SendEmail's body made as it is sent: the JSON envelope up
 * to Content.Raw.Data's opening quote, the message base64-encoded, and
 * the envelope's end, any range of it on demand (host->aws_request_gen).
 * Apart from the plugin so that tests/unit/test_ses_body.c can check
 * every range against the body made whole. */
#ifndef RP_SES_BODY_H
#define RP_SES_BODY_H

#include <stddef.h>

typedef struct ses_v2_body {
	char *head;                /* the envelope up to Data's opening quote */
	size_t hlen;
	/* The message: read(ctx, off, buf, n) writes its bytes [off, off + n)
	 * (host->mail_read), nonzero on failure. */
	int (*read)(void *ctx, size_t off, void *buf, size_t n);
	void *ctx;
	size_t rawlen;
	size_t blen;               /* its base64: 4 * ceil(rawlen / 3) */
} ses_v2_body;

/* What follows the base64: Data's closing quote and three braces. */
#define SES_V2_TAIL "\"}}}"

/* The whole body's length. */
size_t ses_v2_len(const ses_v2_body *b);

/* Writes bytes [off, off + n) of the body into buf; nonzero when the
 * range goes past the end or the message cannot be read. */
int ses_v2_gen(void *arg, size_t off, char *buf, size_t n);

#endif
