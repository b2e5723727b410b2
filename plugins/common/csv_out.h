/* csv_out.h - writing CSV cells into an artifact, shared by the csv and
 * changes formatters: RFC 4180 quoting and, for spreadsheets, cells that
 * start like formulas made inert. */
#ifndef RP_CSV_OUT_H
#define RP_CSV_OUT_H

#include <reportpipe/plugin.h>

/* Gathers cells and line ends in a buffer of its own and appends them to
 * the artifact a block at a time: a report has 100,000 cells and more,
 * and a host call per cell and separator costs more than the copying. */
typedef struct csv_out {
	const rp_host *host;
	rp_artifact *out;
	int excel;
	rp_status st; /* the first failure; later calls do nothing */
	size_t len;
	char buf[64 * 1024];
} csv_out;

/* With excel: CRLF line ends, and a cell starting with = + - @ tab or CR
 * gets a leading quote inside double quotes (OWASP's CSV injection
 * advice), since IAM user names may start with them.  The UTF-8 BOM is
 * the caller's to write (csv_out_raw). */
void csv_out_init(csv_out *w, const rp_host *host, rp_artifact *out,
		  int excel);
/* Appends s as one CSV cell, preceded by a comma unless first. */
void csv_out_cell(csv_out *w, const char *s, int first);
/* Ends the line: "\n", or "\r\n" with excel. */
void csv_out_eol(csv_out *w);
void csv_out_raw(csv_out *w, const void *data, size_t len);
/* Appends what is left; the first failure of any call, or RP_OK. */
rp_status csv_out_finish(csv_out *w);

#endif
