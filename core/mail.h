/* mail.h - the host's mail services (RP_MAIL_OPTIONS): checking a mail
 * section and composing one dataset's message. */
#ifndef RP_MAIL_H
#define RP_MAIL_H

#include "reportpipe/plugin.h"

rp_status rp_mail_check(rp_instance *in);
rp_status rp_mail_compose(rp_instance *in, const rp_dataset *ds,
			  const rp_artifact *const *arts, size_t n, rp_mail **out);
const char *rp_mail_data(const rp_mail *m, size_t *len);
const char *rp_mail_sender(const rp_mail *m);
size_t rp_mail_recipient_count(const rp_mail *m);
const char *rp_mail_recipient(const rp_mail *m, size_t i);
void rp_mail_free(rp_mail *m);

#endif
