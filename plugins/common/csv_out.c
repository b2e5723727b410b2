/* csv_out.c - writing CSV cells into an artifact (see csv_out.h). */
#include <string.h>

#include "csv_out.h"

static int formula_like(const char *s)
{
	return s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
	       s[0] == '\t' || s[0] == '\r';
}

rp_status csv_out_cell(const rp_host *host, rp_artifact *out, const char *s,
		       int excel)
{
	int inert = excel && formula_like(s);
	int quote = inert || strpbrk(s, ",\"\r\n") != NULL;
	rp_status st = RP_OK;

	if (quote)
		st = host->artifact_append(out, "\"", 1);
	if (!st && inert)
		st = host->artifact_append(out, "'", 1);
	while (!st && *s) {
		size_t n = strcspn(s, "\"");

		st = host->artifact_append(out, s, n);
		s += n;
		if (!st && *s == '"') {
			st = host->artifact_append(out, "\"\"", 2);
			s++;
		}
	}
	if (!st && quote)
		st = host->artifact_append(out, "\"", 1);
	return st;
}
