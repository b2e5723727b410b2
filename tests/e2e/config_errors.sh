#!/bin/sh
# config_errors.sh - every configuration error is refused alike by `check`
# and `run`: exit 2, one message giving file:line, [section] and key, and
# nothing written.  Then the happy path of continuation lines.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

t=$work/tree
demo_tree "$t"
p=$t/etc/p.ini
unset RP_E2E_UNSET

# refuse DESC MESSAGE < INI: the pipeline file INI must be refused.
refuse() {
	cat >"$p"
	rp check -c "$p"
	rc_is 2 "$1: check exits 2"
	like "$work/err" "reportpipe: error: $2" "$1: the message"
	cp "$work/err" "$work/check.err"
	rp run -c "$p"
	rc_is 2 "$1: run exits 2"
	ok 'cmp -s "$work/check.err" "$work/err"' "$1: run gives the same message"
	is "$(ls -A "$t")$(cat "$work/out")" etc "$1: nothing written, no stdout"
}

# A valid file has this shape; each case below changes one thing.
#  1 [source.local]
#  2 plugin = csv_file
#  3 path = sample-credential-report.csv
#  4 [format.csv]
#  5 plugin = csv
#  6 [sink.out]
#  7 plugin = file
#  8 input = csv
#  9 path = ../out/{format}.{ext}

refuse "unknown section kind" \
	"$p:6: unknown section kind [sinks.out]; did you mean [sink.out]?" <<'EOF'
[source.local]
plugin = csv_file
path = sample-credential-report.csv
[format.csv]
plugin = csv
[sinks.out]
plugin = file
input = csv
path = ../out/{format}.{ext}
EOF

# The typo of a required key must be named as the typo, not as the
# missing key: the user wrote `paht`.
refuse "unknown key paht" \
	"$p:9: [sink.out] unknown key 'paht' for plugin 'file'; did you mean 'path'?" <<'EOF'
[source.local]
plugin = csv_file
path = sample-credential-report.csv
[format.csv]
plugin = csv
[sink.out]
plugin = file
input = csv
paht = ../out/{format}.{ext}
EOF

refuse "unknown key overwrit" \
	"$p:10: [sink.out] unknown key 'overwrit' for plugin 'file'; did you mean 'overwrite'?" <<'EOF'
[source.local]
plugin = csv_file
path = sample-credential-report.csv
[format.csv]
plugin = csv
[sink.out]
plugin = file
input = csv
path = ../out/{format}.{ext}
overwrit = true
EOF

refuse "unknown key in [pipeline]" \
	"$p:2: [pipeline] unknown key 'timezon' for the [pipeline] section; did you mean 'timezone'?" <<'EOF'
[pipeline]
timezon = UTC
[source.local]
plugin = csv_file
path = sample-credential-report.csv
[format.csv]
plugin = csv
[sink.out]
plugin = file
input = csv
path = ../out/{format}.{ext}
EOF

refuse "missing required option" \
	"$p:6: [sink.out] missing required option 'path' of plugin 'file'" <<'EOF'
[source.local]
plugin = csv_file
path = sample-credential-report.csv
[format.csv]
plugin = csv
[sink.out]
plugin = file
input = csv
EOF

refuse "bad bool" \
	"$p:6: [format.csv] excel: 'maybe' is not a boolean; use true or false" <<'EOF'
[source.local]
plugin = csv_file
path = sample-credential-report.csv
[format.csv]
plugin = csv
excel = maybe
[sink.out]
plugin = file
input = csv
path = ../out/{format}.{ext}
EOF

refuse "bool continued on a second line" \
	"$p:6: [format.csv] excel: this bool value must fit on one line" <<'EOF'
[source.local]
plugin = csv_file
path = sample-credential-report.csv
[format.csv]
plugin = csv
excel = true
  false
[sink.out]
plugin = file
input = csv
path = ../out/{format}.{ext}
EOF

# No enum and no duration option exists yet: nothing to test for them.

refuse "not an octal int" \
	"$p:10: [sink.out] mode: '0999' is not an octal integer" <<'EOF'
