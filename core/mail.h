/* mail.h - the host's mail services (RP_MAIL_OPTIONS): checking a mail
 * section and composing one dataset's message. */
#ifndef RP_MAIL_H
#define RP_MAIL_H

#include "reportpipe/plugin.h"

rp_status rp_mail_check(rp_instance *in);
rp_status rp_mail_compose(rp_instance *in, const rp_dataset *ds,
			  const rp_artifact *const *arts, size_t n, rp_mail **out);
/* The whole message, made on first use; NULL (len 0) when out of memory. */
const char *rp_mail_data(const rp_mail *m, size_t *len);
size_t rp_mail_size(const rp_mail *m);
/* Bytes [off, off + n) of the message into buf; nonzero past its end. */
int rp_mail_read(const rp_mail *m, size_t off, void *buf, size_t n);
const char *rp_mail_sender(const rp_mail *m);
size_t rp_mail_recipient_count(const rp_mail *m);
const char *rp_mail_recipient(const rp_mail *m, size_t i);
void rp_mail_free(rp_mail *m);

#endif
