/* manpage.h - the option tables as roff, the generated part of
 * reportpipe.ini(5) (`reportpipe plugins --man`). */
#ifndef RP_MANPAGE_H
#define RP_MANPAGE_H

#include <stdio.h>

#include "loader.h"

/* The [pipeline] table, the engine's keys of plugin sections, then every
 * plugin of reg (sources, formatters, sinks, each by name) with its table.
 * Output depends only on the tables, never on paths or time. */
rp_status rp_manpage_options(const rp_registry *reg, FILE *f);

#endif
