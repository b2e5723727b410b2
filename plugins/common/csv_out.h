/* csv_out.h - writing CSV cells into an artifact, shared by the csv and
 * changes formatters: RFC 4180 quoting and, for spreadsheets, cells that
 * start like formulas made inert. */
#ifndef RP_CSV_OUT_H
#define RP_CSV_OUT_H

#include <reportpipe/plugin.h>

/* Appends s as one CSV cell.  With excel, a cell starting with = + - @
 * tab or CR gets a leading quote inside double quotes (OWASP's CSV
 * injection advice), since IAM user names may start with them. */
rp_status csv_out_cell(const rp_host *host, rp_artifact *out, const char *s,
		       int excel);

#endif
