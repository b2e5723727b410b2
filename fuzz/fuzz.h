/* fuzz.h - what the libFuzzer targets in fuzz/ share with the replay test
 * (tests/unit/test_fuzz_replay.c).
 *
 * Each target is a function rp_fuzz_NAME() that feeds one input to the
 * code under test and checks what came back.  fuzz_NAME.c wraps it in
 * LLVMFuzzerTestOneInput for clang; built with -DRP_FUZZ_REPLAY it is a
 * plain function, so the gcc build replays the corpus and every past
 * crash in `make check`. */
#ifndef RP_FUZZ_H
#define RP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* What an entry returns: the input was accepted, or refused with a
 * message.  Anything else the code does wrong aborts (FUZZ_CHECK), which
 * is what libFuzzer and the replay test both catch. */
#define RP_FUZZ_ACCEPTED 0
#define RP_FUZZ_REFUSED 1

int rp_fuzz_csv(const uint8_t *data, size_t size);
int rp_fuzz_xml(const uint8_t *data, size_t size);
int rp_fuzz_creds(const uint8_t *data, size_t size);
int rp_fuzz_conffile(const uint8_t *data, size_t size);
int rp_fuzz_template(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant the code under test promises; a sanitizer only sees
 * memory errors, so the targets check results too. */
#define FUZZ_CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: invariant broken: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

#endif
