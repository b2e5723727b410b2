/* csv.c - formatter plugin: the report as CSV, optionally made safe and
 * comfortable for spreadsheet programs (Excel in Japan expects a BOM to
 * read UTF-8, and runs cells that start like formulas). */
#include <stdlib.h>
#include <string.h>

#include <reportpipe/plugin.h>

#include "csv_out.h"

static const rp_option options[] = {
	{.key = "columns", .type = RP_OPT_LIST,
	 .description = "the columns to write, in this order (default: all, in the report's order)"},
	{.key = "excel", .type = RP_OPT_BOOL, .default_value = "false",
	 .description = "UTF-8 BOM, CRLF line ends, and cells starting with = + - @ made inert"},
	{0}
};

static rp_status csv_render(rp_instance *self, const rp_host *host,
			    const rp_dataset *ds, rp_artifact *out)
{
	const rp_list *pick = host->opt_list(self, "columns");
	int excel = host->opt_bool(self, "excel");
	size_t ncols = pick && pick->count ? pick->count : host->ds_columns(ds);
	size_t rows = host->ds_rows(ds), cols_buf[256];
	csv_out *w;
	rp_status st;

	if (ncols > sizeof(cols_buf) / sizeof(cols_buf[0])) {
		host->set_error(self, "the report has %zu columns; at most %zu are supported",
				ncols, sizeof(cols_buf) / sizeof(cols_buf[0]));
		return RP_ERR_LIMIT;
	}
	for (size_t c = 0; c < ncols; c++) {
		long idx = (long)c;

		if (pick && pick->count) {
			idx = host->ds_column_index(ds, pick->items[c]);
			if (idx < 0) {
				host->set_error(self,
						"columns: '%s' is not a column of the report (its first columns are %s, %s, ...)",
						pick->items[c], host->ds_column_name(ds, 0),
						host->ds_columns(ds) > 1 ? host->ds_column_name(ds, 1) : "");
				return RP_ERR_CONFIG;
			}
		}
		cols_buf[c] = (size_t)idx;
	}
	w = malloc(sizeof(*w));
	if (!w)
		return RP_ERR_NOMEM;
	csv_out_init(w, host, out, excel);
	if (excel)
		csv_out_raw(w, "\xEF\xBB\xBF", 3);
	for (size_t c = 0; c < ncols; c++)
		csv_out_cell(w, host->ds_column_name(ds, cols_buf[c]), c == 0);
	csv_out_eol(w);
	for (size_t r = 0; r < rows && !w->st; r++) {
		for (size_t c = 0; c < ncols; c++)
			csv_out_cell(w, host->ds_cell(ds, r, cols_buf[c]), c == 0);
		csv_out_eol(w);
	}
	st = csv_out_finish(w);
	free(w);
	return st;
}

RP_PLUGIN_EXPORT const rp_plugin reportpipe_plugin = {
	.abi_major = RP_ABI_MAJOR,
	.abi_minor = RP_ABI_MINOR,
	.struct_size = sizeof(rp_plugin),
	.kind = RP_KIND_FORMATTER,
	.name = "csv",
	.description = "the report as CSV (Excel-friendly with excel = true)",
	.options = options,
	.media_type = "text/csv; charset=utf-8",
	.extension = "csv",
	.render = csv_render,
};