[source.local]
plugin = csv_file
path = sample-credential-report.csv
[format.csv]
plugin = csv
[sink.out]
plugin = file
input = csv
path = ../out/{format}.{ext}
mode = 0999
EOF

refuse "octal int out of range" \
	"$p:10: [sink.out] mode: 1777 is out of range (0 to 0777)" <<'EOF'
[source.local]
plugin = csv_file
path = sample-credential-report.csv
[format.csv]
plugin = csv
[sink.out]
plugin = file
input = csv
path = ../out/{format}.{ext}
mode = 1777
EOF

refuse "input naming no format" \
	"$p:8: [sink.out] input names 'xls', but there is no [format.xls] section; formats defined: csv" <<'EOF'
[source.local]
plugin = csv_file
path = sample-credential-report.csv
[format.csv]
plugin = csv
[sink.out]
plugin = file
input = csv, xls
path = ../out/{format}.{ext}
EOF

builtin=$(cd "$top_builddir/plugins/.libs" && pwd -P)
refuse "plugin not found" \
	"$p:7: [sink.out] plugin 'nosuchsink' not found; searched: $builtin (set plugin_path or REPORTPIPE_PLUGIN_PATH)" <<'EOF'
[source.local]
plugin = csv_file
path = sample-credential-report.csv
[format.csv]
plugin = csv
[sink.out]
plugin = nosuchsink
input = csv
path = ../out/{format}.{ext}
EOF

refuse "plugin of the wrong kind" \
	"$p:7: [sink.out] plugin 'csv' is a formatter, but a [sink.*] section needs a sink plugin" <<'EOF'
[source.local]
plugin = csv_file
path = sample-credential-report.csv
[format.csv]
plugin = csv
[sink.out]
plugin = csv
input = csv
path = ../out/{format}.{ext}
EOF

refuse "missing plugin =" \
	"$p:6: [sink.out] missing 'plugin =' naming the sink plugin to use" <<'EOF'
[source.local]
plugin = csv_file
path = sample-credential-report.csv
[format.csv]
plugin = csv
[sink.out]
input = csv
path = ../out/{format}.{ext}
EOF

refuse "unset environment variable" \
	"$p:9: [sink.out] path: environment variable RP_E2E_UNSET is not set; export it before running reportpipe" <<'EOF'
[source.local]
plugin = csv_file
path = sample-credential-report.csv
[format.csv]
plugin = csv
[sink.out]
plugin = file
input = csv
path = ../out/${RP_E2E_UNSET}/{format}.{ext}
EOF

# "path = ../out/" (14) + 179 x + "/{format}.{ext}" (15) = 208 bytes.
x179=$(printf '%0179d' 0 | tr 0 x)
refuse "line over 198 bytes" \
	"$p:9: line is 208 bytes long; the INI reader takes at most 198." <<EOF
[source.local]
plugin = csv_file
path = sample-credential-report.csv
[format.csv]
plugin = csv
[sink.out]
plugin = file
input = csv
path = ../out/$x179/{format}.{ext}
EOF

refuse "a line that is not key = value" \
	"$p:8: cannot parse this line" <<'EOF'
[source.local]
plugin = csv_file
path = sample-credential-report.csv
[format.csv]
plugin = csv
[sink.out]
plugin = file
input csv
path = ../out/{format}.{ext}
EOF

refuse "key set twice" \
	"$p:10: [sink.out] key 'input' is set twice (first on line 8)" <<'EOF'
[source.local]
plugin = csv_file
path = sample-credential-report.csv
[format.csv]
plugin = csv
[sink.out]
plugin = file
input = csv
path = ../out/{format}.{ext}
input = csv
EOF

refuse "section twice" \
	"$p:10: section [format.csv] appears twice (first on line 4); merge them" <<'EOF'
[source.local]
plugin = csv_file
path = sample-credential-report.csv
[format.csv]
plugin = csv
[sink.out]
plugin = file
input = csv
path = ../out/{format}.{ext}
[format.csv]
excel = true
EOF

