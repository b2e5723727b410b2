/* ses_body.c - SendEmail's body, any range of it on demand (ses_body.h). */
#include <openssl/evp.h>
#include <string.h>

#include "ses_body.h"

/* Groups of 4 encoded at once, from a piece of the message read into a
 * buffer on the stack. */
#define MAX_GROUPS 4096

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

size_t ses_v2_len(const ses_v2_body *b)
{
	return b->hlen + b->blen + sizeof(SES_V2_TAIL) - 1;
}

int ses_v2_gen(void *arg, size_t off, char *buf, size_t n)
{
	const ses_v2_body *b = arg;

	while (n) {
		size_t k;

		if (off < b->hlen) {
			k = min_size(b->hlen - off, n);
			memcpy(buf, b->head + off, k);
		} else if (off < b->hlen + b->blen) {
			/* o in the base64 text, in group q, from input byte in */
			size_t o = off - b->hlen, q = o / 4, in = 3 * q;
			/* Whole groups straight into buf; EVP_EncodeBlock ends
			 * them with a NUL, hence n - 1. */
			size_t m = o % 4 ? 0 : (n - 1) / 4;

			unsigned char raw[3 * MAX_GROUPS];
			size_t len;

			m = min_size(min_size(m, (b->blen - o) / 4), MAX_GROUPS);
			if (m) {
				len = min_size(b->rawlen - in, 3 * m);
				if (b->read(b->ctx, in, raw, len))
					return 1;
				EVP_EncodeBlock((unsigned char *)buf, raw, (int)len);
				k = 4 * m;
			} else {
				/* Part of a group, or room for less than one
				 * and its NUL: the group on its own. */
				unsigned char group[5];

				len = min_size(b->rawlen - in, 3);
				if (b->read(b->ctx, in, raw, len))
					return 1;
				EVP_EncodeBlock(group, raw, (int)len);
				k = min_size(4 - o % 4, n);
				memcpy(buf, group + o % 4, k);
			}
		} else {
			size_t t = off - b->hlen - b->blen;

			if (t >= sizeof(SES_V2_TAIL) - 1)
				return 1;
			k = min_size(sizeof(SES_V2_TAIL) - 1 - t, n);
			memcpy(buf, SES_V2_TAIL + t, k);
		}
		buf += k;
		off += k;
		n -= k;
	}
	return 0;
}
