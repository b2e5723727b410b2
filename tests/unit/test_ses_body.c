/* test_ses_body.c - plugins/ses/ses_body.c: SendEmail's body made range by
 * range must be, byte for byte, the body made whole (the envelope's head,
 * EVP_EncodeBlock of the message, the tail), whatever the ranges: the
 * host reads it in 64 KB pieces for the hash and libcurl in pieces of its
 * own, and the head's length puts the base64's groups of 4 anywhere. */
#define _POSIX_C_SOURCE 200809L

#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/ses/ses_body.h"
#include "tap.h"

/* The message, as host->mail_read gives it: here from a buffer. */
struct msg {
	const unsigned char *p;
	size_t len;
	int reads_failing;
};

static int read_msg(void *ctx, size_t off, void *buf, size_t n)
{
	const struct msg *m = ctx;

	if (m->reads_failing || off > m->len || n > m->len - off)
		return 1;
	memcpy(buf, m->p + off, n);
	return 0;
}

/* The body as ses.c made it before it was made range by range. */
static char *whole(const ses_v2_body *b, size_t *len)
{
	const struct msg *m = b->ctx;
	char *out = malloc(ses_v2_len(b) + 1);

	memcpy(out, b->head, b->hlen);
	EVP_EncodeBlock((unsigned char *)out + b->hlen, m->p, (int)m->len);
	memcpy(out + b->hlen + b->blen, SES_V2_TAIL, sizeof(SES_V2_TAIL));
	*len = ses_v2_len(b);
	return out;
}

/* Made in pieces of the sizes sizes[0], sizes[1], ... (cycled), each
 * into a buffer that has not a byte more, with a guard byte after it. */
static int same_in_pieces(const ses_v2_body *b, const char *want, size_t len,
			  const size_t *sizes, size_t nsizes)
{
	char *buf = malloc(len + 2);
	size_t off = 0, i = 0;
	int same = 1;

	while (off < len && same) {
		size_t n = sizes[i++ % nsizes];

		if (n > len - off)
			n = len - off;
		buf[n] = '#';
		if (ses_v2_gen((void *)b, off, buf, n) != 0 || buf[n] != '#' ||
		    memcmp(buf, want + off, n) != 0) {
			diag("  %zu bytes at %zu differ (or the guard was hit)",
			     n, off);
			same = 0;
		}
		off += n;
	}
	free(buf);
	return same;
}

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

int main(void)
{
	static const size_t raw_lens[] = {0, 1, 2, 3, 4, 5, 6, 7, 47, 48, 49,
					  65536 * 3 + 1, 200000};
	static const size_t head_lens[] = {0, 1, 2, 3, 5, 90};
	static const size_t one[] = {1}, small[] = {1, 2, 3, 4, 5, 7, 11},
			    fours[] = {4, 8, 5, 12, 3}, curl[] = {65536},
			    big[] = {1 << 20};
	int bad_pieces = 0, bad_random = 0, cases = 0;
	char head[128];

	plan(9);
	for (size_t i = 0; i < sizeof(head) - 1; i++)
		head[i] = (char)('a' + i % 26);
	head[sizeof(head) - 1] = '\0';

	for (size_t r = 0; r < sizeof(raw_lens) / sizeof(*raw_lens); r++) {
		unsigned char *raw = malloc(raw_lens[r] + 1);

		for (size_t i = 0; i < raw_lens[r]; i++)
			raw[i] = (unsigned char)rnd();
		for (size_t h = 0; h < sizeof(head_lens) / sizeof(*head_lens); h++) {
			struct msg msg = {raw, raw_lens[r], 0};
			ses_v2_body b = {head, head_lens[h], read_msg, &msg,
					 raw_lens[r], 4 * ((raw_lens[r] + 2) / 3)};
			size_t len;
			char *want = whole(&b, &len);

			cases++;
			if ((raw_lens[r] < 100 &&
			     !same_in_pieces(&b, want, len, one, 1)) ||
			    !same_in_pieces(&b, want, len, small, 7) ||
			    !same_in_pieces(&b, want, len, fours, 5) ||
			    !same_in_pieces(&b, want, len, curl, 1) ||
			    !same_in_pieces(&b, want, len, big, 1)) {
				diag("  message of %zu bytes after a head of %zu",
				     raw_lens[r], head_lens[h]);
				bad_pieces++;
			}
			/* Ranges anywhere, not only in order. */
			for (int k = 0; k < 200 && len; k++) {
				size_t off = rnd() % len, n = 1 + rnd() % 70000;
				char *buf;

				if (n > len - off)
					n = len - off;
				buf = malloc(n);
				if (ses_v2_gen(&b, off, buf, n) != 0 ||
				    memcmp(buf, want + off, n) != 0) {
					if (!bad_random)
						diag("  %zu bytes at %zu of %zu differ",
						     n, off, len);
					bad_random++;
				}
				free(buf);
			}
			free(want);
		}
		free(raw);
	}
	ok(cases == 78, "%d messages and heads", cases);
	ok(!bad_pieces, "made in pieces of 1, 1..11, 3..12, 64 KB and 1 MB: the body made whole");
	ok(!bad_random, "made at random ranges: the body made whole");

	{
		unsigned char raw[] = "hello";
		char h[] = "{\"a\":\"";
		struct msg msg = {raw, 5, 0};
		ses_v2_body b = {h, 6, read_msg, &msg, 5, 8};
		char buf[32] = "";

		is_int((long long)ses_v2_len(&b), 6 + 8 + 4, "its length");
		ok(ses_v2_gen(&b, 0, buf, ses_v2_len(&b)) == 0,
		   "the whole body at once");
		is_str(buf, "{\"a\":\"aGVsbG8=\"}}}", "is the head, the base64 and the tail");
		ok(ses_v2_gen(&b, ses_v2_len(&b), buf, 1) != 0,
		   "a range past the end is refused");
		ok(ses_v2_gen(&b, ses_v2_len(&b) - 1, buf, 2) != 0,
		   "and one that runs past it");
		msg.reads_failing = 1;
		ok(ses_v2_gen(&b, 0, buf, ses_v2_len(&b)) != 0,
		   "a message that cannot be read fails the body");
	}
	return done_testing();
}