refuse "unknown placeholder" \
	"$p:9: [sink.out] path: unknown placeholder '{dat}'" <<'EOF'
[source.local]
plugin = csv_file
path = sample-credential-report.csv
[format.csv]
plugin = csv
[sink.out]
plugin = file
input = csv
path = ../out/{dat}_{format}.{ext}
EOF

refuse "unknown timezone" \
	"$p:2: [pipeline] timezone: 'Mars/Olympus' is not in the time zone database" <<'EOF'
[pipeline]
timezone = Mars/Olympus
[source.local]
plugin = csv_file
path = sample-credential-report.csv
[format.csv]
plugin = csv
[sink.out]
plugin = file
input = csv
path = ../out/{format}.{ext}
EOF

refuse "no source" \
	"$p: a pipeline needs at least one [source.NAME] and one [sink.NAME] section" <<'EOF'
[format.csv]
plugin = csv
[sink.out]
plugin = file
input = csv
path = ../out/{format}.{ext}
EOF

refuse "no sink" \
	"$p: a pipeline needs at least one [source.NAME] and one [sink.NAME] section" <<'EOF'
[source.local]
plugin = csv_file
path = sample-credential-report.csv
[format.csv]
plugin = csv
EOF

# Init-time checks name the key; the line must be the key's, as for the
# checks above, not the section's.
refuse "two inputs to one path" \
	"$p:11: [sink.out] path: inputs 'csv' and 'raw' would both be written to $t/out/report.csv; put {format} or {ext} in path" <<'EOF'
[source.local]
plugin = csv_file
path = sample-credential-report.csv
[format.csv]
plugin = csv
[format.raw]
plugin = csv
[sink.out]
plugin = file
input = csv, raw
path = ../out/report.{ext}
EOF

refuse "account_id not 12 digits" \
	"$p:4: [source.local] account_id: '12345' is not a 12-digit AWS account id" <<'EOF'
[source.local]
plugin = csv_file
path = sample-credential-report.csv
account_id = 12345
[format.csv]
plugin = csv
[sink.out]
plugin = file
input = csv
path = ../out/{format}.{ext}
EOF

refuse "generated_time not ISO 8601" \
	"$p:4: [source.local] generated_time: '30/11/2026 06:00' is not an ISO 8601 time" <<'EOF'
[source.local]
plugin = csv_file
path = sample-credential-report.csv
generated_time = 30/11/2026 06:00
[format.csv]
plugin = csv
[sink.out]
plugin = file
input = csv
path = ../out/{format}.{ext}
EOF

# A missing pipeline file.
rm -f "$p"
for cmd in check run; do
	rp $cmd -c "$t/etc/nosuch.ini"
	rc_is 2 "missing pipeline file: $cmd exits 2"
	like "$work/err" "reportpipe: error: $t/etc/nosuch.ini: cannot read the pipeline file: No such file or directory" \
		"missing pipeline file: $cmd names the file and the reason"
done
is "$(ls -A "$t")" etc "missing pipeline file: nothing written"

# The happy path: a list continued on indented lines (tab or spaces),
# and a line of exactly 198 bytes.
x191=$(printf '%0191d' 0 | tr 0 x)
cat >"$p" <<EOF
[pipeline]
name = $x191
[source.local]
plugin = csv_file
path = sample-credential-report.csv
[format.csv]
plugin = csv
columns = user, arn,
	password_enabled,
    mfa_active
[sink.out]
plugin = file
input = csv
path = ../out/{format}.{ext}
EOF
rp check -c "$p"
rc_is 0 "continuation lines and a 198-byte line: check accepts them"
like "$work/out" "pipeline '$x191' ($p)" "check: the 198-byte line's value is whole"
is "$(grep -v -e "^pipeline " -e '^wiring:$' -e '^\[' -e '^    ' "$work/out")" "" \
	"check: a continued value stays within its indented option line"
rp run -c "$p"
rc_is 0 "continuation lines: run accepts them"
is "$(sed 1q "$t/out/csv.csv")" "user,arn,password_enabled,mfa_active" \
	"continuation lines: columns joins all three lines"

done_testing
